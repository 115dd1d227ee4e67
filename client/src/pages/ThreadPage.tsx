import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import type { Post, Reading, Thread } from '../../../shared/schemas/forum';
import { topics } from '../../../shared/topics';
import { LoadMore, appendPage } from '../components/LoadMore';
import { ErrorState, Loading, NotFound } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDate } from '../lib/dates';
import { useLiveTopic } from '../lib/realtime';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { ThreadModTools } from '../features/moderation';
import { FollowButton } from '../features/notifications';
import { AuthorCard } from '../features/thread/AuthorCard';
import { OpeningPost } from '../features/thread/OpeningPost';
import { EditedNote, PostView } from '../features/thread/PostView';
import { CopyLinkButton } from '../features/thread/PostTools';
import { ReplyForm, quoteRef } from '../features/thread/ReplyForm';
import { VisitorFollow, VisitorReply } from '../features/thread/VisitorReply';
import { type PostChange, type ThreadData, addReply, applyAppreciationCount, applyPost, oldestFirst } from '../features/thread/model';
import { usePermalink } from '../features/thread/usePermalink';
import { useReading } from '../features/thread/useReading';
import { threadPath } from './paths';
import { TagLinks } from '../features/tags';

// The video-session card (scheduling, registration, attendee lists, summary) loads with the page
// data, not in the first download: most threads have no session.
const VideoSessionCard = lazy(() => import('../features/VideoSessionCard').then((m) => ({ default: m.VideoSessionCard })));

