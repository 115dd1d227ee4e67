import { type Static, Type } from '@sinclair/typebox';
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { IdCursor, SIGNED_BIGINT_PATTERN, UNSIGNED_BIGINT_PATTERN, isId } from '../../shared/schemas/common';
import type { Post, Thread, ThreadSummary } from '../../shared/schemas/forum';
import type { Revision } from '../../shared/schemas/moderation';
import { type Viewer, mayReadRevision, maySeeChannel, maySeeHiddenPost } from '../policy';
import { authorColumnsOf, toAuthor } from '../accounts/present';
import type { SessionUser } from '../accounts/session';
import { type AttachmentJson, attachmentsOf, loadAttachmentsForPosts, toAttachment } from '../attachments/attach';
import { excerpt } from '../content/sanitize';
import type { Database } from '../db/schema';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { executePreparedTakeFirst } from '../db/prepared';
import { notFound } from '../http/errors';
import { eventWatermark } from '../realtime/outbox';
import { loadVideoSessionForThread } from '../video-sessions/summary';

type Db = Kysely<Database>;

// AUTHOR_COLUMNS with the id aliased: these rows carry the thread's or post's own id too.
const authorColumns = (alias: 'u') =>
  [`${alias}.id as author_id`, `${alias}.display_name`, `${alias}.job_title`, `${alias}.organisation`, `${alias}.organisation_id`, `${alias}.role`, `${alias}.avatar_key`] as const;

interface AuthorRow {
  author_id: string;
  display_name: string;
  job_title: string;
  organisation: string;
  organisation_id: string | null;
  role: 'member' | 'expert' | 'moderator' | 'admin';
  avatar_key: string | null;
}

const authorOf = (r: AuthorRow) => toAuthor({ ...r, id: r.author_id });

export interface PostRow extends AuthorRow {
  id: string;
  thread_id: string;
  body_html: string;
  created_at: Date;
  edited_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string | null;
  quote_post_id: string | null;
  appreciation_count: number;
}


export function presentPost(row: PostRow, viewer: Viewer, attachments: Post['attachments'] = []): Post {
  const hidden = row.hidden_at !== null;
  const visible = !hidden || maySeeHiddenPost(viewer, row.author_id);
  return {
    id: row.id,
    threadId: row.thread_id,
    body: visible ? row.body_html : '',
    author: authorOf(row),
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    hidden,
    ...(hidden && visible ? { hiddenReason: row.hidden_reason ?? '' } : {}),
    attachments: visible ? attachments : [],
    quotePostId: row.quote_post_id,
    appreciationCount: row.appreciation_count,
  };
}

const postColumns = [
  'p.id',
  'p.thread_id',
  'p.body_html',
  'p.created_at',
  'p.edited_at',
  'p.hidden_at',
  'p.hidden_reason',
  'p.quote_post_id',
  'p.appreciation_count',
  ...authorColumns('u'),
] as const;

/** One post (not deleted) with its author, as a query to add columns to. */
const postRowQuery = (db: Db, postId: string) =>
  db.selectFrom('post as p').innerJoin('user as u', 'u.id', 'p.author_id').select(postColumns).where('p.id', '=', postId).where('p.deleted_at', 'is', null);

export async function loadPostRow(db: Db, postId: string): Promise<PostRow | undefined> {
  return postRowQuery(db, postId).executeTakeFirst();
}

/** The posts among `postIds` that are not deleted, in no particular order. */
export async function loadPostRows(db: Db, postIds: string[]): Promise<PostRow[]> {
  if (!postIds.length) return [];
  return db.selectFrom('post as p').innerJoin('user as u', 'u.id', 'p.author_id').select(postColumns).where('p.id', 'in', postIds).where('p.deleted_at', 'is', null).execute();
}

/** One post as `viewer` sees it, with its attachments. */
export async function loadPostForViewer(db: Db, postId: string, viewer: Viewer): Promise<Post | null> {
  return (await loadPostForViewers(db, postId, [viewer]))?.[0] ?? null;
}

/** One post as each of `viewers` sees it, from one read (an event for everyone and the writer's answer). */
export async function loadPostForViewers(db: Db, postId: string, viewers: Viewer[]): Promise<Post[] | null> {
  // The handouts in the same read (a reply is written in a transaction: one round trip fewer).
  const row = await postRowQuery(db, postId).select(attachmentsOf('p.id', 'p.attachment_count').as('attachments')).executeTakeFirst();
  if (!row) return null;
  const attachments = row.attachments.map(toAttachment);
  return viewers.map((viewer) => presentPost(row, viewer, attachments));
}


