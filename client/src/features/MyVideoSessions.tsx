import { Link } from 'react-router-dom';
import type { VideoSession } from '../../../shared/schemas/video-sessions';
import { AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { useAsync } from '../lib/useAsync';

/** "Mijn videosessies": what I showed interest in or signed up for, upcoming first. */
export function MyVideoSessionsPage() {
  const { t, locale } = useI18n();
  const [state, reload] = useAsync((signal) => api<{ items: { videoSession: VideoSession; thread: { id: string; title: string } }[] }>('/api/me/video-sessions', { signal }), []);
  return (
    <>
      <PageTitle>{t('video.mine')}</PageTitle>
      <AsyncView state={state} onRetry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t('video.mineEmpty')}</Empty>
          ) : (
            <ul className="card-list">
              {items.map(({ videoSession: s, thread }) => (
                <li key={s.id} className="card">
                  <h2>
                    <Link to={`/t/${thread.id}`}>{s.title}</Link>
                  </h2>
                  <p className="meta">
                    {s.startsAt ? formatDateTime(s.startsAt, locale) : s.status === 'requested' ? t('video.requested') : ''}
                    {s.myRegistration ? ` · ${s.myRegistration.status === 'registered' ? t('video.registered') : t('video.waitlisted', { position: s.myRegistration.position ?? 0 })}` : ''}
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </>
  );
}
