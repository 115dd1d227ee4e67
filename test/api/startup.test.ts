import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, SKIP_CLIENT_BUILD: 'true', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('start-up configuration errors', () => {
  it('an invalid PORT gives one clear line and exit code 1', () => {
    const res = start({ PORT: 'abc' });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('PORT');
    expect(res.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('an invalid DATABASE_URL gives one clear line and exit code 1', () => {
    const res = start({ DATABASE_URL: 'mysql://nope' });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('DATABASE_URL');
  });

  it('an unreachable DATABASE_URL gives one clear line without the password', () => {
    const res = start({ DATABASE_URL: 'postgres://plein:supersecret@127.0.0.1:1/plein' });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('cannot connect');
    expect(res.stderr).not.toContain('supersecret');
  });
});