/** Replies oldest first (keyset on id), deleted ones left out; 404 when there is no such thread. */
export async function listReplies(db: Db, threadId: string, viewer: Viewer, limit: number, cursor?: string): Promise<{ items: Post[]; nextCursor: string | null }> {
  const thread = await db.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select(['t.channel_id', 'c.visibility as channel_visibility']).where('t.id', '=', threadId).executeTakeFirst();
  requireVisibleThread(viewer, thread);
  const after = decodeCursor(IdCursor, cursor);
  let q = db
    .selectFrom('post as p')
    .innerJoin('user as u', 'u.id', 'p.author_id')
    .select(postColumns)
    .where('p.thread_id', '=', threadId)
    .where('p.is_opening', '=', false)
    .where('p.deleted_at', 'is', null)
    .orderBy('p.id', 'asc')
    .limit(limit + 1);
  if (after) q = q.where('p.id', '>', after.id);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  // One query for all the page's attachments (cheaper than a subquery per reply).
  const attachments = await loadAttachmentsForPosts(db, page.map((r) => r.id));
  return {
    items: page.map((r) => presentPost(r, viewer, attachments.get(r.id) ?? [])),
    nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
  };
}

const tagsOf =
  sql<string[]>`coalesce((select array_agg(tt.tag order by tt.tag) from thread_tag tt where tt.thread_id = t.id), '{}')`;

export interface ThreadRow extends AuthorRow {
  id: string;
  channel_id: string;
  channel_slug: string;
  channel_name: string;
  channel_visibility: 'public' | 'members';
  title: string;
  kind: 'question' | 'discussion';
  first_post_id: string | null;
  pinned: boolean;
  locked: boolean;
  reply_count: number;
  last_activity_at: Date;
  created_at: Date;
  tags: string[];
  question: string | null;
  accepted_post_id: string | null;
}

const threadColumns = () =>
  [
    't.id',
    't.channel_id',
    'c.slug as channel_slug',
    'c.name as channel_name',
    'c.visibility as channel_visibility',
    't.title',
    't.kind',
    't.first_post_id',
    't.pinned',
    't.locked',
    't.reply_count',
    't.last_activity_at',
    't.created_at',
    't.question',
    't.accepted_post_id',
    tagsOf.as('tags'),
    ...authorColumns('u'),
  ] as const;

/** Threads with their channel and author (a ThreadRow each), to be narrowed by the caller. */
export const threadRows = (db: Db) =>
  db.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').innerJoin('user as u', 'u.id', 't.author_id').select(threadColumns());

export async function loadThreadRow(db: Db, threadId: string): Promise<ThreadRow | undefined> {
  return threadRows(db).where('t.id', '=', threadId).executeTakeFirst();
}

export function presentSummary(row: ThreadRow, excerptText: string): ThreadSummary {
  return {
    id: row.id,
    channelSlug: row.channel_slug,
    channelName: row.channel_name,
    title: row.title,
    kind: row.kind,
    excerpt: excerptText,
    author: authorOf(row),
    createdAt: row.created_at.toISOString(),
    replyCount: row.reply_count,
    lastActivityAt: row.last_activity_at.toISOString(),
    pinned: row.pinned,
    locked: row.locked,
    tags: row.tags,
    question: row.question,
    acceptedAnswer: row.accepted_post_id ? { postId: row.accepted_post_id } : null,
  };
}

interface AcceptedAnswerJson {
  post_id: string;
  author_id: string;
  display_name: string;
  text: string;
}

/** The best answer with who wrote it and how it starts (accepted_post_id only ever names a visible reply). */
const acceptedAnswerOf = sql<AcceptedAnswerJson | null>`(select json_build_object('post_id', ap.id::text, 'author_id', au.id::text, 'display_name', au.display_name, 'text', left(ap.body_text, 300)) from post ap join "user" au on au.id = ap.author_id where ap.id = t.accepted_post_id)`;

/** The thread with its opening post (body, attachments, hidden state) and whether a session is open. */
const threadWithOpeningPost = (db: Db) =>
  db
    .selectFrom('thread as t')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .innerJoin('user as u', 'u.id', 't.author_id')
    .innerJoin('post as op', 'op.id', 't.first_post_id')
    .select(threadColumns())
    .select([
      'op.body_html',
      'op.edited_at',
      'op.hidden_at',
      'op.hidden_reason',
      'op.appreciation_count',
      acceptedAnswerOf.as('accepted_answer'),
      attachmentsOf('op.id', 'op.attachment_count').as('attachments'),
      sql<boolean>`exists (select 1 from video_session v where v.thread_id = t.id and v.status != 'cancelled')`.as('has_video_session'),
    ]);

