import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { AuditEntry, ReportGroup } from '../../../shared/schemas/moderation';
import { Empty, ErrorState, Loading, PageTitle, errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { hasRole, useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';

/** A small form asking for a reason, used for hiding a post and for reporting one. */
function ReasonForm({ label, onSubmit, onCancel }: { label: string; onSubmit(reason: string): Promise<void>; onCancel(): void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = `reason-${Math.random().toString(36).slice(2, 8)}`;
  return (
    <form
      className="reason-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!reason.trim()) return setError(t('errors.field.required'));
        try {
          await onSubmit(reason.trim());
        } catch (err) {
          setError(errorMessage(err, t));
        }
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" value={reason} onChange={(e) => setReason(e.target.value)} autoFocus maxLength={500} aria-invalid={error ? true : undefined} />
      {error && <p className="field-error" role="alert">{error}</p>}
      <button type="submit" className="button small">{t('moderation.confirm')}</button>{' '}
      <button type="button" className="button secondary small" onClick={onCancel}>{t('moderation.cancel')}</button>
    </form>
  );
}

/** Moderator actions on a thread: pin, lock, move. */
export function ThreadModTools({ thread, onChanged }: { thread: { id: string; pinned: boolean; locked: boolean; channelSlug: string }; onChanged(): void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [moving, setMoving] = useState(false);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!hasRole(user, 'moderator')) return null;
  const act = async (action: string, body: object = {}) => {
    setError(null);
    try {
      await api(`/api/threads/${thread.id}/${action}`, { method: 'POST', body });
      onChanged();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <div className="mod-tools" role="group" aria-label={t('moderation.menu')}>
      <button type="button" className="button secondary small" onClick={() => act(thread.pinned ? 'unpin' : 'pin')}>{thread.pinned ? t('moderation.unpin') : t('moderation.pin')}</button>{' '}
      <button type="button" className="button secondary small" onClick={() => act(thread.locked ? 'unlock' : 'lock')}>{thread.locked ? t('moderation.unlock') : t('moderation.lock')}</button>{' '}
      <button type="button" className="button secondary small" onClick={() => setMoving((v) => !v)}>{t('moderation.move')}</button>
      {moving && (
        <form className="reason-form" onSubmit={(e) => { e.preventDefault(); void act('move', { channelSlug: target }); setMoving(false); }}>
          <label htmlFor="move-target">{t('moderation.moveTo')}</label>
          <input id="move-target" type="text" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="wmo" />
          <button type="submit" className="button small">{t('moderation.confirm')}</button>
        </form>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

/** Hide/unhide for moderators, "Meld dit bericht" for other members. */
export function PostActions({ post, onChanged }: { post: { id: string; hidden: boolean; author: { id: string } }; onChanged(): void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [mode, setMode] = useState<'hide' | 'report' | null>(null);
  const [done, setDone] = useState(false);
  if (!user) return null;
  const isMod = hasRole(user, 'moderator');
  return (
    <span className="post-mod">
      {isMod && !post.hidden && <button type="button" className="link-button" onClick={() => setMode('hide')}>{t('moderation.hide')}</button>}
      {isMod && post.hidden && (
        <button type="button" className="link-button" onClick={async () => { await api(`/api/posts/${post.id}/unhide`, { method: 'POST', body: {} }); onChanged(); }}>
          {t('moderation.unhide')}
        </button>
      )}
      {!isMod && post.author.id !== user.id && !done && <button type="button" className="link-button" onClick={() => setMode('report')}>{t('moderation.report')}</button>}
      {done && <span role="status">{t('moderation.reported')}</span>}
      {mode === 'hide' && (
        <ReasonForm label={t('moderation.reason')} onCancel={() => setMode(null)} onSubmit={async (reason) => { await api(`/api/posts/${post.id}/hide`, { method: 'POST', body: { reason } }); setMode(null); onChanged(); }} />
      )}
      {mode === 'report' && (
        <ReasonForm label={t('moderation.reportReason')} onCancel={() => setMode(null)} onSubmit={async (reason) => { await api('/api/reports', { method: 'POST', body: { postId: post.id, reason } }); setMode(null); setDone(true); }} />
      )}
    </span>
  );
}

export function ModerationPage() {
  const { t, locale } = useI18n();
  const { user, loading } = useSession();
  const [reports, reloadReports] = useAsync((signal) => api<{ items: ReportGroup[] }>('/api/mod/reports?status=open', { signal }), []);
  const [audit] = useAsync((signal) => api<{ items: AuditEntry[] }>('/api/mod/audit-log?limit=50', { signal }), []);
  if (loading) return <Loading />;
  if (!hasRole(user, 'moderator')) return <p className="notice">{t('errors.forbidden')}</p>;
  const resolve = async (id: string, resolution: 'hide' | 'dismiss', reason = '') => {
    await api(`/api/mod/reports/${id}/resolve`, { method: 'POST', body: { resolution, reason } });
    reloadReports();
  };
  return (
    <>
      <PageTitle>{t('moderation.page')}</PageTitle>
      <section aria-labelledby="queue-title">
        <h2 id="queue-title">{t('moderation.queue')}</h2>
        {reports.status === 'loading' && <Loading />}
        {reports.status === 'error' && <ErrorState error={reports.error} onRetry={reloadReports} />}
        {reports.status === 'ready' &&
          (reports.data.items.length === 0 ? (
            <Empty>{t('moderation.queueEmpty')}</Empty>
          ) : (
            <ul className="card-list">
              {reports.data.items.map((g) => (
                <li key={g.reportId} className="card report-group">
                  <p className="meta">
                    <strong>{t('moderation.reports', { count: g.count })}</strong> · {g.post.author.displayName} · <Link to={`/t/${g.post.threadId}#post-${g.post.id}`}>{g.post.threadTitle}</Link>
                  </p>
                  <blockquote>{g.post.excerpt}</blockquote>
                  <ul>
                    {g.reports.map((r) => (
                      <li key={r.id}>
                        {r.reporter.displayName}: {r.reason}
                      </li>
                    ))}
                  </ul>
                  <button type="button" className="button small" onClick={() => resolve(g.reportId, 'hide', g.reports[0]?.reason ?? 'Gemeld')}>{t('moderation.resolveHide')}</button>{' '}
                  <button type="button" className="button secondary small" onClick={() => resolve(g.reportId, 'dismiss')}>{t('moderation.dismiss')}</button>
                </li>
              ))}
            </ul>
          ))}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">{t('moderation.auditLog')}</h2>
        {audit.status === 'ready' &&
          (audit.data.items.length === 0 ? (
            <Empty>{t('moderation.auditEmpty')}</Empty>
          ) : (
            <table className="audit">
              <thead>
                <tr>
                  <th scope="col">Tijd</th>
                  <th scope="col">Wie</th>
                  <th scope="col">Actie</th>
                  <th scope="col">Doel</th>
                  <th scope="col">{t('moderation.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.items.map((a) => (
                  <tr key={a.id}>
                    <td>{formatDateTime(a.createdAt, locale)}</td>
                    <td>{a.actor.displayName}</td>
                    <td>{a.action}</td>
                    <td>
                      {a.targetType} {a.targetId}
                    </td>
                    <td>{a.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </section>
    </>
  );
}
