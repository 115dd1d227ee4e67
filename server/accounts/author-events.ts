// Author lines (name, job, organisation and its mark, photo, role badge) are printed into cached
// public pages (server/page-cache). A change to one is announced on the event log, so every
// instance drops the pages that could show the old line.
import type { Transaction } from 'kysely';
import { topics } from '../../shared/topics';
import type { Database } from '../db/schema';
import { appendEvent } from '../realtime/outbox';

/** `userId`'s author line changed; without one, several did (an organisation renamed or removed): announced on `announcer`'s topic. */
export async function announceAuthorChange(trx: Transaction<Database>, announcer: string, userId?: string): Promise<void> {
  await appendEvent(trx, { topic: topics.user(announcer), type: 'author.updated', payload: userId ? { userId } : {} });
}