type ThreadWithOpeningPostRow = ThreadRow & {
  body_html: string;
  edited_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string | null;
  appreciation_count: number;
  accepted_answer: AcceptedAnswerJson | null;
  attachments: AttachmentJson[];
  has_video_session: boolean;
};

/** A thread in a channel closed to `viewer` does not exist for them. */
export function requireVisibleThread<T extends Pick<ThreadRow, 'channel_id' | 'channel_visibility'>>(viewer: Viewer, row: T | undefined): T {
  if (!row || !maySeeChannel(viewer, { id: row.channel_id, visibility: row.channel_visibility })) throw notFound('thread');
  return row;
}

/** The Thread as `viewer` sees it: the opening post's body and handouts only when they may see it. */
async function presentThread(db: Db, row: ThreadWithOpeningPostRow, viewer: Viewer): Promise<Thread> {
  const videoSession = row.has_video_session ? await loadVideoSessionForThread(db, row.id, viewer as SessionUser | null) : null;
  const visible = row.hidden_at === null || maySeeHiddenPost(viewer, row.author_id);
  return {
    id: row.id,
    channelSlug: row.channel_slug,
    channelName: row.channel_name,
    title: row.title,
    kind: row.kind,
    question: row.question,
    acceptedAnswer: row.accepted_answer
      ? { postId: row.accepted_answer.post_id, author: { id: row.accepted_answer.author_id, displayName: row.accepted_answer.display_name }, excerpt: excerpt(row.accepted_answer.text, 200) }
      : null,
    appreciationCount: row.appreciation_count,
    body: visible ? row.body_html : '',
    postId: row.first_post_id!,
    author: authorOf(row),
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    replyCount: row.reply_count,
    lastActivityAt: row.last_activity_at.toISOString(),
    pinned: row.pinned,
    locked: row.locked,
    tags: row.tags,
    attachments: visible ? row.attachments.map(toAttachment) : [],
    videoSession,
    hidden: row.hidden_at !== null,
    ...(row.hidden_at !== null && visible ? { hiddenReason: row.hidden_reason ?? '' } : {}),
  };
}

/** The thread with its opening post (body, attachments) and video session, as `viewer` sees it. */
export async function loadThread(db: Db, threadId: string, viewer: Viewer): Promise<Thread> {
  const row = await threadWithOpeningPost(db).where('t.id', '=', threadId).executeTakeFirst();
  if (!requireVisibleThread(viewer, row).first_post_id) throw notFound('thread');
  return presentThread(db, row!, viewer);
}

/** The opening post's text for a summary's excerpt; empty when it is hidden. Needs `op` joined. */
const openingText = sql<string>`coalesce(case when op.hidden_at is null then left(op.body_text, 400) end, '')`;

/**
 * A thread just written, read once in the writing transaction: its summary for the channel's event
 * and the Thread as `viewer` (the writer) sees it, for the answer.
 */
export async function loadThreadForWriter(db: Db, threadId: string, viewer: Viewer): Promise<{ summary: ThreadSummary; thread: Thread }> {
  const row = await threadWithOpeningPost(db).select(openingText.as('opening_text')).where('t.id', '=', threadId).executeTakeFirst();
  if (!row?.first_post_id) throw notFound('thread');
  return { summary: presentSummary(row, excerpt(row.opening_text)), thread: await presentThread(db, row, viewer) };
}

interface ReplyJson {
  id: string | number;
  thread_id: string | number;
  body_html: string;
  created_at: string;
  edited_at: string | null;
  hidden_at: string | null;
  hidden_reason: string | null;
  quote_post_id: string | number | null;
  appreciation_count: number;
  author_id: string | number;
  display_name: string;
  job_title: string;
  organisation: string;
  organisation_id: string | number | null;
  role: AuthorRow['role'];
  avatar_key: string | null;
  attachments: AttachmentJson[];
}

const replyFromJson = (r: ReplyJson): PostRow & { attachments: ReplyJson['attachments'] } => ({
  ...r,
  id: String(r.id),
  thread_id: String(r.thread_id),
  author_id: String(r.author_id),
  organisation_id: r.organisation_id === null ? null : String(r.organisation_id),
  quote_post_id: r.quote_post_id === null ? null : String(r.quote_post_id),
  created_at: new Date(r.created_at),
  edited_at: r.edited_at ? new Date(r.edited_at) : null,
  hidden_at: r.hidden_at ? new Date(r.hidden_at) : null,
});

