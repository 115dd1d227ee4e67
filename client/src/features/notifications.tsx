import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Notification } from '../../../shared/schemas/notifications';
import { LoadMore, appendPage } from '../components/LoadMore';
import { ActionError, AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { onStatus, subscribe } from '../lib/realtime';
import { topics } from '../../../shared/topics';
import { useSession } from '../lib/session';
import { useAction } from '../lib/useAction';
import { RegisterFromNotice } from './video-sessions/RegisterFromNotice';
import { useAsync } from '../lib/useAsync';

/**
 * The unread count, shared by the bell and the notifications page: live pushes, mark-read answers and
 * reloads all set it, so the bell never lags behind what the page shows.
 */
let unreadCount = 0;
const unreadListeners = new Set<(n: number) => void>();
// Other tabs of this browser hear about it too (marking read in one tab clears the bell in all).
const tabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('plein-unread');
function applyUnreadCount(n: number) {
  unreadCount = n;
  for (const l of unreadListeners) l(n);
}
function setUnreadCount(n: number) {
  applyUnreadCount(n);
  tabs?.postMessage(n);
}
if (tabs) tabs.onmessage = (e: MessageEvent<unknown>) => typeof e.data === 'number' && applyUnreadCount(e.data);
function useUnreadCount(): number {
  const [n, setN] = useState(unreadCount);
  useEffect(() => {
    unreadListeners.add(setN);
    setN(unreadCount);
    return () => void unreadListeners.delete(setN);
  }, []);
  return n;
}

/** The bell in the header with the live unread count. */
export function NotificationBell() {
  const { t } = useI18n();
  const { user } = useSession();
  const unread = useUnreadCount();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (!user) return;
    const refresh = () => api<{ unreadCount: number }>('/api/notifications?limit=1').then((r) => setUnreadCount(r.unreadCount), () => {});
    void refresh();
    const off = subscribe(topics.me, {
      onEvent: (e) => {
        if (e.event === 'notification.created') setUnreadCount(e.data.unreadCount);
      },
      onGap: () => void refresh(),
    });
    // Back online after a dropped connection: read the count again (notices may have been read elsewhere).
    let wasOffline = false;
    const offStatus = onStatus((s) => {
      if (s === 'offline') wasOffline = true;
      else if (s === 'online' && wasOffline) {
        wasOffline = false;
        void refresh();
      }
    });
    return () => {
      off();
      offStatus();
    };
  }, [user?.id]);
  if (!user) return null;
  return (
    <Link to="/meldingen" className="bell" aria-label={unread ? t('notifications.bellUnread', { count: unread }) : t('notifications.bell')}>
      {/* An SVG, not the emoji: locked-down office machines often lack an emoji font. */}
      <svg className="bell-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
      </svg>
      {unread > 0 && (
        <span className="bell-count" data-testid="bell-count" aria-hidden="true">
          {unread}
        </span>
      )}
    </Link>
  );
}

/**
 * The line for a notification in the reader's language, from its structured fields: `kind`, `count`
 * (grouped replies) and `data` (`threadTitle`, or a video session's `title`; `actorName`). The server's
 * `text` is the Dutch sentence it also uses in mails; the list does not show it.
 */
function notificationText(n: Pick<Notification, 'kind' | 'count' | 'data'>, t: (key: string, vars?: Record<string, string | number>) => string): string {
  const title = String(n.data.threadTitle ?? n.data.title ?? '');
  const name = typeof n.data.actorName === 'string' && n.data.actorName ? n.data.actorName : null;
  // "Iemand citeerde je…" starts with the actor; "Nieuwe reactie van iemand…" has it inside.
  const actor = name ?? (n.kind === 'quote' || n.kind === 'mention' || n.kind === 'membership_requested' ? t('notifications.someoneStart') : t('notifications.someone'));
  const key =
    n.kind === 'reply' && n.count > 1 ? 'notifications.kinds.replies' : n.kind === 'membership_requested' && n.count > 1 ? 'notifications.kinds.membership_requests' : `notifications.kinds.${n.kind}`;
  const text = t(key, { title, actor, count: n.count });
  return text === key ? t('notifications.kinds.other') : text;
}

interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
  unreadCount: number;
}

