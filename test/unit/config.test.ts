import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';

describe('configuration from the environment', () => {
  it('has safe laptop defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', publicUrl: 'http://localhost:3000', databaseUrl: undefined, databasePoolSize: 4 * os.availableParallelism() + 2, searchConcurrency: os.availableParallelism() + 2, rateLimitsEnabled: true, seedDemo: true });
  });

  it('takes valid values', () => {
    const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/plein', DATABASE_POOL_SIZE: '4', SEARCH_CONCURRENCY: '3', RATE_LIMITS: 'off', SEED_DEMO: 'false' });
    expect(c).toMatchObject({ port: 8080, databaseUrl: 'postgres://u:p@db:5432/plein', databasePoolSize: 4, searchConcurrency: 3, rateLimitsEnabled: false, seedDemo: false });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be between 1 and 500'],
    [{ DATABASE_POOL_SIZE: 'veel' }, 'DATABASE_POOL_SIZE must be a whole number'],
    [{ SEARCH_CONCURRENCY: '0' }, 'SEARCH_CONCURRENCY must be between 1 and 1000'],
    [{ DATABASE_URL: 'mysql://db/plein' }, 'DATABASE_URL must start with postgres:// or postgresql://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL is not a valid URL'],
    [{ RATE_LIMITS: 'sometimes' }, 'RATE_LIMITS must be on or off'],
    [{ SEED_DEMO: 'misschien' }, 'SEED_DEMO must be true or false'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ APP_SECRET: 'kort' }, 'APP_SECRET must be at least 32 characters'],
    [{ STORAGE: 's3' }, 'S3_BUCKET is required when STORAGE=s3'],
    [{ STORAGE: 'ftp' }, 'STORAGE must be local or s3'],
  ])('refuses %o with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