/**
 * The thread page in one statement: thread, opening post, its attachments, the first `limit`
 * replies with authors and attachments, and the event watermark — all from one snapshot, so a
 * client subscribing from `lastEventId` misses nothing and sees nothing twice.
 */
export async function loadThreadPage(
  db: Db,
  threadId: string,
  viewer: Viewer,
  limit: number,
): Promise<{ thread: Thread; replies: { items: Post[]; nextCursor: string | null }; lastEventId: string }> {
  // The most requested page: a prepared statement, so PostgreSQL does not plan it on every view.
  const query = threadWithOpeningPost(db)
    .select((eb) => [
      eventWatermark.as('event_watermark'),
      jsonArrayFrom(
        eb
          .selectFrom('post as p')
          .innerJoin('user as ru', 'ru.id', 'p.author_id')
          .select([
            'p.id',
            'p.thread_id',
            'p.body_html',
            'p.created_at',
            'p.edited_at',
            'p.hidden_at',
            'p.hidden_reason',
            'p.quote_post_id',
            'p.appreciation_count',
            'ru.id as author_id',
            'ru.display_name',
            'ru.job_title',
            'ru.organisation',
            'ru.organisation_id',
            'ru.role',
            'ru.avatar_key',
            attachmentsOf('p.id', 'p.attachment_count').as('attachments'),
          ])
          .whereRef('p.thread_id', '=', 't.id')
          .where('p.is_opening', '=', false)
          .where('p.deleted_at', 'is', null)
          .orderBy('p.id', 'asc')
          .limit(limit + 1),
      ).as('replies'),
    ])
    .where('t.id', '=', threadId);
  const row = await executePreparedTakeFirst(db, query);
  if (!row?.first_post_id || !maySeeChannel(viewer, { id: row.channel_id, visibility: row.channel_visibility })) throw notFound('thread');
  const replies = (row.replies as unknown as ReplyJson[]).map(replyFromJson);
  const page = replies.slice(0, limit);
  return {
    thread: await presentThread(db, row, viewer),
    replies: {
      items: page.map((r) => presentPost(r, viewer, r.attachments.map(toAttachment))),
      nextCursor: replies.length > limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    },
    lastEventId: row.event_watermark,
  };
}

/** Threads with what a ThreadSummary needs besides: the opening post's text (empty when hidden). */
const summaryRows = (db: Db) => threadRows(db).leftJoin('post as op', 'op.id', 't.first_post_id').select(openingText.as('opening_text'));

/** The summaries of the threads among `threadIds` that still exist, by id. */
export async function loadThreadSummaries(db: Db, threadIds: string[]): Promise<Map<string, ThreadSummary>> {
  if (!threadIds.length) return new Map();
  const rows = await summaryRows(db).where('t.id', 'in', threadIds).execute();
  return new Map(rows.map((r) => [r.id, presentSummary(r, excerpt(r.opening_text))]));
}

export async function loadThreadSummary(db: Db, threadId: string): Promise<ThreadSummary> {
  const row = await summaryRows(db).where('t.id', '=', threadId).executeTakeFirst();
  if (!row) throw notFound('thread');
  return presentSummary(row, excerpt(row.opening_text));
}

// Keyset over (pinned desc, last_activity_at desc, id desc); the time travels as microseconds since
// the epoch so no precision is lost between PostgreSQL and JavaScript.
const ThreadCursor = Type.Object(
  { p: Type.Boolean(), us: Type.String({ pattern: SIGNED_BIGINT_PATTERN }), id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) },
  { additionalProperties: false },
);

/**
 * A channel's thread list in one statement: the channel (404 when there is none), the event
 * watermark and the page (a lateral join, so an empty channel still answers its row), all from one
 * snapshot — a client subscribing to channel:<slug> with `lastEventId` misses nothing.
 */
