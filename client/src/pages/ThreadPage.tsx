import { OrganisationName } from '../features/organisations';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Post, Thread } from '../../../shared/schemas/forum';
import { LoadMore, appendPage } from '../components/LoadMore';
import { Avatar, ErrorState, Loading, errorMessage } from '../components/ui';
import { RichTextField } from '../components/RichTextField';
import { useI18n } from '../i18n';
import { ApiError, api, newIdempotencyKey } from '../lib/api';
import { formatDate, formatRelative } from '../lib/dates';
import { draftKey as userDraftKey, writeDraft } from '../lib/drafts';
import { useLiveTopic } from '../lib/realtime';
import { topics } from '../../../shared/topics';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { AttachmentList, AttachmentPicker } from '../features/attachments';
import { OpeningPostModeration, PostActions, ThreadModTools } from '../features/moderation';
import { FollowButton } from '../features/notifications';
import { VideoSessionCard } from '../features/VideoSessionCard';

interface Data {
  thread: Thread;
  replies: Post[];
  nextCursor: string | null;
  lastEventId: string;
}

function AuthorCard({ author, large = false }: { author: Post['author']; large?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`author-card${large ? ' large' : ''}`}>
      <Avatar author={author} size={large ? 56 : 40} />
      <div>
        <Link to={`/u/${author.id}`} className="author-name">
          {author.displayName}
        </Link>
        {author.role !== 'member' && <span className={`badge role-${author.role}`}>{t(`profile.role.${author.role}`)}</span>}
        {(author.jobTitle || author.organisation) && (
          <p className="author-job">
            {author.jobTitle}
            {author.jobTitle && author.organisation && ' · '}
            <OrganisationName author={author} />
          </p>
        )}
      </div>
    </div>
  );
}

/** Oldest first: ids are decimal strings of increasing numbers. */
const oldestFirst = (a: Post, b: Post) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A post as a live event or a moderator's action gives it: whole, or only what changed. */
type PostChange = Partial<Post> & { id: string; deleted?: boolean };

/**
 * Puts a changed post into the page: the opening post into the thread, a reply in its place in the
 * list (also one loaded with "Meer laden"); a deleted reply leaves the list. The live payload of a
 * hidden post is what members see (no body): its own author (`viewerId`) keeps the body they had.
 */
function applyPost(d: Data, changed: PostChange, viewerId?: string): Data {
  if (changed.deleted) return { ...d, replies: d.replies.filter((p) => p.id !== changed.id) };
  if (d.thread.postId === changed.id) {
    const moderation = changed.hidden !== undefined ? { hidden: changed.hidden, hiddenReason: changed.hiddenReason, attachments: changed.attachments ?? d.thread.attachments } : {};
    return { ...d, thread: { ...d.thread, body: changed.body ?? d.thread.body, ...moderation } };
  }
  return {
    ...d,
    replies: d.replies.map((p) => {
      if (p.id !== changed.id) return p;
      const merged = { ...p, ...changed };
      return changed.hidden && viewerId !== undefined && p.author.id === viewerId ? { ...merged, body: p.body } : merged;
    }),
  };
}

function PostView({ post, quoted, onQuote, onChanged }: { post: Post; quoted?: Post; onQuote?: () => void; onChanged(post: Post): void }) {
  const { t, locale } = useI18n();
  return (
    <article className={`post${post.hidden ? ' post-hidden' : ''}`} id={`post-${post.id}`} tabIndex={-1} aria-labelledby={`post-${post.id}-author`}>
      <header className="post-head" id={`post-${post.id}-author`}>
        <AuthorCard author={post.author} />
        <p className="meta">
          <time dateTime={post.createdAt} title={formatDate(post.createdAt, locale)}>
            {formatRelative(post.createdAt, locale)}
          </time>
          {post.editedAt && <span> · {t('thread.edited')}</span>}
        </p>
      </header>
      {post.hidden && (
        <p className="notice hidden-notice">
          {t('thread.hidden')}
          {post.hiddenReason ? ` — ${t('thread.hiddenReason', { reason: post.hiddenReason })}` : ''}
        </p>
      )}
      {quoted && (
        <blockquote className="quoted">
          <p className="meta">{t('thread.inReplyTo', { name: quoted.author.displayName })}</p>
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts); snippets are escaped except <mark> */}
          <div dangerouslySetInnerHTML={{ __html: quoted.body }} />
        </blockquote>
      )}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts) */}
      {post.body && <div className="post-body" dangerouslySetInnerHTML={{ __html: post.body }} />}
      <AttachmentList attachments={post.attachments} />
      <div className="post-actions">
        {onQuote && !post.hidden && (
          <button type="button" className="link-button" onClick={onQuote}>
            {t('thread.quote')}
          </button>
        )}{' '}
        <PostActions post={post} onChanged={onChanged} />
      </div>
    </article>
  );
}

