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
  /**
   * 'public', 'moderators' (moderators and admins), or `user:<id>`. Events are only pushed (and replayed)
   * to those in the audience. Default: the topic itself for `user:<id>` topics, else 'public'.
   */
  audience?: string;
}

/**
 * Writes an event in the caller's transaction. The counter row stays locked until that transaction
 * ends, so event ids become visible strictly in order (no reader can see 11 before 10 commits).
 * Call it as late in the transaction as possible: it serialises event writers.
 * NOTIFY is transactional: other instances are woken only after commit.
 */
export async function appendEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  // A personal topic is personal by default; an audience nobody matches (a typo) fails loudly.
  const audience = event.audience ?? (event.topic.startsWith('user:') ? event.topic : 'public');
  if (audience !== 'public' && audience !== 'moderators' && !/^user:[1-9][0-9]*$/.test(audience)) {
    throw new Error(`appendEvent: unknown audience ${JSON.stringify(audience)} (use 'public', 'moderators' or 'user:<id>')`);
  }
  const { last_id: id } = await trx
    .updateTable('event_counter')
    .set({ last_id: sql`last_id + 1` })
    .where('id', '=', 1)
    .returning('last_id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('event')
    .values({ id, topic: event.topic, type: event.type, payload: JSON.stringify(event.payload), audience })
    .execute();
  await sql`select pg_notify(${EVENTS_CHANNEL}, ${id})`.execute(trx);
  return id;
}
