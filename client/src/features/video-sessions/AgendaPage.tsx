import { Link } from 'react-router-dom';
import type { AgendaItem } from '../../../../shared/schemas/video-sessions';
import { LoadMore, appendPage } from '../../components/LoadMore';
import { AsyncView, Empty, PageTitle } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';

type Page = { items: AgendaItem[]; nextCursor: string | null };

/** /agenda: the upcoming video sessions across the channels the reader may see, soonest first. */
export function AgendaPage() {
  const { t, locale } = useI18n();
  const [state, reload, update] = useAsync((signal) => api<Page>('/api/video-sessions/upcoming?limit=50', { signal }), []);
  const more = async (cursor: string) => {
    const next = await api<Page>(`/api/video-sessions/upcoming?limit=50&cursor=${encodeURIComponent(cursor)}`);
    update((d) => ({ items: appendPage(d.items, next.items, (i) => i.videoSession.id), nextCursor: next.nextCursor }));
  };
  return (
    <>
      <PageTitle>{t('sessionFlow.agenda')}</PageTitle>
      <p className="lead">{t('sessionFlow.agendaIntro')}</p>
      <AsyncView state={state} onRetry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{t('sessionFlow.agendaEmpty')}</Empty>
          ) : (
            <>
              <ul className="card-list agenda">
                {page.items.map(({ videoSession: s, thread }) => {
                  const places = s.capacity !== null ? s.capacity - s.registeredCount : 0;
                  return (
                    <li key={s.id} className="card">
                      <p className="meta">
                        <time dateTime={s.startsAt ?? undefined}>{s.startsAt ? formatDateTime(s.startsAt, locale) : ''}</time> · {t('sessionFlow.minutes', { count: s.durationMinutes ?? 0 })}
                      </p>
                      <h2>
                        <Link to={`/t/${thread.id}`}>{s.title}</Link>
                      </h2>
                      <p className="meta">
                        {s.organiser ? `${t('sessionFlow.organisedBy', { name: s.organiser.displayName })} · ` : ''}
                        {s.myRegistration
                          ? s.myRegistration.status === 'registered'
                            ? t('video.registered')
                            : t('video.waitlisted', { position: s.myRegistration.position ?? 0 })
                          : places > 0
                            ? t('video.placesLeft', { count: places })
                            : t('sessionFlow.fullWaitlist')}
                      </p>
                    </li>
                  );
                })}
              </ul>
              {page.nextCursor && <LoadMore cursor={page.nextCursor} load={more} />}
            </>
          )
        }
      </AsyncView>
    </>
  );
}
