// Closed channels in the web client: the panel on a closed channel's page (what it is, leaving, and
// for the channel's moderators and admins the requests to join), and the request form shown to a
// signed-in person who opens the address of a channel they cannot see.
import type { Static } from '@sinclair/typebox';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { MembershipRequest } from '../../../shared/schemas/channel-members';
import type { Channel } from '../../../shared/schemas/forum';
import { ActionError, Field, NotFound } from '../components/ui';
import { useI18n } from '../i18n';
import { ApiError, api } from '../lib/api';
import { hasRole, useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { orgErrorMessage } from './organisations';

const base = (slug: string) => `/api/channels/${encodeURIComponent(slug)}`;

/** On a closed channel's page: that it is closed, leaving it, and the requests for those who decide them. */
export function ClosedChannelPanel({ channel }: { channel: Channel }) {
  const { t } = useI18n();
  const { user } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  if (channel.visibility !== 'members') return null;
  const mayDecide = channel.myMembership === 'moderator' || (!!user && hasRole(user, 'admin'));
  const leave = async () => {
    if (!window.confirm(t('organisations.leaveConfirm'))) return;
    try {
      await api(`${base(channel.slug)}/members/me`, { method: 'DELETE' });
      navigate('/');
    } catch (err) {
      setError(orgErrorMessage(err, t));
    }
  };
  return (
    <section className="card closed-channel" aria-labelledby="closed-title">
      <h2 id="closed-title">{t('organisations.closed')}</h2>
      <p>{t('organisations.closedIntro')}</p>
      {channel.myMembership === 'organisation' && <p>{t('organisations.memberByOrganisation')}</p>}
      {(channel.myMembership === 'member' || channel.myMembership === 'moderator') && (
        <button type="button" className="button secondary" onClick={() => void leave()}>
          {t('organisations.leave')}
        </button>
      )}
      <ActionError error={error} />
      {mayDecide && <MembershipRequests slug={channel.slug} />}
    </section>
  );
}

function MembershipRequests({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [state, , update] = useAsync((signal) => api<{ items: Static<typeof MembershipRequest>[] }>(`${base(slug)}/membership-requests`, { signal }), [slug]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = async (request: Static<typeof MembershipRequest>, decision: 'approve' | 'decline') => {
    setMessage(null);
    setError(null);
    try {
      await api(`${base(slug)}/membership-requests/${request.id}/${decision}`, { method: 'POST' });
      update((data) => ({ items: data.items.filter((r) => r.id !== request.id) }));
      setMessage(t(decision === 'approve' ? 'organisations.approved' : 'organisations.declined', { name: request.user.displayName }));
    } catch (err) {
      setError(orgErrorMessage(err, t));
    }
  };
  return (
    <div className="membership-requests">
      <h3>{t('organisations.requestsTitle')}</h3>
      <p role="status">{message}</p>
      <ActionError error={error} />
      {state.status === 'ready' && !state.data.items.length && <p>{t('organisations.noRequests')}</p>}
      {state.status === 'ready' && (
        <ul className="plain-list">
          {state.data.items.map((r) => (
            <li key={r.id} className="membership-request">
              <p>
                <strong>{r.user.displayName}</strong>
                {r.user.organisation && ` · ${r.user.organisation}`}
              </p>
              <blockquote>{r.motivation}</blockquote>
              <button type="button" className="button" onClick={() => void decide(r, 'approve')}>
                {t('organisations.approve', { name: r.user.displayName })}
              </button>{' '}
              <button type="button" className="button secondary" onClick={() => void decide(r, 'decline')}>
                {t('organisations.decline', { name: r.user.displayName })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A channel page answered 404 to a signed-in person: it may be closed, so they can ask to join. */
export function ChannelRequestPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [motivation, setMotivation] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // Not found first (an unknown address is the usual case); then the way in to a closed channel.
  return (
    <>
      <NotFound />
      <section className="narrow" aria-labelledby="request-title">
        <h2 id="request-title">{t('organisations.requestTitle')}</h2>
        <p>{t('organisations.requestIntro')}</p>
        {sent ? (
          <p role="status">{t('organisations.requestSent')}</p>
        ) : (
          <form
            className="card form"
            onSubmit={async (e) => {
              e.preventDefault();
              if (sending) return;
              setSending(true);
              setError(null);
              try {
                await api(`${base(slug)}/membership-requests`, { method: 'POST', body: { motivation } });
                setSent(true);
              } catch (err) {
                setError(err instanceof ApiError && err.status === 404 ? t('organisations.errors.not_found') : orgErrorMessage(err, t));
              } finally {
                setSending(false);
              }
            }}
          >
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <Field id="motivation" label={t('organisations.motivation')} hint={t('organisations.motivationHint')}>
              {(aria) => <textarea {...aria} rows={4} required maxLength={1000} value={motivation} onChange={(e) => setMotivation(e.target.value)} />}
            </Field>
            <button type="submit" className="button">
              {t('organisations.sendRequest')}
            </button>
          </form>
        )}
      </section>
    </>
  );
}
