import { useState } from 'react';
import { EmailAddressSettings } from '../features/account/EmailAddressSettings';
import { TwoFactorSettings } from '../features/account/TwoFactorSettings';
import { Link, Navigate, useParams } from 'react-router-dom';
import type { PublicProfile, User } from '../../../shared/schemas/accounts';
import { AsyncView, Avatar, Field, Loading, NotFound, PageTitle, errorMessage, fieldErrors } from '../components/ui';
import { useI18n } from '../i18n';
import { ApiError, api } from '../lib/api';
import { formatDate } from '../lib/dates';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { Contributions } from '../features/thread/Contributions';
import { AvatarUpload } from '../features/attachments';
import { EmailSettings } from '../features/notifications';
import { LinkedLogins, OrganisationName } from '../features/organisations';

export function ProfilePage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const [state, reload] = useAsync((signal) => api<{ user: PublicProfile }>(`/api/users/${encodeURIComponent(id)}`, { signal }), [id]);
  return (
    <AsyncView state={state} onRetry={reload}>
      {({ user: u }) => (
        <div className="profile card">
          <Avatar author={u} size={96} />
          <PageTitle>{u.displayName}</PageTitle>
          <p className="lead">
            {u.jobTitle}
            {u.jobTitle && u.organisation && ' · '}
            <OrganisationName author={u} />
          </p>
          <p>
            <span className={`badge role-${u.role}`}>{t(`profile.role.${u.role}`)}</span> {t('profile.memberSince', { date: formatDate(u.createdAt, locale) })}
          </p>
          <p>{u.bio || t('profile.noBio')}</p>
          <Contributions userId={u.id} />
          {/* Search needs words: the page opens with this author chosen and the search box focused. */}
          <p>
            <Link to={`/zoeken?author=${encodeURIComponent(u.id)}`}>{t('profile.searchPosts')}</Link>
          </p>
        </div>
      )}
    </AsyncView>
  );
}

export function SettingsPage() {
  const { t } = useI18n();
  const { user, loading, setUser, refresh } = useSession();
  const [form, setForm] = useState<Record<string, string> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pw, setPw] = useState({ currentPassword: '', newPassword: '' });
  const [pwErrors, setPwErrors] = useState<Record<string, string>>({});
  const [pwMessage, setPwMessage] = useState<string | null>(null);
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/inloggen?terug=/instellingen" replace />;
  const values = form ?? { displayName: user.displayName, jobTitle: user.jobTitle, organisation: user.organisation, bio: user.bio };
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...values, [k]: e.target.value });

  return (
    <div className="narrow">
      <PageTitle>{t('settings.title')}</PageTitle>
      <p>
        <Link to={`/u/${user.id}`}>{t('settings.viewProfile')}</Link>
      </p>
      <form
        className="card form"
        onSubmit={async (e) => {
          e.preventDefault();
          setErrors({});
          setMessage(null);
          try {
            const res = await api<{ user: User }>('/api/me', { method: 'PATCH', body: values });
            setUser(res.user);
            setForm(null);
            setMessage(t('settings.saved'));
          } catch (err) {
            const fields = fieldErrors(err, t);
            if (fields) setErrors(fields);
            else setMessage(errorMessage(err, t));
          }
        }}
      >
        <p role="status">{message}</p>
        <Field id="displayName" label={t('settings.displayName')} error={errors.displayName}>
          {(aria) => <input {...aria} type="text" value={values.displayName} onChange={set('displayName')} />}
        </Field>
        <Field id="jobTitle" label={t('settings.jobTitle')} error={errors.jobTitle}>
          {(aria) => <input {...aria} type="text" value={values.jobTitle} onChange={set('jobTitle')} />}
        </Field>
        <Field id="organisation" label={t('settings.organisation')} hint={user.organisationVerified ? t('organisations.verifiedHint') : undefined} error={errors.organisation}>
          {(aria) => <input {...aria} type="text" value={values.organisation} onChange={set('organisation')} readOnly={user.organisationVerified} />}
        </Field>
        <Field id="bio" label={t('settings.bio')} error={errors.bio}>
          {(aria) => <textarea {...aria} rows={4} value={values.bio} onChange={set('bio')} />}
        </Field>
        <button type="submit" className="button">
          {t('settings.save')}
        </button>
      </form>
      <h2>{t('attachments.photo')}</h2>
      <AvatarUpload user={user} onSaved={() => void refresh()} />
      <LinkedLogins />
      <EmailSettings />
      <form
        className="card form"
        aria-labelledby="pw-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setPwErrors({});
          setPwMessage(null);
          try {
            await api('/api/me/password', { method: 'POST', body: pw });
            setPw({ currentPassword: '', newPassword: '' });
            setPwMessage(t('settings.passwordChanged'));
          } catch (err) {
            const fields = fieldErrors(err, t);
            if (fields) setPwErrors(fields);
            else setPwMessage(errorMessage(err, t));
          }
        }}
      >
        <h2 id="pw-title">{t('settings.passwordTitle')}</h2>
        <p role="status">{pwMessage}</p>
        <Field id="currentPassword" label={t('settings.currentPassword')} error={pwErrors.currentPassword}>
          {(aria) => <input {...aria} type="password" autoComplete="current-password" value={pw.currentPassword} onChange={(e) => setPw({ ...pw, currentPassword: e.target.value })} />}
        </Field>
        <Field id="newPassword" label={t('settings.newPassword')} hint={t('auth.passwordHint')} error={pwErrors.newPassword}>
          {(aria) => <input {...aria} type="password" autoComplete="new-password" value={pw.newPassword} onChange={(e) => setPw({ ...pw, newPassword: e.target.value })} />}
        </Field>
        <button type="submit" className="button secondary">
          {t('settings.changePassword')}
        </button>
      </form>
      <EmailAddressSettings />
      <TwoFactorSettings />
      <PrivacySection />
    </div>
  );
}

function PrivacySection() {
  const { t } = useI18n();
  const { setUser } = useSession();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card form" aria-labelledby="privacy-title">
      <h2 id="privacy-title">{t('privacy.title')}</h2>
      <p>
        <a href="/api/me/export" download>
          {t('privacy.export')}
        </a>
      </p>
      <p className="hint">{t('privacy.exportHint')}</p>
      <h3>{t('privacy.delete')}</h3>
      <p className="hint">{t('privacy.deleteHint')}</p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await api('/api/me', { method: 'DELETE', body: { password } });
            setUser(null);
            location.assign('/');
          } catch (err) {
            setError(err instanceof ApiError && err.fields.password ? t('errors.invalid_credentials') : errorMessage(err, t));
          }
        }}
      >
        <Field id="delete-password" label={t('privacy.confirmPassword')} error={error ?? undefined}>
          {(aria) => <input {...aria} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button secondary">
          {t('privacy.deleteButton')}
        </button>
      </form>
    </section>
  );
}

export function NotFoundPage() {
  return <NotFound />;
}
