import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { namePreparedStatements } from './prepared';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// timestamptz → Date (default), int8 stays a string: ids are strings in the API.
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  // No JIT: a forum's statements are short, and PostgreSQL prices some of them (search's segment walk,
  // whose every step it costs as a whole-table read) high enough to compile them at every run.
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, options: '-c jit=off' });
  // A client losing its connection must not crash the process: an idle one is replaced by the pool
  // ('error' on the pool); a checked-out one has no pool listener while in use (pg-pool removes it),
  // so it gets its own. Its query fails with the error, and the pool drops it when it is released.
  // Found by npm run soak: a PostgreSQL restart killed a server instance.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    namePreparedStatements(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
