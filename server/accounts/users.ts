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

/** A verified organisation per user, decided by the organisations domain (its domains and names). */
export interface OrganisationMatch {
  userId: string;
  organisationId: string;
  name: string;
}

/**
 * Writes the verified organisations that `matched` decides for the users in scope (`userIds`, or all):
 * the matched get the mark and the name; the others lose the mark and keep the name as free text.
 */
export async function setVerifiedOrganisations(db: Db | Transaction<Database>, userIds: string[] | undefined, matched: OrganisationMatch[]): Promise<void> {
  const scope = userIds ? sql`and u.id = any(${userIds}::bigint[])` : sql``;
  await sql`
    with matched as (
      select * from unnest(${matched.map((m) => m.userId)}::bigint[], ${matched.map((m) => m.organisationId)}::bigint[], ${matched.map((m) => m.name)}::text[])
        as m(user_id, organisation_id, name)
    ),
    gained as (
      update "user" u set organisation_id = m.organisation_id, organisation = m.name, updated_at = now()
      from matched m
      where u.id = m.user_id and (u.organisation_id is distinct from m.organisation_id or u.organisation <> m.name)
      returning u.id
    )
    update "user" u set organisation_id = null, updated_at = now()
    where u.organisation_id is not null ${scope} and not exists (select 1 from matched m where m.user_id = u.id)`.execute(db);
}

/** Marks the account's address verified (an earlier moment stays). */
export async function markEmailVerified(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx.updateTable('user').set({ email_verified_at: sql`coalesce(email_verified_at, now())`, updated_at: new Date() }).where('id', '=', userId).execute();
}

/** A new account from an organisation login: no password; its address is verified when the provider vouches for it. */
export async function createAccountFromLogin(
  trx: Transaction<Database>,
  account: { email: string; displayName: string; displayNameSkeleton: string; emailVerified: boolean },
): Promise<string> {
  const created = await trx
    .insertInto('user')
    .values({
      email: account.email,
      display_name: account.displayName,
      display_name_skeleton: account.displayNameSkeleton,
      password_hash: null,
      avatar_key: null,
      suspended_until: null,
      suspension_reason: null,
      email_verified_at: account.emailVerified ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}
