import { Suspense, lazy, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Channel, ThreadSummary } from '../../../shared/schemas/forum';
import { LoadMore, appendPage } from '../components/LoadMore';
import { Avatar, Empty, ErrorState, Loading, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { ApiError, api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { useLiveTopic } from '../lib/realtime';
import { topics } from '../../../shared/topics';
import { hasRole, useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { threadPath } from './paths';
import { FollowButton } from '../features/notifications';
import { TagLinks } from '../features/tags';

// Closed channels are few: their panel and the request form load when one is shown.
const ChannelRequestPage = lazy(() => import('../features/closed-channels').then((m) => ({ default: m.ChannelRequestPage })));
const ClosedChannelPanel = lazy(() => import('../features/closed-channels').then((m) => ({ default: m.ClosedChannelPanel })));

interface Page {
  channel: Channel;
  threads: ThreadSummary[];
  nextCursor: string | null;
  lastEventId: string;
}

export function ChannelPage() {
  const { slug = '' } = useParams();
  const { t, locale } = useI18n();
  const { user } = useSession();
  const [incoming, setIncoming] = useState<ThreadSummary[]>([]);
  const [state, reload, update] = useAsync<Page>(
    async (signal) => {
      const [c, list] = await Promise.all([
        api<{ channel: Channel }>(`/api/channels/${encodeURIComponent(slug)}`, { signal }),
        api<{ items: ThreadSummary[]; nextCursor: string | null; lastEventId: string }>(`/api/channels/${encodeURIComponent(slug)}/threads?limit=30`, { signal }),
      ]);
      return { channel: c.channel, threads: list.items, nextCursor: list.nextCursor, lastEventId: list.lastEventId };
    },
    [slug],
  );

  const since = state.status === 'ready' ? state.data.lastEventId : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => setIncoming([]), [slug]);
  useLiveTopic(topics.channel(slug), since, {
    onEvent: (e) => {
      if (e.event === 'thread.created') {
        const created = e.data.thread;
        // A replayed thread that was deleted since arrives as a tombstone: nothing to add.
        if (!('deleted' in created)) setIncoming((list) => (list.some((x) => x.id === created.id) ? list : [created, ...list]));
      }
      if (e.event === 'thread.updated' && e.data.thread) {
        const changed = e.data.thread;
        // Deleted, or moved to another channel: it leaves this list.
        const gone = changed.deleted || (changed.moved && changed.channelSlug !== slug);
        update((page) => ({ ...page, threads: gone ? page.threads.filter((th) => th.id !== changed.id) : page.threads.map((th) => (th.id === changed.id ? { ...th, ...changed } : th)) }));
        if (gone) setIncoming((list) => list.filter((x) => x.id !== changed.id));
      }
    },
    onGap: reload,
  });

  // "Meer laden": the next page of threads.
  const loadMore = async (cursor: string) => {
    const more = await api<{ items: ThreadSummary[]; nextCursor: string | null }>(`/api/channels/${encodeURIComponent(slug)}/threads?limit=30&cursor=${encodeURIComponent(cursor)}`);
    update((page) => ({ ...page, threads: appendPage(page.threads, more.items, (th) => th.id), nextCursor: more.nextCursor }));
  };

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') {
    // A closed channel answers 404 to non-members: a signed-in person may ask to join it.
    if (user && state.error instanceof ApiError && state.error.status === 404) return (
        <Suspense fallback={<Loading />}>
          <ChannelRequestPage slug={slug} />
        </Suspense>
      );
    return <ErrorState error={state.error} onRetry={reload} />;
  }
  const { channel, threads, nextCursor } = state.data;
  const canStart = !!user && (channel.postingPolicy === 'open' || hasRole(user, 'expert'));
  const fresh = incoming.filter((n) => !threads.some((th) => th.id === n.id));

  return (
    <>
      <nav aria-label={t('app.breadcrumbs')} className="breadcrumbs">
        <Link to="/">{t('app.home')}</Link> <span aria-hidden="true">›</span> <span>{channel.name}</span>
      </nav>
      <div className="page-head">
        <PageTitle>{channel.name}</PageTitle>
        <FollowButton targetType="channel" targetId={channel.slug} />
        {canStart && (
          <Link className="button" to={`/c/${channel.slug}/nieuw`}>
            {channel.postingPolicy === 'experts_ask' ? t('channel.newQuestion') : t('channel.newThread')}
          </Link>
        )}
      </div>
      {channel.description && <p className="lead">{channel.description}</p>}
      {channel.postingPolicy === 'experts_ask' && <p className="notice">{t('channel.expertsOnly')}</p>}
      {channel.visibility === 'members' && (
        <Suspense fallback={null}>
          <ClosedChannelPanel channel={channel} />
        </Suspense>
      )}
      <div aria-live="polite">
        {fresh.length > 0 && (
          <button
            type="button"
            className="button secondary new-items"
            onClick={() => {
              update((page) => ({ ...page, threads: [...fresh, ...page.threads] }));
              setIncoming([]);
            }}
          >
            {t('channel.newThreadsLive', { count: fresh.length })}
          </button>
        )}
      </div>
      {threads.length === 0 && fresh.length === 0 ? (
        <Empty>{t('channel.empty')}</Empty>
      ) : (
        <ul className="card-list thread-list">
          {threads.map((th) => (
            <li key={th.id} className="card thread-card">
              <Avatar author={th.author} />
              <div>
                <h2>
                  <Link to={threadPath(th)}>{th.title}</Link>
                </h2>
                <p className="meta">
                  {th.pinned && <span className="badge">{t('channel.pinned')}</span>}
                  {th.locked && <span className="badge muted">{t('channel.locked')}</span>}
                  <span className="badge kind">{th.kind === 'question' ? t('channel.question') : t('channel.discussion')}</span>{' '}
                  {th.acceptedAnswer && <span className="badge answered">{t('threadPage.answered')}</span>}{' '}
                  {!!th.newReplies && <span className="badge new-replies-badge">{t('threadPage.newReplies', { count: th.newReplies })}</span>}{' '}
                  {t('channel.by', { name: th.author.displayName })} · {t('channel.replies', { count: th.replyCount })} · {formatRelative(th.lastActivityAt, locale)}
                </p>
                {th.excerpt && <p className="excerpt">{th.excerpt}</p>}
                <TagLinks tags={th.tags} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {nextCursor && <LoadMore cursor={nextCursor} load={loadMore} />}
    </>
  );
}
