import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { NullableTimestamp } from './accounts';

export type PostingPolicy = 'experts_ask' | 'open';
export type ChannelVisibility = 'public' | 'members';
export type ThreadKind = 'question' | 'discussion';

export interface ChannelTable {
  id: Generated<string>;
  slug: string;
  name: string;
  description: Generated<string>;
  posting_policy: PostingPolicy;
  /** public: everyone; members: only its members (and moderators) know it exists. */
  visibility: Generated<ChannelVisibility>;
  position: Generated<number>;
  thread_count: Generated<number>;
  last_activity_at: NullableTimestamp;
  created_at: Generated<Date>;
  /** Archived channels stay readable; no new threads. */
  archived_at: Generated<Date | null>;
}

export interface ThreadTable {
  id: Generated<string>;
  channel_id: string;
  author_id: string;
  title: string;
  kind: ThreadKind;
  /** The opening post (the Vraag with its Toelichting). Set in the creating transaction. */
  first_post_id: string | null;
  pinned: Generated<boolean>;
  locked: Generated<boolean>;
  /** Visible (not hidden, not deleted) replies, excluding the opening post. */
  reply_count: Generated<number>;
  last_activity_at: Generated<Date>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Copy of the tags for search, kept by a trigger on thread_tag. */
  tags_text: ColumnType<string, never, never>;
  search_vector: ColumnType<string, never, never>;
  /** The Vraag statement (questions only, plain text ≤ 300); null: none given (older questions, discussions). */
  question: Generated<string | null>;
  /** The best answer (a visible reply of this thread); cleared when that reply is hidden or deleted. */
  accepted_post_id: Generated<string | null>;
}

export interface PostTable {
  id: Generated<string>;
  thread_id: string;
  author_id: string;
  is_opening: Generated<boolean>;
  /** Sanitized HTML. */
  body_html: string;
  /** Plain-text copy for previews and search. */
  body_text: string;
  quote_post_id: string | null;
  created_at: Generated<Date>;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  hidden_at: NullableTimestamp;
  hidden_by: string | null;
  hidden_reason: string | null;
  /** How many attachments the post has (set when they are attached), so readers skip the lookup at 0. */
  attachment_count: Generated<number>;
  /** How many members marked it "nuttig" (kept with post_appreciation). */
  appreciation_count: Generated<number>;
  /** When a moderator last hid it (kept after it is shown again): older revisions stay with moderators. */
  last_hidden_at: Generated<Date | null>;
  /** Held for moderators by the client-data guardrail (migration 0015): hidden until approved or removed. */
  held_at: NullableTimestamp;
  held_findings: ColumnType<Array<{ kind: string; excerpt: string }> | null, string | null | undefined, string | null>;
  /** The real title of a held thread, while the thread shows a neutral one. */
  held_title: ColumnType<string | null, string | null | undefined, string | null>;
  search_vector: ColumnType<string, never, never>;
}

export interface PostRevisionTable {
  id: Generated<string>;
  post_id: string;
  editor_id: string;
  /** The title before this edit (opening posts only). */
  title: string | null;
  /** The body before this edit. */
  body_html: string;
  /** The Vraag statement before this edit (opening posts of questions). */
  question: Generated<string | null>;
  created_at: Generated<Date>;
}

export interface PostAppreciationTable {
  post_id: string;
  user_id: string;
  created_at: Generated<Date>;
}

/** The last post a signed-in reader read in a thread. */
export interface ThreadReadTable {
  user_id: string;
  thread_id: string;
  last_read_post_id: string;
  updated_at: Generated<Date>;
}

export interface ThreadTagTable {
  thread_id: string;
  tag: string;
}

export interface IdempotencyKeyTable {
  user_id: string;
  key: string;
  /** What was created: 'thread' or 'post', and its id. */
  result_type: string;
  result_id: string;
  created_at: Generated<Date>;
}

export interface EventTable {
  /** Assigned from event_counter under a row lock held to commit, so ids become visible in order. */
  id: string;
  topic: string;
  type: string;
  payload: JSONColumnType<Record<string, unknown>>;
  /** Who may receive it: 'public', 'moderators', or 'user:<id>'. */
  audience: Generated<string>;
  created_at: Generated<Date>;
}

export interface EventCounterTable {
  id: ColumnType<number, number, never>;
  last_id: string;
}

export interface ForumTables {
  channel: ChannelTable;
  thread: ThreadTable;
  post: PostTable;
  post_revision: PostRevisionTable;
  post_appreciation: PostAppreciationTable;
  thread_read: ThreadReadTable;
  thread_tag: ThreadTagTable;
  idempotency_key: IdempotencyKeyTable;
  event: EventTable;
  event_counter: EventCounterTable;
}
