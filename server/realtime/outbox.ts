import { type Transaction, sql } from 'kysely';
import type { Database } from '../db/schema';

export const EVENTS_CHANNEL = 'plein_events';

export type EventType =
  | 'thread.created'
  | 'thread.updated'
  | 'reply.created'
  | 'post.updated'
  | 'post.hidden'
  | 'video_session.updated'
  | 'notification.created';

export interface NewEvent {
  /** e.g. `channel:landelijk`, `thread:123`, `user:42` */
  topic: string;
  type: EventType;
  payload: Record<string, unknown>;
  /** 'public' (default), 'moderators', or `user:<id>`. Events are only pushed to those in the audience. */
  audience?: string;
}

/**
 * Writes an event in the caller's transaction. The counter row stays locked until that transaction
 * ends, so event ids become visible strictly in order (no reader can see 11 before 10 commits).
 * Call it as late in the transaction as possible: it serialises event writers.
 * NOTIFY is transactional: other instances are woken only after commit.
 */
export async function appendEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  const { last_id: id } = await trx
    .updateTable('event_counter')
    .set({ last_id: sql`last_id + 1` })
    .where('id', '=', 1)
    .returning('last_id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('event')
    .values({ id, topic: event.topic, type: event.type, payload: JSON.stringify(event.payload), audience: event.audience ?? 'public' })
    .execute();
  await sql`select pg_notify(${EVENTS_CHANNEL}, ${id})`.execute(trx);
  return id;
}
