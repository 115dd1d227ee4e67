// The Beheer page's user list: admins find accounts by name or address and see their state.
import { sql } from 'kysely';
import type { AdminUser } from '../../shared/schemas/accounts';
import { IdCursor } from '../../shared/schemas/common';
import type { Db } from '../db';
import { decodeCursor, encodeCursor } from '../http/cursor';
import type { Actor } from '../policy';
import { toAdminUser } from './present';
import { erasedAccount } from './users';

/** Accounts newest first (keyset on the primary key), optionally those whose name or address contains `q`. Erased accounts are left out. */
export async function listUsersForAdmin(db: Db, _admin: Actor, query: { q?: string; cursor?: string; limit?: number }): Promise<{ items: AdminUser[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const after = decodeCursor(IdCursor, query.cursor);
  const q = query.q?.trim();
  let select = db
    .selectFrom('user')
    .select(['id', 'email', 'display_name', 'role', 'email_verified_at', 'totp_enabled_at', 'suspended_until', 'suspension_reason', 'created_at'])
    .where((eb) => eb.not(erasedAccount('email')))
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) select = select.where('id', '<', after.id);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) => eb.or([eb(sql`display_name`, 'ilike', pattern), eb(sql`email`, 'ilike', pattern)]));
  }
  const rows = await select.execute();
  const page = rows.slice(0, limit);
  return { items: page.map(toAdminUser), nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].id }) : null };
}
