import { sql } from 'kysely';
import { createDb } from '../../server/db';

/**
 * A signed-in bench account: signs up through the API (202, a verification mail), marks the address
 * verified in the database (the bench reads no mail) and logs in. Returns the session cookie `name=value`.
 */
export async function benchAccount(ctx: { baseUrl: string; databaseUrl: string }, email: string, displayName: string): Promise<string> {
  const password = 'bench password 123';
  const post = (path: string, body: unknown) => fetch(`${ctx.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/auth/signup', { email, password, displayName });
  const db = createDb(ctx.databaseUrl, { max: 1 });
  await sql`update "user" set email_verified_at = now() where lower(email) = lower(${email})`.execute(db);
  await db.destroy();
  const login = await post('/api/auth/login', { email, password });
  return login.headers.get('set-cookie')!.split(';')[0];
}
