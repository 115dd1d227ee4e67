import { Link } from 'react-router-dom';
import type { Channel } from '../../../shared/schemas/forum';
import { AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { useAsync } from '../lib/useAsync';
import { threadPath } from './paths';

export function HomePage() {
  const { t, locale } = useI18n();
  const [state, reload] = useAsync((signal) => api<{ items: Channel[] }>('/api/channels', { signal }), []);
  return (
    <>
      <PageTitle>{t('home.title')}</PageTitle>
      <p className="lead">{t('home.intro')}</p>
      <AsyncView state={state} onRetry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t('home.empty')}</Empty>
          ) : (
            <ul className="card-list channel-list">
              {items.map((c) => (
                <li key={c.id} className="card">
                  <h2>
                    <Link to={`/c/${c.slug}`}>{c.name}</Link>
                  </h2>
                  {c.description && <p>{c.description}</p>}
                  {c.latestThread && (
                    <p className="latest-thread">
                      {t('home.latest')} <Link to={threadPath(c.latestThread)}>{c.latestThread.title}</Link>
                    </p>
                  )}
                  <p className="meta">
                    {t('home.threads', { count: c.threadCount })} ·{' '}
                    {c.lastActivityAt ? t('home.lastActivity', { when: formatRelative(c.lastActivityAt, locale) }) : t('home.noActivity')}
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
