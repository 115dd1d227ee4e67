// Moderators are told: a notification per new report group and per held post, and a live count of
// what waits for them on the mod topic (the "Moderatie" link and the page title show it).
import type { Transaction } from 'kysely';
import { topics } from '../../shared/events';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { notifyMany } from '../notifications/notify';
import { isModeratorSql } from '../policy';
import { appendEvent } from '../realtime/outbox';
import { heldPostCount } from '../threads/guardrail';

type Trx = Transaction<Database>;

/** Open report groups (one per post) plus posts held by the guardrail. */
export async function openModerationCount(db: Db | Trx): Promise<number> {
  const reports = await db.selectFrom('report').select((eb) => eb.fn.count<string>('post_id').distinct().as('n')).where('status', '=', 'open').executeTakeFirstOrThrow();
  return Number(reports.n) + (await heldPostCount(db));
}

/** Pushes the current count to moderators (in the caller's transaction, after its change). */
export async function pushModerationCount(trx: Trx): Promise<void> {
  await appendEvent(trx, { topic: topics.mod, type: 'moderation.count', payload: { openCount: await openModerationCount(trx) }, audience: 'moderators' });
}

export interface ModeratorNotice {
  kind: 'report' | 'post_held';
  threadId: string;
  postId: string;
  actorId: string;
  data: Record<string, unknown>;
}

/** Notifies every moderator and admin who is not suspended (never the actor), then pushes the count. */
export async function tellModerators(trx: Trx, n: ModeratorNotice): Promise<void> {
  const mods = await trx.selectFrom('user as u').select('u.id').where(isModeratorSql('u')).execute();
  await notifyMany(trx, mods.map((m) => ({ userId: m.id, kind: n.kind, threadId: n.threadId, postId: n.postId, actorId: n.actorId, data: n.data })));
  await pushModerationCount(trx);
}
