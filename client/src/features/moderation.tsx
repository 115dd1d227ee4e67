import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Channel, Post, Thread } from '../../../shared/schemas/forum';
import type { AuditEntry, ReportGroup } from '../../../shared/schemas/moderation';
import { LoadMore, appendPage } from '../components/LoadMore';
import { ActionError, AsyncView, Empty, Loading, PageTitle, errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { subscribe } from '../lib/realtime';
import { topics } from '../../../shared/topics';
import { hasRole, useSession } from '../lib/session';
import { useAction } from '../lib/useAction';
import { useAsync } from '../lib/useAsync';
import { amsterdamInputToIso, isoToAmsterdamInput } from './video-sessions/amsterdam-time';
import { ConfirmButton } from './ModerationCount';
import { HeldPostsQueue } from './HeldPosts';

/** The date (yyyy-mm-dd) on the Amsterdam calendar `days` from now, for a date input. */
const amsterdamDateIn = (days: number) => isoToAmsterdamInput(new Date(Date.now() + days * 86400_000).toISOString()).slice(0, 10);

/** On every page for a suspended member: until when and why (they can read, not write). */
export function SuspensionBanner() {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const suspension = user?.suspension;
  if (!suspension || new Date(suspension.until).getTime() <= Date.now()) return null;
  return (
    <p className="notice suspension-banner" role="status">
      {t('settings.suspended', { until: formatDateTime(suspension.until, locale), reason: suspension.reason })}
    </p>
  );
}

/** A small form asking for a reason, used for hiding a post and for reporting one. */
function ReasonForm({ label, onSubmit, onCancel }: { label: string; onSubmit(reason: string): Promise<void>; onCancel(): void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  // One id for the life of the form: the label stays tied to its field across renders.
  const id = useId();
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
      {/* biome-ignore lint/a11y/noAutofocus: the reason field opens after the moderator chose to act: focus goes where they will type */}
      <input id={id} type="text" value={reason} onChange={(e) => setReason(e.target.value)} autoFocus maxLength={500} aria-invalid={error ? true : undefined} />
      {error && <p className="field-error" role="alert">{error}</p>}
      <button type="submit" className="button small">{t('moderation.confirm')}</button>{' '}
      <button type="button" className="button secondary small" onClick={onCancel}>{t('moderation.cancel')}</button>
    </form>
  );
}

/** Moderator actions on a thread: pin, lock, move (to a channel chosen from the list). */
export function ThreadModTools({ thread, onChanged }: { thread: { id: string; pinned: boolean; locked: boolean; channelSlug: string }; onChanged(thread: Thread): void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [moving, setMoving] = useState(false);
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!hasRole(user, 'moderator')) return null;
  const act = async (action: string, body: object = {}) => {
    setError(null);
    try {
      const res = await api<{ thread: Thread }>(`/api/threads/${thread.id}/${action}`, { method: 'POST', body });
      onChanged(res.thread);
      return true;
    } catch (err) {
      setError(errorMessage(err, t));
      return false;
    }
  };
  const openMove = async () => {
    setMoving((v) => !v);
    if (channels) return;
    try {
      const list = (await api<{ items: Channel[] }>('/api/channels')).items.filter((c) => c.slug !== thread.channelSlug);
      setChannels(list);
      setTarget(list[0]?.slug ?? '');
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <div className="mod-tools" role="group" aria-label={t('moderation.menu')}>
      <button type="button" className="button secondary small" onClick={() => act(thread.pinned ? 'unpin' : 'pin')}>{thread.pinned ? t('moderation.unpin') : t('moderation.pin')}</button>{' '}
      <button type="button" className="button secondary small" onClick={() => act(thread.locked ? 'unlock' : 'lock')}>{thread.locked ? t('moderation.unlock') : t('moderation.lock')}</button>{' '}
      <button type="button" className="button secondary small" aria-expanded={moving} onClick={openMove}>{t('moderation.move')}</button>
      {moving && channels && (
        <form
          className="reason-form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!target) return;
            if (await act('move', { channelSlug: target, ...(reason.trim() ? { reason: reason.trim() } : {}) })) setMoving(false);
          }}
        >
          <label htmlFor={`move-target-${thread.id}`}>{t('moderation.moveTo')}</label>
          <select id={`move-target-${thread.id}`} value={target} onChange={(e) => setTarget(e.target.value)}>
            {channels.map((c) => (
              <option key={c.slug} value={c.slug}>{c.name}</option>
            ))}
          </select>
          <label htmlFor={`move-reason-${thread.id}`}>{t('moderation.reasonOptional')}</label>
          <input id={`move-reason-${thread.id}`} type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="button small">{t('moderation.confirm')}</button>
        </form>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

/** Open reports per post of a thread, for moderators; one request per thread, briefly cached. */
const reportCounts = new Map<string, { at: number; counts: Promise<Map<string, number>> }>();
function openReportsOf(threadId: string): Promise<Map<string, number>> {
  const hit = reportCounts.get(threadId);
  if (hit && Date.now() - hit.at < 5_000) return hit.counts;
  const counts = api<{ items: ReportGroup[] }>(`/api/mod/reports?status=open&limit=100&threadId=${encodeURIComponent(threadId)}`)
    .then((q) => new Map(q.items.map((g) => [g.post.id, g.count])))
    .catch(() => new Map<string, number>());
  reportCounts.set(threadId, { at: Date.now(), counts });
  return counts;
}

/** Hide/unhide for moderators (with the number of open reports), "Meld dit bericht" for other members; `onChanged` gets the post as it is after the action. */
export function PostActions({ post, onChanged }: { post: { id: string; threadId?: string; hidden: boolean; author: { id: string } }; onChanged(post: Post): void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [mode, setMode] = useState<'hide' | 'report' | null>(null);
  const [done, setDone] = useState(false);
  const [reported, setReported] = useState(0);
  const isMod = hasRole(user, 'moderator');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (!isMod || !post.threadId) return;
    let live = true;
    void openReportsOf(post.threadId).then((counts) => live && setReported(counts.get(post.id) ?? 0));
    return () => {
      live = false;
    };
  }, [isMod, post.threadId, post.id, post.hidden]);
  // A refused or failed unhide (403, 409 not_hidden, offline…) says why next to the button, as the hide form does.
  const unhide = useAction(async () => {
    const res = await api<{ post: Post }>(`/api/posts/${post.id}/unhide`, { method: 'POST', body: {} });
    onChanged(res.post);
  });
  if (!user) return null;
  return (
    <span className="post-mod">
      {isMod && reported > 0 && (
        <Link to="/moderatie" className="badge reported">{t('moderation.reports', { count: reported })}</Link>
      )}{' '}
      {isMod && !post.hidden && <button type="button" className="link-button" onClick={() => setMode('hide')}>{t('moderation.hide')}</button>}
      {isMod && post.hidden && (
        <>
          <button type="button" className="link-button" onClick={() => void unhide.run()}>
            {t('moderation.unhide')}
          </button>
          <ActionError error={unhide.error} />
        </>
      )}
      {!isMod && post.author.id !== user.id && !post.hidden && !done && <button type="button" className="link-button" onClick={() => setMode('report')}>{t('moderation.report')}</button>}
      {done && <span role="status">{t('moderation.reported')}</span>}
      {mode === 'hide' && (
        <ReasonForm label={t('moderation.reason')} onCancel={() => setMode(null)} onSubmit={async (reason) => { const res = await api<{ post: Post }>(`/api/posts/${post.id}/hide`, { method: 'POST', body: { reason } }); setMode(null); onChanged(res.post); }} />
      )}
      {mode === 'report' && (
        <ReasonForm label={t('moderation.reportReason')} onCancel={() => setMode(null)} onSubmit={async (reason) => { await api('/api/reports', { method: 'POST', body: { postId: post.id, reason } }); setMode(null); setDone(true); }} />
      )}
    </span>
  );
}

/** The opening post's moderation: the notice when it is hidden, hide/unhide for moderators, "Meld dit bericht" for members. */
export function OpeningPostModeration({ thread, onChanged }: { thread: { id: string; postId: string; hidden?: boolean; hiddenReason?: string; author: { id: string } }; onChanged(post: Post): void }) {
  const { t } = useI18n();
  return (
    <>
      {thread.hidden && (
        <p className="notice hidden-notice">
          {t('thread.hidden')}
          {thread.hiddenReason ? ` — ${t('thread.hiddenReason', { reason: thread.hiddenReason })}` : ''}
        </p>
      )}
      <div className="post-actions">
        <PostActions post={{ id: thread.postId, threadId: thread.id, hidden: !!thread.hidden, author: thread.author }} onChanged={onChanged} />
      </div>
    </>
  );
}

type Queue = { items: ReportGroup[]; nextCursor: string | null };
type Audit = { items: AuditEntry[]; nextCursor: string | null };
const AUDIT_ACTIONS = ['pin', 'unpin', 'lock', 'unlock', 'move', 'hide', 'unhide', 'suspend', 'unsuspend', 'set_role', 'resolve_reports_hide', 'resolve_reports_dismiss', 'resolve_reports_suspend', 'edit_post', 'delete_post', 'delete_thread', 'create_channel', 'update_channel', 'archive_channel', 'unarchive_channel', 'reset_2fa', 'edit_video_session', 'cancel_video_session', 'approve_held_post', 'remove_held_post', 'summarise_video_session'];

/** An audit target in words: "Bericht: “excerpt” in <thread>", "Lid: name", a move's from → to. */
function AuditTarget({ entry: a }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const kind = t(`moderation.targets.${a.targetType}`);
  const tg = a.target;
  const thread = tg.threadId ? <Link to={`/t/${tg.threadId}${a.targetType === 'post' ? `#post-${a.targetId}` : ''}`}>{a.targetType === 'post' ? tg.threadTitle : tg.label}</Link> : null;
  return (
    <>
      <span className="meta">{kind}: </span>
      {a.targetType === 'post' ? (
        <>
          “{tg.label}”{thread && <> {t('modTold.inThread')} {thread}</>}
        </>
      ) : a.targetType === 'thread' && thread ? (
        thread
      ) : (
        tg.label
      )}
      {tg.fromChannel && tg.toChannel && <> ({t('modTold.moveFromTo', { from: tg.fromChannel, to: tg.toChannel })})</>}
    </>
  );
}

/** One group of reports on a post: hide it (with the reporters' reason), dismiss, or suspend its author. */
function ReportGroupCard({ group, onResolved }: { group: ReportGroup; onResolved(): void }) {
  const { t } = useI18n();
  const [suspending, setSuspending] = useState(false);
  const [confirmSuspend, setConfirmSuspend] = useState(false);
  const [until, setUntil] = useState(() => amsterdamDateIn(7));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const resolve = async (body: object) => {
    setError(null);
    try {
      await api(`/api/mod/reports/${group.reportId}/resolve`, { method: 'POST', body });
      onResolved();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  const g = group;
  return (
    <li className="card report-group">
      <p className="meta">
        <strong>{t('moderation.reports', { count: g.count })}</strong> · {g.post.author.displayName} · <Link to={`/t/${g.post.threadId}#post-${g.post.id}`}>{g.post.threadTitle}</Link>
        {g.post.hidden && <> · <span className="badge muted">{t('moderation.alreadyHidden')}</span></>}
      </p>
      <blockquote>{g.post.excerpt}</blockquote>
      <ul>
        {g.reports.map((r) => (
          <li key={r.id}>
            {r.reporter.displayName}: {r.reason}
          </li>
        ))}
      </ul>
      <ConfirmButton className="button small" label={t('moderation.resolveHide')} question={t('modTold.confirmHide')} confirmLabel={t('modTold.yesHide')} onConfirm={() => resolve({ resolution: 'hide', reason: g.reports[0]?.reason ?? t('moderation.reportedReason') })} />{' '}
      <ConfirmButton label={t('moderation.dismiss')} question={t('modTold.confirmDismiss')} confirmLabel={t('modTold.yesDismiss')} onConfirm={() => resolve({ resolution: 'dismiss' })} />{' '}
      <button type="button" className="button secondary small" aria-expanded={suspending} onClick={() => setSuspending((v) => !v)}>{t('moderation.suspendAuthor')}</button>
      {suspending && (
        <form
          className="reason-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!reason.trim()) return setError(t('errors.field.required'));
            setConfirmSuspend(true);
          }}
        >
          <label htmlFor={`until-${g.reportId}`}>{t('moderation.until')}</label>
          <input id={`until-${g.reportId}`} type="date" value={until} min={amsterdamDateIn(1)} onChange={(e) => setUntil(e.target.value)} required />
          <label htmlFor={`suspend-reason-${g.reportId}`}>{t('moderation.reason')}</label>
          <input id={`suspend-reason-${g.reportId}`} type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="button small">{t('moderation.confirm')}</button>
          {confirmSuspend && (
            <span className="confirm" role="group" aria-label={t('modTold.confirmSuspend', { name: g.post.author.displayName })}>
              <span>{t('modTold.confirmSuspend', { name: g.post.author.displayName })}</span>{' '}
              {/* biome-ignore lint/a11y/noAutofocus: the question appears because the moderator just asked to suspend: focus goes to its answer */}
              <button type="button" className="button small danger" autoFocus onClick={() => {
                setConfirmSuspend(false);
                // Until the end of the chosen day on the Amsterdam clock, whatever the browser's time zone.
                void resolve({ resolution: 'suspend', reason: reason.trim(), until: amsterdamInputToIso(`${until}T23:59`) });
              }}>{t('modTold.yesSuspend')}</button>{' '}
              <button type="button" className="button secondary small" onClick={() => setConfirmSuspend(false)}>{t('moderation.cancel')}</button>
            </span>
          )}
        </form>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </li>
  );
}

export function ModerationPage() {
  const { t, locale } = useI18n();
  const { user, loading } = useSession();
  const isMod = hasRole(user, 'moderator');
  const [filters, setFilters] = useState({ action: '', targetType: '', targetId: '' });
  const auditQuery = new URLSearchParams({ limit: '50', ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) }).toString();
  const [reports, reloadReports, updateReports] = useAsync((signal) => (isMod ? api<Queue>('/api/mod/reports?status=open', { signal }) : Promise.resolve<Queue>({ items: [], nextCursor: null })), [isMod]);
  const [audit, reloadAudit, updateAudit] = useAsync((signal) => (isMod ? api<Audit>(`/api/mod/audit-log?${auditQuery}`, { signal }) : Promise.resolve<Audit>({ items: [], nextCursor: null })), [isMod, auditQuery]);

  // A post hidden elsewhere (by another moderator) changes the queue and the log.
  useEffect(() => {
    if (!isMod) return;
    return subscribe(topics.mod, {
      onEvent: () => {
        reloadReports();
        reloadAudit();
      },
    });
  }, [isMod, reloadReports, reloadAudit]);

  if (loading) return <Loading />;
  if (!isMod) return <p className="notice">{t('errors.forbidden')}</p>;
  const moreReports = async (cursor: string) => {
    const more = await api<Queue>(`/api/mod/reports?status=open&cursor=${encodeURIComponent(cursor)}`);
    updateReports((d) => ({ items: appendPage(d.items, more.items, (g) => g.reportId), nextCursor: more.nextCursor }));
  };
  const moreAudit = async (cursor: string) => {
    const more = await api<Audit>(`/api/mod/audit-log?${auditQuery}&cursor=${encodeURIComponent(cursor)}`);
    updateAudit((d) => ({ items: appendPage(d.items, more.items, (a) => a.id), nextCursor: more.nextCursor }));
  };
  const onResolved = () => {
    reloadReports();
    reloadAudit();
  };
  return (
    <>
      <PageTitle>{t('moderation.page')}</PageTitle>
      <section aria-labelledby="queue-title">
        <h2 id="queue-title">{t('moderation.queue')}</h2>
        <AsyncView state={reports} onRetry={reloadReports}>
          {(queue) =>
            queue.items.length === 0 ? (
              <Empty>{t('moderation.queueEmpty')}</Empty>
            ) : (
              <>
                <ul className="card-list">
                  {queue.items.map((g) => (
                    <ReportGroupCard key={g.reportId} group={g} onResolved={onResolved} />
                  ))}
                </ul>
                {queue.nextCursor && <LoadMore cursor={queue.nextCursor} load={moreReports} />}
              </>
            )
          }
        </AsyncView>
      </section>
      <HeldPostsQueue onDecided={reloadAudit} />
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">{t('moderation.auditLog')}</h2>
        <form className="reason-form audit-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('moderation.auditFilter')}>
          <label htmlFor="audit-action">{t('moderation.auditAction')}</label>
          <select id="audit-action" value={filters.action} onChange={(e) => setFilters((f) => ({ ...f, action: e.target.value }))}>
            <option value="">{t('moderation.all')}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>{t(`moderation.actions.${a}`)}</option>
            ))}
          </select>
          <label htmlFor="audit-target-type">{t('moderation.auditTargetType')}</label>
          <select id="audit-target-type" value={filters.targetType} onChange={(e) => setFilters((f) => ({ ...f, targetType: e.target.value }))}>
            <option value="">{t('moderation.all')}</option>
            {(['thread', 'post', 'user', 'channel', 'video_session'] as const).map((tt) => (
              <option key={tt} value={tt}>{t(`moderation.targets.${tt}`)}</option>
            ))}
          </select>
          <label htmlFor="audit-target-id">{t('moderation.auditTargetId')}</label>
          <input id="audit-target-id" type="text" inputMode="numeric" pattern="[0-9]*" value={filters.targetId} onChange={(e) => setFilters((f) => ({ ...f, targetId: e.target.value.replace(/\D/g, '') }))} />
        </form>
        <AsyncView state={audit} onRetry={reloadAudit}>
          {(log) =>
            log.items.length === 0 ? (
              <Empty>{t('moderation.auditEmpty')}</Empty>
            ) : (
              <>
                <table className="audit">
                  <thead>
                    <tr>
                      <th scope="col">{t('moderation.auditTime')}</th>
                      <th scope="col">{t('moderation.auditActor')}</th>
                      <th scope="col">{t('moderation.auditAction')}</th>
                      <th scope="col">{t('moderation.auditTarget')}</th>
                      <th scope="col">{t('moderation.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {log.items.map((a) => (
                      <tr key={a.id}>
                        <td>{formatDateTime(a.createdAt, locale)}</td>
                        <td>{a.actor.displayName}</td>
                        <td>{t(`moderation.actions.${a.action}`) === `moderation.actions.${a.action}` ? a.action : t(`moderation.actions.${a.action}`)}</td>
                        <td>
                          <AuditTarget entry={a} />
                        </td>
                        <td>{a.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {/* One per filter: a failure under the old filter is not shown under a new one. */}
                {log.nextCursor && <LoadMore key={auditQuery} cursor={log.nextCursor} load={moreAudit} />}
              </>
            )
          }
        </AsyncView>
      </section>
    </>
  );
}
