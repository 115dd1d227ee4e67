import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { Db } from '../db';
import type { Author } from '../../shared/schemas/accounts';
import type { Actor } from '../policy';
import { notFound } from '../http/errors';
import { AUTHOR_COLUMNS, toAuthor } from './present';
import { announceAuthorChange } from './author-events';

export const findUserById = (db: Db, id: string) =>
  db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: Db | Kysely<Database>, email: string) =>
  db.selectFrom('user').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst();

/**
 * Accounts erased on request (privacy.ts) keep their row for their posts, renamed "Verwijderd account",
 * with an address made from these two parts. They are never mentioned, notified or mailed. (A dedicated
 * column on "user" would be cleaner; this follows the current convention.)
 */
const ERASED_PREFIX = 'verwijderd-';
const ERASED_DOMAIN = '@invalid.plein';

/** The address an erased account is given (it is no one's, and stays unique). */
export const erasedEmail = (userId: string) => `${ERASED_PREFIX}${userId}${ERASED_DOMAIN}`;

/** True for the address of an erased account. */
export const isErased = (email: string): boolean => email.startsWith(ERASED_PREFIX) && email.endsWith(ERASED_DOMAIN);

/** True for the rows of erased accounts, given the column that holds their address. */
export const erasedAccount = (emailColumn: string) => sql<boolean>`${sql.ref(emailColumn)} like ${sql.lit(`${ERASED_PREFIX}%${ERASED_DOMAIN}`)}`;

/** Up to eight people whose name starts with `prefix`, for @mention suggestions (erased accounts never). */
export async function mentionCandidates(db: Db, _viewer: Actor, prefix: string): Promise<Author[]> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.selectFrom('user').select(AUTHOR_COLUMNS).where(sql<boolean>`lower(display_name) like lower(${pattern})`).where((eb) => eb.not(erasedAccount('email'))).orderBy('display_name').limit(8).execute();
  return rows.map(toAuthor);
}

/** Points the user's photo at `key` (null: none) in one statement, answering the key it replaces (read under the row lock). */
export async function swapAvatarKey(executor: Kysely<Database>, userId: string, key: string | null): Promise<string | null> {
  const swap = async (trx: Transaction<Database>) => {
    const { previous } = await trx
      .updateTable('user as u')
      .from(trx.selectFrom('user').select(['id', 'avatar_key']).where('id', '=', userId).forUpdate().as('old'))
      .set({ avatar_key: key, updated_at: new Date() })
      .whereRef('u.id', '=', 'old.id')
      .returning('old.avatar_key as previous')
      .executeTakeFirstOrThrow();
    await announceAuthorChange(trx, userId, userId);
    return previous;
  };
  return executor.isTransaction ? swap(executor as Transaction<Database>) : executor.transaction().execute(swap);
}


/** What a profile photo needs of a user (every photo next to every post comes here: just that); 404 when there is none. */
export async function avatarOf(db: Db, userId: string) {
  const user = await db.selectFrom('user').select(['id', 'display_name', 'avatar_key']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('user');
  return user;
}
