import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { namePreparedStatements } from './prepared';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// timestamptz → Date (default), int8 stays a string: ids are strings in the API.
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', namePreparedStatements);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
