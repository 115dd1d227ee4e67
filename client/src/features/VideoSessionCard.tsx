import { useEffect, useState } from 'react';
import type { VideoSession } from '../../../shared/schemas/video-sessions';
import { errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { subscribe } from '../lib/realtime';
import { hasRole, useSession } from '../lib/session';
import { amsterdamInputToIso, isoToAmsterdamInput } from './video-sessions/amsterdam-time';
import { topics } from '../../../shared/topics';
import { SessionSummary } from './video-sessions/SessionSummary';

/** "Aanvullende videosessie" on a thread: interest, scheduling, registration, calendar — all live. */
export function VideoSessionCard({ threadId, threadAuthorId, initial }: { threadId: string; threadAuthorId: string; initial: VideoSession | null }) {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const [session, setSession] = useState<VideoSession | null>(initial);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  useEffect(() => setSession(initial), [initial]);
  useEffect(
    () =>
      subscribe(topics.thread(threadId), {
        onEvent: async (e) => {
          if (e.event !== 'video_session.updated') return;
          // The event carries the public view; fetch my own view (interest, registration, link).
          const mine = await api<{ videoSession: VideoSession }>(`/api/video-sessions/${e.data.videoSession.id}`).catch(() => null);
          setSession(mine ? mine.videoSession : e.data.videoSession);
        },
      }),
    [threadId],
  );

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  const mayOrganise = !!user && (user.id === threadAuthorId || hasRole(user, 'expert'));
  const isOrganiser = !!user && !!session?.organiser && session.organiser.id === user.id;
  const mayManage = isOrganiser || hasRole(user, 'moderator');

  if (!session) {
    if (!user) return null;
    return (
      <section className="card video-card" aria-labelledby="video-title">
        <h2 id="video-title">{t('video.title')}</h2>
        <button type="button" className="button secondary" onClick={() => act(async () => setSession((await api<{ videoSession: VideoSession }>(`/api/threads/${threadId}/video-session`, { method: 'POST', body: {} })).videoSession))}>
          {mayOrganise ? t('video.propose') : t('video.request')}
        </button>
        {error && <p className="field-error" role="alert">{error}</p>}
      </section>
    );
  }

  const s = session;
  const places = s.capacity !== null ? s.capacity - s.registeredCount : null;
  return (
    <section className="card video-card" aria-labelledby="video-title">
      <h2 id="video-title">{t('video.title')}</h2>
      <p>
        <strong>{s.title}</strong>
      </p>
      {s.description && <p>{s.description}</p>}
      <p aria-live="polite" className="meta">
        {t('video.interestCount', { count: s.interestCount })}
      </p>
      {s.status === 'requested' && <p>{t('video.requested')}</p>}
      {s.status === 'proposed' && <p>{t('video.proposed', { name: s.organiser?.displayName ?? '' })}</p>}
      {s.status === 'cancelled' && <p className="notice">{t('video.cancelled')}</p>}
      {s.status === 'ended' && <p className="notice">{t('video.ended')}</p>}
      {s.status === 'scheduled' && s.startsAt && (
        <p>
          <strong>{t('video.scheduledAt', { date: formatDateTime(s.startsAt, locale), minutes: s.durationMinutes ?? 0 })}</strong>
          {/* Someone with a place (or on the waitlist already) is never told "Vol — je komt op de wachtlijst". */}
          {places !== null && places > 0 ? ` · ${t('video.placesLeft', { count: places })}` : !s.myRegistration ? ` · ${t('video.full')}` : ''}
        </p>
      )}
      {user && (
        <div className="actions">
          {(s.status === 'requested' || s.status === 'proposed') && (
            <button type="button" className="button secondary" onClick={() => act(async () => setSession((await api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}/interest`, { method: s.myInterest ? 'DELETE' : 'POST' })).videoSession))}>
              {s.myInterest ? t('video.notInterested') : t('video.interested')}
            </button>
          )}
          {(s.status === 'ended' || s.status === 'cancelled') && (
            <button type="button" className="button secondary" onClick={() => act(async () => setSession((await api<{ videoSession: VideoSession }>(`/api/threads/${threadId}/video-session`, { method: 'POST', body: {} })).videoSession))}>
              {mayOrganise ? t('video.propose') : t('video.request')}
            </button>
          )}
          {s.status === 'requested' && mayOrganise && (
            <button type="button" className="button secondary" onClick={() => act(async () => setSession((await api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}/take-on`, { method: 'POST' })).videoSession))}>
              {t('video.takeOn')}
            </button>
          )}
          {s.status === 'scheduled' && !s.myRegistration && (
            <button
              type="button"
              className="button"
              onClick={() =>
                act(async () => {
                  await api(`/api/video-sessions/${s.id}/registrations`, { method: 'POST' });
                  setSession((await api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}`)).videoSession);
                })
              }
            >
              {t('video.register')}
            </button>
          )}
          {s.myRegistration && s.status === 'scheduled' && (
            <>
              <p role="status">{s.myRegistration.status === 'registered' ? t('video.registered') : t('video.waitlisted', { position: s.myRegistration.position ?? 0 })}</p>
              {s.myRegistration.status === 'registered' && (
                <a className="button secondary" href={`/api/video-sessions/${s.id}/calendar.ics`}>
                  {t('video.addToCalendar')}
                </a>
              )}
              <button
                type="button"
                className="button secondary"
                onClick={() =>
                  act(async () => {
                    await api(`/api/video-sessions/${s.id}/registrations/me`, { method: 'DELETE' });
                    setSession((await api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}`)).videoSession);
                  })
                }
              >
                {t('video.cancelRegistration')}
              </button>
            </>
          )}
        </div>
      )}
      {s.status === 'scheduled' && (s.meetingUrl ? (
        <p>
          <a href={s.meetingUrl} rel="noopener noreferrer" target="_blank">
            {t('video.join')}
          </a>
        </p>
      ) : (
        <p className="meta">{t('video.linkLater')}</p>
      ))}
      {mayManage && (s.status === 'proposed' || s.status === 'scheduled' || s.status === 'requested') && (
        <div className="actions">
          {s.status !== 'requested' && (
            <button type="button" className="button secondary small" onClick={() => setEditing((v) => !v)}>
              {s.status === 'scheduled' ? t('video.reschedule') : t('video.schedule')}
            </button>
          )}
          {s.status === 'scheduled' && (
            <>
              <a className="button secondary small" href={`/api/video-sessions/${s.id}/attendees.xlsx`} download>
                {t('video.attendees')}
              </a>
              <a className="button secondary small" href={`/api/video-sessions/${s.id}/attendees.csv`} download>
                {t('sessionFlow.attendeesCsv')}
              </a>
            </>
          )}
          <button type="button" className="button secondary small" onClick={() => act(async () => setSession((await api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}`, { method: 'PATCH', body: { status: 'cancelled' } })).videoSession))}>
            {t('video.cancelSession')}
          </button>
        </div>
      )}
      {editing && <ScheduleForm session={s} onSaved={(v) => { setSession(v); setEditing(false); }} />}
      <SessionSummary session={s} mayManage={mayManage} onSaved={setSession} />
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}

function ScheduleForm({ session, onSaved }: { session: VideoSession; onSaved(v: VideoSession): void }) {
  const { t } = useI18n();
  const [startsAt, setStartsAt] = useState(isoToAmsterdamInput(session.startsAt));
  const [duration, setDuration] = useState(String(session.durationMinutes ?? 60));
  const [capacity, setCapacity] = useState(String(session.capacity ?? 50));
  const [meetingUrl, setMeetingUrl] = useState(session.meetingUrl ?? '');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="form schedule-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const res = await api<{ videoSession: VideoSession }>(`/api/video-sessions/${session.id}`, {
            method: 'PATCH',
            body: { startsAt: amsterdamInputToIso(startsAt), durationMinutes: Number(duration), capacity: Number(capacity), meetingUrl },
          });
          onSaved(res.videoSession);
        } catch (err) {
          setError(errorMessage(err, t));
        }
      }}
    >
      <div className="field">
        <label htmlFor="vs-starts">{t('video.startsAt')}</label>
        <input id="vs-starts" type="datetime-local" required value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="vs-duration">{t('video.duration')}</label>
        <input id="vs-duration" type="number" min={15} max={480} required value={duration} onChange={(e) => setDuration(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="vs-capacity">{t('video.capacity')}</label>
        <input id="vs-capacity" type="number" min={1} max={1000} required value={capacity} onChange={(e) => setCapacity(e.target.value)} />
      </div>
      <div className="field wide">
        <label htmlFor="vs-url">{t('video.meetingUrl')}</label>
        <input id="vs-url" type="url" required value={meetingUrl} onChange={(e) => setMeetingUrl(e.target.value)} />
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="form-actions">
        <button type="submit" className="button">
          {t('video.save')}
        </button>
      </div>
    </form>
  );
}
