// Following channels and threads: watching (a notice for every new post), normal, or muted.
import type { Static } from '@sinclair/typebox';
import { isId } from '../../shared/schemas/common';
import type { SubscriptionBody, SubscriptionLevel } from '../../shared/schemas/notifications';
import type { Db } from '../db';
import { notFound } from '../http/errors';
import { type Actor, maySeeChannel } from '../policy';

/** The id of a channel (by slug or id) or thread that exists; 404 otherwise. */
async function resolveTarget(db: Db, viewer: Actor, targetType: 'channel' | 'thread', targetId: string): Promise<string> {
  if (targetType === 'channel') {
    const c = await db.selectFrom('channel').select(['id', 'visibility']).where((eb) => (/^[0-9]+$/.test(targetId) ? eb('id', '=', targetId) : eb('slug', '=', targetId))).executeTakeFirst();
    if (!c || !maySeeChannel(viewer, c)) throw notFound('channel');
    return c.id;
  }
  if (!isId(targetId)) throw notFound('thread');
  const t = await db.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select(['t.id', 'c.id as channel_id', 'c.visibility']).where('t.id', '=', targetId).executeTakeFirst();
  if (!t || !maySeeChannel(viewer, { id: t.channel_id, visibility: t.visibility })) throw notFound('thread');
  return t.id;
}


/** Sets my level for a channel or thread. */
export async function follow(db: Db, user: Actor, b: Static<typeof SubscriptionBody>): Promise<Static<typeof SubscriptionBody>> {
  const targetId = await resolveTarget(db, user, b.targetType, b.targetId);
  await db
    .insertInto('subscription')
    .values({ user_id: user.id, target_type: b.targetType, target_id: targetId, level: b.level })
    .onConflict((oc) => oc.columns(['user_id', 'target_type', 'target_id']).doUpdateSet({ level: b.level, updated_at: new Date() }))
    .execute();
  return { targetType: b.targetType, targetId: b.targetId, level: b.level };
}

/** My level for one channel or thread ('normal' when I never chose). */
export async function followLevel(db: Db, user: Actor, targetType: 'channel' | 'thread', target: string): Promise<Static<typeof SubscriptionLevel>> {
  const targetId = await resolveTarget(db, user, targetType, target);
  const row = await db.selectFrom('subscription').select('level').where('user_id', '=', user.id).where('target_type', '=', targetType).where('target_id', '=', targetId).executeTakeFirst();
  return row?.level ?? 'normal';
}