export async function listChannelThreads(
  db: Db,
  viewer: Viewer,
  slug: string,
  limit: number,
  cursor?: string,
): Promise<{ items: ThreadSummary[]; nextCursor: string | null; lastEventId: string }> {
  let after: Static<typeof ThreadCursor> | undefined;
  try {
    after = decodeCursor(ThreadCursor, cursor);
  } catch (err) {
    // An unknown channel is 404 whatever the cursor (checked only on this error path).
    const channel = await db.selectFrom('channel').select(['id', 'visibility']).where('slug', '=', slug).executeTakeFirst();
    if (!channel || !maySeeChannel(viewer, channel)) throw notFound('channel');
    throw err;
  }
  const rows = await db
    .selectFrom('channel as ch')
    .leftJoinLateral(
      () => {
        let page = summaryRows(db)
          .select(sql<string>`(extract(epoch from t.last_activity_at) * 1000000)::bigint::text`.as('lat_us'))
          .where('t.channel_id', '=', sql.ref<string>('ch.id'))
          .orderBy('t.pinned', 'desc')
          .orderBy('t.last_activity_at', 'desc')
          .orderBy('t.id', 'desc')
          .limit(limit + 1);
        if (after) {
          page = page.where(
            sql<boolean>`(t.pinned, t.last_activity_at, t.id) < (${after.p}, timestamptz 'epoch' + ${after.us}::bigint * interval '1 microsecond', ${after.id}::bigint)`,
          );
        }
        return page.as('l');
      },
      (join) => join.onTrue(),
    )
    .select(eventWatermark.as('event_watermark'))
    .select(['ch.id as ch_id', 'ch.visibility as ch_visibility'])
    .selectAll('l')
    .where('ch.slug', '=', slug)
    .orderBy('l.pinned', 'desc')
    .orderBy('l.last_activity_at', 'desc')
    .orderBy('l.id', 'desc')
    .execute();
  if (!rows.length || !maySeeChannel(viewer, { id: rows[0].ch_id, visibility: rows[0].ch_visibility })) throw notFound('channel');
  // An empty channel is one row without a thread.
  const threads = rows.filter((r): r is typeof r & ThreadRow & { lat_us: string; opening_text: string } => r.id !== null);
  const page = threads.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => presentSummary(r, excerpt(r.opening_text))),
    nextCursor: threads.length > limit ? encodeCursor({ p: last.pinned, us: last.lat_us, id: last.id }) : null,
    lastEventId: rows[0].event_watermark,
  };
}

/**
 * The edit history of a post, newest first, as `viewer` may read it (the policy): everyone reads
 * it, except revisions whose text was in place when a moderator last hid the post. 404 for a
 * deleted or unknown post.
 */
export async function listRevisions(db: Db, viewer: Viewer, postId: string): Promise<Revision[]> {
  const post = await db
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['p.id', 'p.author_id', 'p.created_at', 'p.hidden_at', 'p.last_hidden_at', 'c.id as channel_id', 'c.visibility'])
    .where('p.id', '=', postId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  // A post in a channel closed to the viewer does not exist for them, nor does its history.
  if (!post || !maySeeChannel(viewer, { id: post.channel_id, visibility: post.visibility })) throw notFound('post');
  const rows = await db
    .selectFrom('post_revision as r')
    .innerJoin('user as u', 'u.id', 'r.editor_id')
    .select(['r.id as rid', 'r.title', 'r.question', 'r.body_html', 'r.created_at', ...authorColumnsOf('u')])
    .where('r.post_id', '=', postId)
    .orderBy('r.id', 'asc')
    .execute();
  const facts = { authorId: post.author_id, hidden: post.hidden_at !== null, lastHiddenAt: post.last_hidden_at };
  // A revision holds the text that was in place from the edit before it (or the post's creation) until it.
  const readable = rows.filter((_r, i) => mayReadRevision(viewer, facts, i === 0 ? post.created_at : rows[i - 1].created_at));
  return readable
    .reverse()
    .map((r) => ({ id: r.rid, editor: toAuthor(r), title: r.title, question: r.question, body: r.body_html, createdAt: r.created_at.toISOString() }));
}

/** Every post a user wrote (deleted and hidden ones too), for their data export (AVG inzageverzoek). */
export async function postsWrittenBy(db: Db, userId: string) {
  return db
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.thread_id', 't.title', 'p.is_opening', 'p.body_text', 'p.created_at', 'p.edited_at', 'p.hidden_at', 'p.deleted_at'])
    .where('p.author_id', '=', userId)
    .orderBy('p.id')
    .execute();
}

/**
 * Where a post's permalink leads: its thread (id and title) and, for a reply, the post. Hidden posts
 * too (visitors find the placeholder in its place); null for a deleted or unknown one.
 */
export async function postPermalink(db: Db, viewer: Viewer, postId: string): Promise<{ threadId: string; title: string; postId: string; isOpening: boolean } | null> {
  if (!isId(postId)) return null;
  const row = await db
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['p.id', 'p.is_opening', 't.id as thread_id', 't.title', 'c.id as channel_id', 'c.visibility'])
    .where('p.id', '=', postId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  // The redirect's address carries the thread's title: none for a post in a channel closed to the viewer.
  if (!row || !maySeeChannel(viewer, { id: row.channel_id, visibility: row.visibility })) return null;
  return { threadId: row.thread_id, title: row.title, postId: row.id, isOpening: row.is_opening };
}