export function ThreadPage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const { user } = useSession();
  const [state, reload, update] = useAsync<Data>(
    async (signal) => {
      const res = await api<{ thread: Thread; replies: { items: Post[]; nextCursor: string | null }; lastEventId: string }>(`/api/threads/${encodeURIComponent(id)}`, { signal });
      return { thread: res.thread, replies: res.replies.items, nextCursor: res.replies.nextCursor, lastEventId: res.lastEventId };
    },
    [id],
  );
  const [unseen, setUnseen] = useState<string[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [copied, setCopied] = useState(false);
  const endRef = useRef<HTMLDivElement>(null);
  const endVisible = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    const el = endRef.current;
    if (!el) return;
    const observer = new IntersectionObserver(([entry]) => {
      endVisible.current = entry.isIntersecting;
      if (entry.isIntersecting) setUnseen([]);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [state.status]);

  // Subscribe once the thread is loaded, from its watermark: nothing between load and live is lost.
  const since = state.status === 'ready' ? state.data.lastEventId : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => setUnseen([]), [id]);
  useLiveTopic(topics.thread(id), since, {
    onEvent: (e) => {
      if (e.event === 'reply.created') {
        // A replayed reply that was deleted since arrives as a tombstone: nothing to add.
        if ('deleted' in e.data.post) return;
        const post = e.data.post;
        update((d) => (d.replies.some((p) => p.id === post.id) ? d : { ...d, replies: [...d.replies, post], thread: { ...d.thread, replyCount: d.thread.replyCount + 1 } }));
        setAnnouncement(t('thread.announceReply', { name: post.author.displayName }));
        if (!endVisible.current) setUnseen((u) => (u.includes(post.id) ? u : [...u, post.id]));
      } else if (e.event === 'post.updated' || e.event === 'post.hidden') {
        const changed: PostChange = 'post' in e.data ? e.data.post : { id: e.data.postId, hidden: true, body: '' };
        update((d) => applyPost(d, changed, user?.id));
      } else if (e.event === 'thread.updated' && e.data.thread) {
        if (e.data.thread.deleted) reload();
        else update((d) => ({ ...d, thread: { ...d.thread, ...e.data.thread } }));
      } else if (e.event === 'video_session.updated') {
        update((d) => ({ ...d, thread: { ...d.thread, videoSession: { ...(d.thread.videoSession ?? {}), ...e.data.videoSession } } }));
      }
    },
    onGap: () => {
      reload();
      setAnnouncement(t('thread.reloaded'));
    },
  });

  // "Meer laden": the next page of replies.
  const loadMore = async (cursor: string) => {
    const more = await api<{ items: Post[]; nextCursor: string | null }>(`/api/threads/${id}/replies?cursor=${encodeURIComponent(cursor)}`);
    // Replies that arrived live while older pages were still unloaded sit at the end: merge in id order.
    update((d) => ({ ...d, replies: appendPage(d.replies, more.items, (p) => p.id).sort(oldestFirst), nextCursor: more.nextCursor }));
  };

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} />;
  const { thread, replies, nextCursor } = state.data;
  const byId = new Map(replies.map((p) => [p.id, p]));

  // A moderator's action answers with the post or thread as it is now: applied in place, so replies
  // loaded with "Meer laden" stay (a reload would fetch only the first page again).
  const applyChangedPost = (post: Post) => update((d) => applyPost(d, post));
  const applyChangedThread = (changed: Thread) => update((d) => ({ ...d, thread: { ...d.thread, ...changed } }));


  return (
    <>
      <nav aria-label={t('app.breadcrumbs')} className="breadcrumbs">
        <Link to="/">{t('app.home')}</Link> <span aria-hidden="true">›</span> <Link to={`/c/${thread.channelSlug}`}>{thread.channelName}</Link>
      </nav>
      <article className="thread" aria-labelledby="thread-title">
        <header className="thread-head">
          <p className="meta">
            <span className="badge kind">{thread.kind === 'question' ? t('channel.question') : t('channel.discussion')}</span>
            {thread.pinned && <span className="badge">{t('channel.pinned')}</span>}
            {thread.locked && <span className="badge muted">{t('channel.locked')}</span>}
          </p>
          <h1 id="thread-title" tabIndex={-1}>
            {thread.title}
          </h1>
          <AuthorCard author={thread.author} large />
          <p className="meta">
            <time dateTime={thread.createdAt}>{formatDate(thread.createdAt, locale)}</time>
            {thread.editedAt && <span> · {t('thread.edited')}</span>}
          </p>
        </header>
        <section aria-labelledby="toelichting" className="toelichting">
          <h2 id="toelichting" className="visually-hidden">
            {t('thread.toelichting')}
          </h2>
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts); snippets are escaped except <mark> */}
          <div className="post-body" dangerouslySetInnerHTML={{ __html: thread.body }} />
          <AttachmentList attachments={thread.attachments} />
          <OpeningPostModeration thread={thread} onChanged={applyChangedPost} />
        </section>
        {thread.tags.length > 0 && (
          <ul className="tags" aria-label={t('newThread.tagsLabel')}>
            {thread.tags.map((tag) => (
              <li key={tag}>{tag}</li>
            ))}
          </ul>
        )}
        <p>
          <button
            type="button"
            className="button secondary small"
            onClick={async () => {
              await navigator.clipboard?.writeText(location.href).catch(() => {});
              setCopied(true);
              setTimeout(() => setCopied(false), 3000);
            }}
          >
            {copied ? t('thread.copied') : t('thread.copyLink')}
          </button>{' '}
          <FollowButton targetType="thread" targetId={thread.id} />
        </p>
        <ThreadModTools thread={thread} onChanged={applyChangedThread} />
      </article>
      <VideoSessionCard threadId={thread.id} threadAuthorId={thread.author.id} initial={thread.videoSession} />

      <section aria-labelledby="replies-title" className="replies">
        <h2 id="replies-title">
          {t('thread.replies')} ({thread.replyCount})
        </h2>
        {replies.length === 0 && <p className="state state-empty">{t('thread.noReplies')}</p>}
        <ol className="post-list">
          {replies.map((p) => (
            <li key={p.id}>
              <PostView post={p} quoted={p.quotePostId ? byId.get(p.quotePostId) : undefined} onQuote={user && !thread.locked ? () => quoteRef.current?.(p.id) : undefined} onChanged={applyChangedPost} />
            </li>
          ))}
        </ol>
        {nextCursor && <LoadMore cursor={nextCursor} load={loadMore} />}
        <div ref={endRef} className="end-of-replies" />
      </section>

      <div className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
      {unseen.length > 0 && (
        <button
          type="button"
          className="button new-replies"
          onClick={() => {
            document.getElementById(`post-${unseen[0]}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            document.getElementById(`post-${unseen[0]}`)?.focus();
            setUnseen([]);
          }}
        >
          {t('thread.newReplies', { count: unseen.length })}
        </button>
      )}

      {thread.locked ? (
        <p className="notice">{t('thread.locked')}</p>
      ) : user ? (
        <ReplyForm key={user.id} userId={user.id} threadId={thread.id} quoteRef={quoteRef} replies={replies} onPosted={(post) => update((d) => (d.replies.some((p) => p.id === post.id) ? d : { ...d, replies: [...d.replies, post], thread: { ...d.thread, replyCount: d.thread.replyCount + 1 } }))} />
      ) : (
        <section className="login-to-reply card" aria-labelledby="login-to-reply">
          <h2 id="login-to-reply">{t('thread.loginToReply')}</h2>
          <p>{t('thread.loginToReplyText')}</p>
          <Link className="button" to={`/inloggen?terug=${encodeURIComponent(location.pathname)}`}>
            {t('thread.loginToReply')}
          </Link>
        </section>
      )}
    </>
  );
}

const quoteRef: { current: ((postId: string) => void) | null } = { current: null };

function ReplyForm({ threadId, userId, replies, onPosted, quoteRef: ref }: { threadId: string; userId: string; replies: Post[]; onPosted(post: Post): void; quoteRef: typeof quoteRef }) {
  const { t } = useI18n();
  const draftKey = userDraftKey(userId, `reply.${threadId}`);
  const [body, setBody] = useState('');
  const [quotePostId, setQuotePostId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const [attachmentIds, setAttachmentIds] = useState<string[]>([]);
  // One key per reply being written: a retry after a timeout cannot post it twice.
  const attemptKey = useRef(newIdempotencyKey());
  ref.current = (postId) => {
    setQuotePostId(postId);
    document.getElementById('reply-editor')?.focus();
  };
  const quoted = quotePostId ? replies.find((p) => p.id === quotePostId) : undefined;

  return (
    <form
      className="reply-form card"
      aria-labelledby="reply-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!body) {
          setError(t('errors.field.required'));
          return;
        }
        setSending(true);
        setError(null);
        try {
          const res = await api<{ post: Post }>(`/api/threads/${threadId}/replies`, {
            method: 'POST',
            body: { body, ...(quotePostId ? { quotePostId } : {}), ...(attachmentIds.length ? { attachmentIds } : {}) },
            headers: { 'Idempotency-Key': attemptKey.current },
          });
          onPosted(res.post);
          writeDraft(draftKey, '');
          setBody('');
          setQuotePostId(null);
          setResetKey((k) => k + 1);
          attemptKey.current = newIdempotencyKey();
        } catch (err) {
          setError(err instanceof ApiError && err.status !== 0 && err.code !== 'rate_limited' && !err.fields.body ? errorMessage(err, t) : `${t('thread.postFailed')} ${errorMessage(err, t)}`);
        } finally {
          setSending(false);
        }
      }}
    >
      <h2 id="reply-title">{t('thread.yourReply')}</h2>
      {quoted && (
        <p className="notice">
          {t('thread.quoting')} <button type="button" className="link-button" onClick={() => setQuotePostId(null)}>{t('thread.cancelQuote')}</button>
        </p>
      )}
      <RichTextField id="reply-editor" label={t('thread.yourReply')} draftKey={draftKey} value={body} onChange={setBody} resetKey={resetKey} error={error ?? undefined} hideLabel />
      <AttachmentPicker key={resetKey} onChange={setAttachmentIds} />
      <button type="submit" className="button" disabled={sending}>
        {sending ? t('thread.sending') : t('thread.send')}
      </button>
    </form>
  );
}
