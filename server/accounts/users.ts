import { sql } from 'kysely';
import type { Db } from '../db';

export const findUserById = (db: Db, id: string) =>
  db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: Db, email: string) =>
  db.selectFrom('user').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst();

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
