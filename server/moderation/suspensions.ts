// Suspending and reinstating members: moderators suspend members, admins also moderators; admins
// cannot be suspended. Every change is in the audit log.
import type { Transaction } from 'kysely';
import { lockAccountForSuspension, setSuspension } from '../accounts/suspension';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { conflict, forbidden, invalidField } from '../http/errors';
import { type Actor, isAdmin } from '../policy';
import { recordAction } from './audit';

export interface SuspensionResult {
  id: string;
  suspendedUntil: string | null;
  suspensionReason: string | null;
}

/** Suspends `userId` in the caller's transaction (a report resolved by suspending uses it too). */
export async function suspendInTransaction(trx: Transaction<Database>, mod: Actor, userId: string, until: string, reason: string): Promise<SuspensionResult> {
  const target = await lockAccountForSuspension(trx, userId);
  if (target.id === mod.id) throw forbidden('forbidden', 'You cannot suspend yourself.');
  if ((target.role === 'moderator' || target.role === 'admin') && !isAdmin(mod)) throw forbidden('forbidden', 'Only an admin can suspend moderators and admins.');
  if (target.role === 'admin') throw forbidden('forbidden', 'Admins cannot be suspended.');
  const date = new Date(until);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) throw invalidField('until', 'must be in the future');
  await setSuspension(trx, target.id, { until: date, reason });
  await recordAction(trx, { actorId: mod.id, action: 'suspend', targetType: 'user', targetId: target.id, reason, data: { until: date.toISOString() } });
  return { id: target.id, suspendedUntil: date.toISOString(), suspensionReason: reason };
}

export const suspendMember = (db: Db, mod: Actor, userId: string, until: string, reason: string): Promise<SuspensionResult> =>
  db.transaction().execute((trx) => suspendInTransaction(trx, mod, userId, until, reason.trim()));

/** Lifts a suspension; 409 when the member is not suspended. */
export async function unsuspendMember(db: Db, mod: Actor, userId: string, reason?: string): Promise<SuspensionResult> {
  return db.transaction().execute(async (trx) => {
    const target = await lockAccountForSuspension(trx, userId);
    if (target.suspended_until === null || target.suspended_until.getTime() <= Date.now()) throw conflict('not_suspended', 'This member is not suspended.');
    await setSuspension(trx, target.id, null);
    await recordAction(trx, { actorId: mod.id, action: 'unsuspend', targetType: 'user', targetId: target.id, reason: reason?.trim() });
    return { id: target.id, suspendedUntil: null, suspensionReason: null };
  });
}
