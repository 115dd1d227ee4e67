import { type Kysely, sql } from 'kysely';

// A channel's Atom feed lists its newest threads (/kanaal/:slug/feed.xml): newest first by id within
// the channel, which the channel list's index (pinned, last activity) cannot give without a sort.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index thread_channel_newest_idx on thread (channel_id, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index thread_channel_newest_idx`.execute(db);
}