/** A notice as `notification.created` carries it: without the list's `text` and, from older servers, `updatedAt`. */
type LiveNotification = Omit<Notification, 'text' | 'updatedAt'> & Partial<Pick<Notification, 'text' | 'updatedAt'>>;

/**
 * The list with a live notice in it: on top (it is the newest; the list is by last update), unread, once —
 * a grouped notice already in the list is replaced by its new count. A pushed notice has just been
 * created or updated, so without an `updatedAt` it counts as updated now.
 */
function mergeLive(items: Notification[], live: LiveNotification): Notification[] {
  const before = items.find((n) => n.id === live.id);
  const merged: Notification = { text: '', ...before, ...live, updatedAt: live.updatedAt ?? new Date().toISOString(), read: false };
  return [merged, ...items.filter((n) => n.id !== live.id)];
}

export function NotificationsPage() {
  const { t } = useI18n();
  const [state, reload, update] = useAsync(async (signal) => {
    const page = await api<NotificationPage>('/api/notifications', { signal });
    setUnreadCount(page.unreadCount);
    return page;
  }, []);
  const loaded = useRef(false);
  loaded.current = state.status === 'ready';
  // New notices arrive live and are merged into what is loaded, so pages added with "Meer laden" stay:
  // a grouped one moves to the top with its new count, a new one goes on top. While the list is still
  // loading, load it again instead (the answer in flight may predate the notice).
  useEffect(
    () =>
      subscribe(topics.me, {
        onEvent: (e) => {
          if (e.event !== 'notification.created') return;
          const { notification, unreadCount } = e.data;
          if (!loaded.current) return reload();
          update((d) => ({ ...d, unreadCount, items: mergeLive(d.items, notification) }));
        },
        onGap: reload,
      }),
    [reload, update],
  );
  const markRead = async (ids: string[] | 'all') => {
    const res = await api<{ unreadCount: number }>('/api/notifications/read', { method: 'POST', body: ids === 'all' ? { all: true } : { ids } });
    setUnreadCount(res.unreadCount);
    update((d) => ({ ...d, unreadCount: res.unreadCount, items: d.items.map((n) => (ids === 'all' || ids.includes(n.id) ? { ...n, read: true } : n)) }));
  };
  // A failed "Alles gelezen" says why next to its button, which stays for another try.
  const markAll = useAction(() => markRead('all'));
  const more = async (cursor: string) => {
    const page = await api<NotificationPage>(`/api/notifications?cursor=${encodeURIComponent(cursor)}`);
    update((d) => ({ ...page, items: appendPage(d.items, page.items, (n) => n.id) }));
  };
  return (
    <>
      <PageTitle>{t('notifications.title')}</PageTitle>
      <AsyncView state={state} onRetry={reload}>
        {(data) => (
          <>
            {data.unreadCount > 0 && (
              <p>
                <button type="button" className="button secondary small" onClick={() => void markAll.run()}>
                  {t('notifications.markAllRead')}
                </button>{' '}
                <ActionError error={markAll.error} />
              </p>
            )}
            {data.items.length === 0 ? (
              <Empty>{t('notifications.empty')}</Empty>
            ) : (
              <ul className="card-list notification-list">
                {data.items.map((n) => (
                  <NotificationItem key={n.id} notification={n} markRead={markRead} />
                ))}
              </ul>
            )}
            {data.nextCursor && <LoadMore cursor={data.nextCursor} load={more} />}
          </>
        )}
      </AsyncView>
    </>
  );
}

/** Where a notice leads: its thread (at the post), or the channel it is about (membership requests). */
function noticeTarget(n: Pick<Notification, 'threadId' | 'postId' | 'data'>): string | null {
  if (n.threadId) return `/t/${n.threadId}${n.postId ? `#post-${n.postId}` : ''}`;
  return typeof n.data.channelSlug === 'string' ? `/c/${encodeURIComponent(n.data.channelSlug)}` : null;
}

/**
 * One notice; opening it marks it read. The link opens the thread at once; should marking fail while this
 * page is still open (the thread opened in another tab), the notice stays unread and says why.
 */
