import { createHash } from 'node:crypto';
import { type Compilable, CompiledQuery, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { Db } from './index';

// PostgreSQL plans every unnamed statement anew. For the hottest reads (the thread page, the
// session lookup on every request) planning costs more than executing, so those run as named
// prepared statements: planned once per connection, then PostgreSQL may keep a generic plan.
// Opt-in only: a generic plan can be poor for queries whose best plan depends on the values
// (full-text search), and every distinct text costs memory on each connection.
const MARK = '/* plein:prepared */ ';

/** Runs `query` as a named prepared statement (named after its SQL text, so variants never clash). */
export async function executePrepared<O>(db: Db, query: Compilable<O> | RawBuilder<O>): Promise<O[]> {
  const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
  const result = await db.executeQuery<O>(CompiledQuery.raw(MARK + compiled.sql, [...compiled.parameters]));
  return result.rows;
}

export async function executePreparedTakeFirst<O>(db: Db, query: Compilable<O> | RawBuilder<O>): Promise<O | undefined> {
  return (await executePrepared(db, query))[0];
}

// Statement texts are few and fixed (opt-in queries): name each once instead of hashing per execution.
const names = new Map<string, string>();
const nameOf = (text: string) => {
  let name = names.get(text);
  if (!name) {
    name = `plein_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return name;
};

/** Installed on each pool connection: a statement carrying the mark is sent with a name. */
export function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, ...rest: unknown[]) => {
    if (typeof text === 'string' && text.startsWith(MARK) && Array.isArray(rest[0])) {
      return query({ name: nameOf(text), text, values: rest[0] }, ...rest.slice(1));
    }
    return query(text, ...rest);
  };
}
