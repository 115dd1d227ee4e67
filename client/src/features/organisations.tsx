// Log in with your organisation (buttons on the login page, links in the settings), and the
// "geverifieerd" mark next to a verified organisation on every author line.
import type { Static } from '@sinclair/typebox';
import { useState } from 'react';
import type { Author } from '../../../shared/schemas/accounts';
import type { MyLogins, OidcProviderInfo } from '../../../shared/schemas/organisations';
import { ActionError, errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { ApiError, api } from '../lib/api';
import { useAsync } from '../lib/useAsync';

type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** This feature's error texts first (organisations.errors), then the usual ones. */
export function orgErrorMessage(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    const key = `organisations.errors.${err.code}`;
    const text = t(key);
    if (text !== key) return text;
  }
  return errorMessage(err, t);
}

/** The organisation on an author line, with the mark when it is verified. */
export function OrganisationName({ author }: { author: Pick<Author, 'organisation' | 'organisationVerified'> }) {
  if (!author.organisation) return null;
  return (
    <>
      {author.organisation}
      {author.organisationVerified && <VerifiedMark organisation={author.organisation} />}
    </>
  );
}

export function VerifiedMark({ organisation }: { organisation: string }) {
  const { t } = useI18n();
  return (
    <span className="verified-mark" title={t('organisations.verifiedTitle', { organisation })}>
      <span aria-hidden="true">✓</span> {t('organisations.verified')}
    </span>
  );
}

const startUrl = (id: string, query: Record<string, string>) => `/api/auth/oidc/${encodeURIComponent(id)}/start?${new URLSearchParams(query)}`;

/** "Inloggen met Gemeente Zwolle": one button per configured provider (a full-page navigation to the provider). */
export function OrganisationLoginButtons({ returnTo }: { returnTo: string }) {
  const { t } = useI18n();
  const [state] = useAsync((signal) => api<{ items: Static<typeof OidcProviderInfo>[] }>('/api/auth/oidc/providers', { signal }), []);
  if (state.status !== 'ready' || !state.data.items.length) return null;
  return (
    <section className="card form organisation-login" aria-labelledby="org-login-title">
      <h2 id="org-login-title">{t('organisations.orLogin')}</h2>
      <ul className="plain-list">
        {state.data.items.map((p) => (
          <li key={p.id}>
            <a className="button secondary" href={startUrl(p.id, { returnTo })}>
              {t('organisations.loginWith', { label: p.label })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Settings: linked organisation logins (unlink), and providers to link. */
export function LinkedLogins() {
  const { t } = useI18n();
  const [state, reload] = useAsync((signal) => api<Static<typeof MyLogins>>('/api/me/logins', { signal }), []);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const unlink = async (provider: string) => {
    setMessage(null);
    setError(null);
    try {
      await api(`/api/me/logins/${encodeURIComponent(provider)}`, { method: 'DELETE' });
      setMessage(t('organisations.unlinked'));
      reload();
    } catch (err) {
      setError(orgErrorMessage(err, t));
    }
  };
  if (state.status !== 'ready' || (!state.data.linked.length && !state.data.available.length)) return null;
  const { linked, available, password } = state.data;
  return (
    <section className="card form" aria-labelledby="logins-title">
      <h2 id="logins-title">{t('organisations.loginsTitle')}</h2>
      <p>{t('organisations.loginsIntro')}</p>
      <p role="status">{message}</p>
      {!password && linked.length === 1 && <p className="hint">{t('organisations.noPassword')}</p>}
      <ul className="plain-list">
        {linked.map((l) => (
          <li key={l.provider}>
            {t('organisations.linkedWith', { label: l.label, email: l.email ?? '' })}{' '}
            <button type="button" className="button secondary" onClick={() => void unlink(l.provider)}>
              {t('organisations.unlink', { label: l.label })}
            </button>
          </li>
        ))}
        {available.map((p) => (
          <li key={p.id}>
            <a className="button secondary" href={startUrl(p.id, { link: 'true', returnTo: '/instellingen' })}>
              {t('organisations.link', { label: p.label })}
            </a>
          </li>
        ))}
      </ul>
      <ActionError error={error} />
    </section>
  );
}
