// Pages reached from account mails and the login page: confirm the address, forgot password, new password.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { User } from '../../../../shared/schemas/accounts';
import { Field, Loading, PageTitle, errorMessage } from '../../components/ui';
import { useI18n } from '../../i18n';
import { ApiError, api } from '../../lib/api';
import { useSession } from '../../lib/session';
import { accountFieldErrors } from './passwordErrors';

/** /e-mail-bevestigen?token=…: confirms the address (once: React's double effect in development must not spend the link twice). */
export function VerifyEmailPage() {
  const { t } = useI18n();
  const { setUser } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [state, setState] = useState<'busy' | 'done' | 'login' | 'failed'>('busy');
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = params.get('token') ?? '';
    api<{ user: User }>('/api/auth/verify-email', { method: 'POST', body: { token } })
      .then(async () => {
        // With two-factor on, the link confirms but does not sign in.
        const me = await api<{ user: User }>('/api/me').catch(() => null);
        if (me) {
          setUser(me.user);
          setState('done');
          // Back to the thread they were reading when they signed up (kept by the sign-up page).
          const back = localStorage.getItem('plein.afterVerify');
          localStorage.removeItem('plein.afterVerify');
          navigate(back?.startsWith('/') && !back.startsWith('//') ? back : '/', { replace: true, state: { flash: 'verified' } });
        } else setState('login');
      })
      .catch((err: unknown) => {
        setState('failed');
        setError(err instanceof ApiError && err.code === 'invalid_token' ? t('account.linkInvalid') : errorMessage(err, t));
      });
  }, [params, setUser, navigate, t]);
  return (
    <div className="narrow">
      <PageTitle>{t('account.verifyTitle')}</PageTitle>
      {state === 'busy' && <Loading />}
      {state === 'done' && <p role="status">{t('account.verified')}</p>}
      {state === 'login' && (
        <p role="status">
          {t('account.verifiedLogin')} <Link to="/inloggen">{t('account.toLogin')}</Link>
        </p>
      )}
      {state === 'failed' && (
        <div role="alert">
          <p>{error}</p>
          <p>
            <Link to="/inloggen">{t('account.toLogin')}</Link>
          </p>
        </div>
      )}
    </div>
  );
}

/** /wachtwoord-vergeten: always the same answer, whether or not the address has an account. */
export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="narrow">
      <PageTitle>{t('account.forgotTitle')}</PageTitle>
      {sent ? (
        <p className="card" role="status">
          {t('account.forgotSent')}
        </p>
      ) : (
        <form
          className="card form"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              await api('/api/auth/password-reset', { method: 'POST', body: { email } });
              setSent(true);
            } catch (err) {
              setError(errorMessage(err, t));
            }
          }}
        >
          <p>{t('account.forgotIntro')}</p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Field id="email" label={t('auth.email')}>
            {(aria) => <input {...aria} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <button type="submit" className="button">
            {t('account.forgotSubmit')}
          </button>
        </form>
      )}
    </div>
  );
}

/** /wachtwoord-herstellen?token=…: a new password; every session ends, so the person logs in again. */
export function ResetPasswordPage() {
  const { t, locale } = useI18n();
  const { setUser } = useSession();
  const [params] = useSearchParams();
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  return (
    <div className="narrow">
      <PageTitle>{t('account.resetTitle')}</PageTitle>
      {done ? (
        <div className="card" role="status">
          <p>{t('account.resetDone')}</p>
          <Link to="/inloggen" className="button">
            {t('account.toLogin')}
          </Link>
        </div>
      ) : (
        <form
          className="card form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            setErrors({});
            setFormError(null);
            try {
              await api('/api/auth/password-reset/confirm', { method: 'POST', body: { token: params.get('token') ?? '', password } });
              setUser(null);
              setDone(true);
            } catch (err) {
              const fields = accountFieldErrors(err, t, locale);
              if (fields) setErrors(fields);
              else setFormError(err instanceof ApiError && err.code === 'invalid_token' ? t('account.linkInvalid') : errorMessage(err, t));
            }
          }}
        >
          {formError && (
            <p className="form-error" role="alert">
              {formError} <Link to="/wachtwoord-vergeten">{t('account.forgotLink')}</Link>
            </p>
          )}
          <Field id="new-password" label={t('account.newPassword')} hint={t('account.passwordHint')} error={errors.password}>
            {(aria) => <input {...aria} type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <button type="submit" className="button">
            {t('account.resetSubmit')}
          </button>
        </form>
      )}
    </div>
  );
}