export function ThreadPage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const { user, loading: sessionLoading } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [state, reload, update] = useAsync<ThreadData>(
    async (signal) => {
      const res = await api<{ thread: Thread; replies: { items: Post[]; nextCursor: string | null }; lastEventId: string; reading?: Reading }>(`/api/threads/${encodeURIComponent(id)}`, { signal });
      return { thread: res.thread, replies: res.replies.items, nextCursor: res.replies.nextCursor, lastEventId: res.lastEventId, reading: res.reading };
    },
    [id, user?.id],
    // The answer differs for a signed-in reader: load once, as who reads, not first as a visitor.
    !sessionLoading,
  );
  const [unseen, setUnseen] = useState<string[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [followKey, setFollowKey] = useState(0);
  const endRef = useRef<HTMLDivElement>(null);
  const endVisible = useRef(true);
  const data = state.status === 'ready' ? state.data : null;

  // "Meer laden" (and a permalink to a later page): the next page of replies.
  const loadMore = useCallback(
    async (cursor: string) => {
      const more = await api<{ items: Post[]; nextCursor: string | null }>(`/api/threads/${id}/replies?cursor=${encodeURIComponent(cursor)}`);
      // Replies that arrived live while older pages were still unloaded sit at the end: merge in id order.
      update((d) => ({ ...d, replies: appendPage(d.replies, more.items, (p) => p.id).sort(oldestFirst), nextCursor: more.nextCursor }));
    },
    [id, update],
  );
  const { highlighted, missing } = usePermalink(data, loadMore);
  const { firstUnreadId } = useReading(data, !!user);

  // @mention links in post bodies (/u/<id>, plain HTML from the server) open the profile inside the app.
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = (e.target as Element | null)?.closest?.('.post-body a[href^="/u/"]');
      if (!link) return;
      e.preventDefault();
      navigate(link.getAttribute('href')!);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, [navigate]);

  // A visitor who clicked "Abonneren" comes back signed in with ?volgen=1: subscribe, then tidy the address.
  const follow = params.get('volgen') === '1';
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once the reader is signed in on a ?volgen=1 address
  useEffect(() => {
    if (!follow || !user) return;
    void api('/api/subscriptions', { method: 'PUT', body: { targetType: 'thread', targetId: id, level: 'watching' } })
      .then(() => setFollowKey((k) => k + 1))
      .catch(() => {})
      .finally(() => navigate(`${location.pathname}${location.hash}`, { replace: true }));
  }, [follow, user?.id, id]);

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
  const since = data ? data.lastEventId : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => setUnseen([]), [id]);
  useLiveTopic(topics.thread(id), since, {
    onEvent: (e) => {
      if (e.event === 'reply.created') {
        // A replayed reply that was deleted since arrives as a tombstone: nothing to add.
        if ('deleted' in e.data.post) return;
        const post = e.data.post;
        update((d) => addReply(d, post));
        setAnnouncement(t('thread.announceReply', { name: post.author.displayName }));
        if (!endVisible.current) setUnseen((u) => (u.includes(post.id) ? u : [...u, post.id]));
      } else if (e.event === 'post.updated' || e.event === 'post.hidden') {
        const changed: PostChange = 'post' in e.data ? e.data.post : { id: e.data.postId, hidden: true, body: '' };
        update((d) => applyPost(d, changed, user?.id));
      } else if (e.event === 'post.appreciated') {
        update((d) => applyAppreciationCount(d, e.data.postId, e.data.appreciationCount));
      } else if (e.event === 'thread.updated' && e.data.thread) {
        if (e.data.thread.deleted) reload();
        else {
          const { acceptedAnswer, ...rest } = e.data.thread;
          update((d) => ({
            ...d,
            thread: {
              ...d.thread,
              ...rest,
              // A live change names the reply only; keep what the page knows about the same one.
              ...(acceptedAnswer !== undefined ? { acceptedAnswer: acceptedAnswer && d.thread.acceptedAnswer?.postId === acceptedAnswer.postId ? d.thread.acceptedAnswer : acceptedAnswer } : {}),
            },
          }));
        }
      } else if (e.event === 'video_session.updated') {
        update((d) => ({ ...d, thread: { ...d.thread, videoSession: { ...(d.thread.videoSession ?? {}), ...e.data.videoSession } } }));
      }
    },
    onGap: () => {
      reload();
      setAnnouncement(t('thread.reloaded'));
    },
  });

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} />;
  if (missing) return <NotFound />;
  const { thread, replies, nextCursor } = state.data;
  const path = threadPath(thread);
  const byId = new Map(replies.map((p) => [p.id, p]));

  // The reader's own actions answer with the post or thread as it is now: applied in place, so replies
  // loaded with "Meer laden" stay (a reload would fetch only the first page again).
  const applyChangedPost = (post: PostChange) => update((d) => applyPost(d, post));
  const applyChangedThread = (changed: Thread) => update((d) => ({ ...d, thread: { ...d.thread, ...changed } }));
  const bestAnswerAuthor = thread.acceptedAnswer ? byId.get(thread.acceptedAnswer.postId)?.author.displayName : undefined;

  return (
    <>
      <nav aria-label={t('app.breadcrumbs')} className="breadcrumbs">
        <Link to="/">{t('app.home')}</Link> <span aria-hidden="true">›</span> <Link to={`/c/${thread.channelSlug}`}>{thread.channelName}</Link>
      </nav>
      <article className="thread" aria-labelledby="thread-title">
        <header className="thread-head">
          <p className="meta">
            <span className="badge kind">{thread.kind === 'question' ? t('channel.question') : t('channel.discussion')}</span>
            {thread.acceptedAnswer && <span className="badge answered">{t('threadPage.answered')}</span>}
            {thread.pinned && <span className="badge">{t('channel.pinned')}</span>}
            {thread.locked && <span className="badge muted">{t('channel.locked')}</span>}
          </p>
          <h1 id="thread-title" tabIndex={-1}>
            {thread.title}
          </h1>
          <AuthorCard author={thread.author} large />
          <p className="meta">
            <time dateTime={thread.createdAt}>{formatDate(thread.createdAt, locale)}</time>
            <EditedNote editedAt={thread.editedAt} />
          </p>
        </header>
        <OpeningPost thread={thread} bestAnswerAuthor={bestAnswerAuthor} onChangedPost={applyChangedPost} onChangedThread={applyChangedThread} />
        <TagLinks tags={thread.tags} />
        <p className="thread-tools">
          <CopyLinkButton url={`${location.origin}${path}`} />{' '}
          {user ? <FollowButton targetType="thread" targetId={thread.id} refreshKey={followKey} /> : <VisitorFollow />}
        </p>
        <ThreadModTools thread={thread} onChanged={applyChangedThread} />
      </article>
      <Suspense fallback={null}>
        <VideoSessionCard threadId={thread.id} threadAuthorId={thread.author.id} initial={thread.videoSession} />
      </Suspense>

      <section aria-labelledby="replies-title" className="replies">
        <h2 id="replies-title">
          {t('thread.replies')} ({thread.replyCount})
        </h2>
        {firstUnreadId && (
          <p>
            <a
              className="button secondary small"
              href={`#post-${firstUnreadId}`}
              onClick={(e) => {
                e.preventDefault();
                const el = document.getElementById(`post-${firstUnreadId}`);
                el?.scrollIntoView({ block: 'start' });
                el?.focus({ preventScroll: true });
              }}
            >
              {t('threadPage.goToFirstUnread')}
            </a>
          </p>
        )}
        {replies.length === 0 && <p className="state state-empty">{t('thread.noReplies')}</p>}
        <ol className="post-list">
          {replies.map((p) => (
            <li key={p.id}>
              <PostView
                post={p}
                thread={thread}
                threadPath={path}
                quoted={p.quotePostId ? (byId.get(p.quotePostId) ?? (p.quotePostId === thread.postId ? { opening: true, author: thread.author, body: thread.body } : undefined)) : undefined}
                firstUnread={p.id === firstUnreadId}
                highlighted={p.id === highlighted}
                onQuote={user && !thread.locked ? () => quoteRef.current?.(p.id) : undefined}
                onChanged={applyChangedPost}
                onDeleted={(postId) => {
                  update((d) => {
                    const next = applyPost(d, { id: postId, deleted: true });
                    return { ...next, thread: { ...next.thread, replyCount: Math.max(0, next.thread.replyCount - 1) } };
                  });
                  setAnnouncement(t('threadPage.deletedAnnounce'));
                }}
                onAccepted={applyChangedThread}
              />
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
        <ReplyForm
          key={user.id}
          userId={user.id}
          threadId={thread.id}
          replies={replies}
          onPosted={(post) => {
            update((d) => addReply(d, post));
            // Replying makes you follow the thread (unless you muted it): show it now, not after a reload.
            setFollowKey((k) => k + 1);
            setAnnouncement(t('threadPage.autoFollowed'));
          }}
        />
      ) : (
        <VisitorReply />
      )}
    </>
  );
}