function NotificationItem({ notification: n, markRead }: { notification: Notification; markRead(ids: string[]): Promise<void> }) {
  const { t, locale } = useI18n();
  const mark = useAction(() => markRead([n.id]));
  return (
    <li className={`card${n.read ? '' : ' unread'}`}>
      {noticeTarget(n) ? (
        <Link to={noticeTarget(n)!} onClick={() => void (n.read ? null : mark.run())}>
          {notificationText(n, t)}
        </Link>
      ) : (
        notificationText(n, t)
      )}
      <p className="meta">{formatRelative(n.updatedAt, locale)}</p>
      {n.kind === 'video_session_scheduled' && typeof n.data.sessionId === 'string' && (
        <RegisterFromNotice sessionId={n.data.sessionId} startsAt={typeof n.data.startsAt === 'string' ? n.data.startsAt : null} threadId={n.threadId} />
      )}
      <ActionError error={mark.error} />
    </li>
  );
}

/**
 * "Abonneren" / "Volgend" for a channel or thread. Threads also get "Dempen": posting in a thread makes
 * you watch it again unless you muted it, so muting is the way to stay out of a conversation for good.
 */
/** `refreshKey`: changes when the level may have changed elsewhere (replying makes you follow a thread). */
export function FollowButton({ targetType, targetId, refreshKey = 0 }: { targetType: 'channel' | 'thread'; targetId: string; refreshKey?: number }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [level, setLevel] = useState<'watching' | 'normal' | 'muted' | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (!user) return;
    api<{ level: 'watching' | 'normal' | 'muted' }>(`/api/subscriptions?targetType=${targetType}&targetId=${encodeURIComponent(targetId)}`).then((r) => setLevel(r.level), () => {});
  }, [user?.id, targetType, targetId, refreshKey]);
  // A failed change (offline, suspended, 429…) says why next to the buttons; they stay, so a click tries again.
  const change = useAction(async (next: 'watching' | 'normal' | 'muted') => {
    await api('/api/subscriptions', { method: 'PUT', body: { targetType, targetId, level: next } });
    setLevel(next);
  });
  if (!user || level === null) return null;
  const set = (next: 'watching' | 'normal' | 'muted') => void change.run(next);
  if (level === 'muted') {
    return (
      <span className="follow-buttons">
        <span className="meta">{t('notifications.muted')}</span>{' '}
        <button type="button" className="button small secondary" onClick={() => set('normal')}>
          {t('notifications.unmute')}
        </button>
        <ActionError error={change.error} />
      </span>
    );
  }
  const watching = level === 'watching';
  return (
    <span className="follow-buttons">
      <button type="button" className={`button small ${watching ? '' : 'secondary'}`} aria-pressed={watching} onClick={() => set(watching ? 'normal' : 'watching')}>
        {watching ? t('notifications.following') : t('notifications.follow')}
      </button>
      {targetType === 'thread' && (
        <>
          {' '}
          <button type="button" className="button small secondary" onClick={() => set('muted')}>
            {t('notifications.mute')}
          </button>
        </>
      )}
      <ActionError error={change.error} />
    </span>
  );
}

export function EmailSettings() {
  const { t } = useI18n();
  const [state] = useAsync((signal) => api<{ emailFrequency: string }>('/api/me/notification-settings', { signal }), []);
  // The new choice is checked while it is saved; a failed save checks the stored choice again and says
  // why under the choices, so choosing again tries again.
  const [stored, setStored] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const save = useAction(async (value: string) => {
    setPending(value);
    try {
      await api('/api/me/notification-settings', { method: 'PUT', body: { emailFrequency: value } });
      setStored(value);
    } finally {
      setPending(null);
    }
  });
  if (state.status !== 'ready') return null;
  const current = pending ?? stored ?? state.data.emailFrequency;
  // "Opgeslagen." after a save that worked, until the next choice is being saved or has failed.
  const saved = stored !== null && !save.busy && !save.error;
  return (
    <fieldset className="card form">
      <legend>{t('notifications.emailTitle')}</legend>
      {(['immediately', 'daily', 'never'] as const).map((f) => (
        <label key={f} className="inline block">
          <input type="radio" name="emailFrequency" value={f} checked={current === f} onChange={() => void save.run(f)} /> {t(`notifications.email${f[0].toUpperCase()}${f.slice(1)}`)}
        </label>
      ))}
      <p role="status">{saved ? t('notifications.saved') : ''}</p>
      <ActionError error={save.error} />
    </fieldset>
  );
}
