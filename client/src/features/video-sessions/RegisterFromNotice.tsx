import { useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router-dom';
import type { MyRegistration, VideoSession } from '../../../../shared/schemas/video-sessions';
import type { Static } from '@sinclair/typebox';
import { AsyncView, PageTitle, errorMessage } from '../../components/ui';
import { useI18n } from '../../i18n';
import { ApiError, api } from '../../lib/api';
import { formatDateTime } from '../../lib/dates';
import { useSession } from '../../lib/session';
import { useAsync } from '../../lib/useAsync';

type Outcome = { kind: 'registered' } | { kind: 'waitlisted'; position: number } | { kind: 'moved' } | { kind: 'closed' } | { kind: 'error'; message: string };

/**
 * One-click "Aanmelden" for a session that got its date, from the bell or a mail: registers (or
 * waitlists) for the time the member was told. A session moved or cancelled since is said plainly,
 * and nothing is registered.
 */
export function RegisterFromNotice({ sessionId, startsAt, threadId }: { sessionId: string; startsAt: string | null; threadId: string | null }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const register = async () => {
    setBusy(true);
    try {
      const query = startsAt ? `?startsAt=${encodeURIComponent(startsAt)}` : '';
      const { registration } = await api<{ registration: Static<typeof MyRegistration> }>(`/api/video-sessions/${sessionId}/registrations${query}`, { method: 'POST' });
      setOutcome(registration.status === 'registered' ? { kind: 'registered' } : { kind: 'waitlisted', position: registration.position ?? 0 });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'session_moved') setOutcome({ kind: 'moved' });
      else if (err instanceof ApiError && (err.code === 'session_closed' || err.status === 404)) setOutcome({ kind: 'closed' });
      else setOutcome({ kind: 'error', message: errorMessage(err, t) });
    } finally {
      setBusy(false);
    }
  };
  const threadLink = threadId ? <Link to={`/t/${threadId}`}>{t('sessionFlow.viewSession')}</Link> : null;
  return (
    <div className="register-notice">
      {!outcome || outcome.kind === 'error' ? (
        <button type="button" className="button small" disabled={busy} onClick={() => void register()}>
          {t('video.register')}
        </button>
      ) : null}
      <span role="status">
        {outcome?.kind === 'registered' && t('video.registered')}
        {outcome?.kind === 'waitlisted' && t('video.waitlisted', { position: outcome.position })}
        {outcome?.kind === 'moved' && (
          <>
            {t('sessionFlow.moved')} {threadLink}
          </>
        )}
        {outcome?.kind === 'closed' && t('sessionFlow.closed')}
      </span>
      {outcome?.kind === 'error' && (
        <span className="field-error" role="alert">
          {outcome.message}
        </span>
      )}
    </div>
  );
}

/** /videosessies/:id/aanmelden?startsAt=… — where the mail's "Aanmelden" leads: one button (link scanners never register anyone). */
export function RegisterFromMailPage() {
  const { t, locale } = useI18n();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const { user, loading } = useSession();
  const [state, reload] = useAsync((signal) => api<{ videoSession: VideoSession }>(`/api/video-sessions/${encodeURIComponent(id)}`, { signal }), [id]);
  return (
    <>
      <PageTitle>{t('sessionFlow.registerTitle')}</PageTitle>
      <AsyncView state={state} onRetry={reload}>
        {({ videoSession: s }) => (
          <section className="card">
            <h2>{s.title}</h2>
            {s.startsAt && <p>{t('video.scheduledAt', { date: formatDateTime(s.startsAt, locale), minutes: s.durationMinutes ?? 0 })}</p>}
            {s.myRegistration ? (
              <p role="status">{s.myRegistration.status === 'registered' ? t('video.registered') : t('video.waitlisted', { position: s.myRegistration.position ?? 0 })}</p>
            ) : !loading && !user ? (
              <p>
                <Link to={`/inloggen?terug=${encodeURIComponent(location.pathname + location.search)}`}>{t('sessionFlow.loginToRegister')}</Link>
              </p>
            ) : (
              <RegisterFromNotice sessionId={s.id} startsAt={params.get('startsAt')} threadId={s.threadId} />
            )}
            <p>
              <Link to={`/t/${s.threadId}`}>{t('sessionFlow.viewSession')}</Link>
            </p>
          </section>
        )}
      </AsyncView>
    </>
  );
}
