import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { MySessionItem, VideoSession } from '../../../shared/schemas/video-sessions';
import { AsyncView, Empty, PageTitle, errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { useAsync } from '../lib/useAsync';

const isUpcoming = (s: VideoSession) => s.status === 'scheduled' || s.status === 'requested' || s.status === 'proposed';

function SessionList({ items, label }: { items: MySessionItem[]; label: string }) {
  const { t, locale } = useI18n();
  return (
    <ul className="card-list" aria-label={label}>
      {items.map(({ videoSession: s, thread, myRole }) => (
        <li key={s.id} className="card">
          <h3>
            <Link to={`/t/${thread.id}`}>{s.title}</Link>
          </h3>
          <p className="meta">
            {s.startsAt ? formatDateTime(s.startsAt, locale) : t(`sessionFlow.status.${s.status}`)}
            {' · '}
            {myRole === 'waitlisted' ? t('video.waitlisted', { position: s.myRegistration?.position ?? 0 }) : t(`sessionFlow.roles.${myRole}`)}
            {myRole === 'organiser' && s.status === 'scheduled' ? ` · ${t('sessionFlow.registeredOf', { count: s.registeredCount, capacity: s.capacity ?? 0 })}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** "Mijn videosessies": the sessions I organise, then those I go to or am interested in, then the past ones; and my calendar feed. */
export function MyVideoSessionsPage() {
  const { t } = useI18n();
  const [state, reload] = useAsync((signal) => api<{ items: MySessionItem[] }>('/api/me/video-sessions', { signal }), []);
  return (
    <>
      <PageTitle>{t('video.mine')}</PageTitle>
      <AsyncView state={state} onRetry={reload}>
        {({ items }) => {
          if (items.length === 0) return <Empty>{t('video.mineEmpty')}</Empty>;
          const organising = items.filter((i) => i.myRole === 'organiser' && isUpcoming(i.videoSession));
          const upcoming = items.filter((i) => i.myRole !== 'organiser' && isUpcoming(i.videoSession));
          const past = items.filter((i) => !isUpcoming(i.videoSession));
          const groups: Array<[string, string, MySessionItem[]]> = [
            ['organising', t('sessionFlow.organising'), organising],
            ['upcoming', t('sessionFlow.upcoming'), upcoming],
            ['past', t('sessionFlow.past'), past],
          ];
          return groups.map(([key, title, list]) => (
            <section key={key} aria-labelledby={`mine-${key}`}>
              <h2 id={`mine-${key}`}>{title}</h2>
              {list.length ? <SessionList items={list} label={title} /> : <p className="meta">{t('sessionFlow.none')}</p>}
            </section>
          ));
        }}
      </AsyncView>
      <CalendarFeedSettings />
    </>
  );
}

/** The personal calendar feed: its secret address to paste into Outlook, and a new address that revokes the old one. */
function CalendarFeedSettings() {
  const { t } = useI18n();
  const [state, reload, update] = useAsync((signal) => api<{ url: string | null }>('/api/me/calendar-feed', { signal }), []);
  const [error, setError] = useState<string | null>(null);
  const [renewed, setRenewed] = useState(false);
  const renew = async () => {
    setError(null);
    try {
      const { url } = await api<{ url: string }>('/api/me/calendar-feed', { method: 'POST' });
      update(() => ({ url }));
      setRenewed(true);
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <section aria-labelledby="feed-title" className="card calendar-feed">
      <h2 id="feed-title">{t('sessionFlow.feedTitle')}</h2>
      <p>{t('sessionFlow.feedIntro')}</p>
      <AsyncView state={state} onRetry={reload}>
        {({ url }) => (
          <>
            {url && (
              <div className="field">
                <label htmlFor="feed-url">{t('sessionFlow.feedUrl')}</label>
                <input id="feed-url" type="text" readOnly value={url} onFocus={(e) => e.target.select()} />
              </div>
            )}
            <button type="button" className="button secondary small" onClick={() => void renew()}>
              {url ? t('sessionFlow.feedRenew') : t('sessionFlow.feedCreate')}
            </button>
            {url && <p className="hint">{t('sessionFlow.feedRenewHint')}</p>}
            {renewed && <p role="status">{t('sessionFlow.feedRenewed')}</p>}
          </>
        )}
      </AsyncView>
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
