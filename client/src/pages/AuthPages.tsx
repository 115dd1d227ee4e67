import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { LoginResponse, User } from '../../../shared/schemas/accounts';
import { Field, PageTitle, errorMessage, fieldErrors } from '../components/ui';
import { accountFieldErrors } from '../features/account/passwordErrors';
import { useI18n } from '../i18n';
import { ApiError, api } from '../lib/api';
import { useSession } from '../lib/session';
import { OrganisationLoginButtons } from '../features/organisations';

/** Where to go after logging in: the page that sent the visitor here (same site only), else home. */
function useGoBack() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return () => {
    const back = params.get('terug');
    navigate(back?.startsWith('/') && !back.startsWith('//') ? back : '/');
  };
}

export function LoginPage() {
  const { t } = useI18n();
  const { setUser } = useSession();
  const goBack = useGoBack();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);
  const [resent, setResent] = useState(false);
  const [sending, setSending] = useState(false);

  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'email_unverified') {
      setUnverified(true);
      return;
    }
    if (err instanceof ApiError && err.code === 'two_factor_expired') setStep('password');
    const fields = fieldErrors(err, t);
    if (fields) setErrors(fields);
    else setFormError(errorMessage(err, t));
  };
  const run = async (work: () => Promise<void>) => {
    setSending(true);
    setErrors({});
    setFormError(null);
    setUnverified(false);
    try {
      await work();
    } catch (err) {
      fail(err);
    } finally {
      setSending(false);
    }
  };

  const errorBox = formError && (
    <p className="form-error" role="alert">
      {formError}
    </p>
  );

  if (step === 'code') {
    return (
      <div className="narrow">
        <PageTitle>{t('account.codeTitle')}</PageTitle>
        <form
          className="card form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const res = await api<{ user: User }>('/api/auth/login/2fa', { method: 'POST', body: { code: code.trim() } });
              setUser(res.user);
              goBack();
            });
          }}
        >
          <p>{t('account.codeIntro')}</p>
          {errorBox}
          <Field id="code" label={t('account.code')} error={errors.code}>
            {(aria) => <input {...aria} type="text" inputMode="text" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <button type="submit" className="button" disabled={sending}>
            {t('account.codeSubmit')}
          </button>
        </form>
      </div>
    );
  }

  return (
    <div className="narrow">
      <PageTitle>{t('auth.loginTitle')}</PageTitle>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const res = await api<LoginResponse>('/api/auth/login', { method: 'POST', body: { email, password } });
            if ('twoFactorRequired' in res) {
              setStep('code');
              return;
            }
            setUser(res.user);
            goBack();
          });
        }}
      >
        {errorBox}
        {unverified && (
          <div className="form-error" role="alert">
            <p>{t('account.unverified')}</p>
            {resent ? (
              <p role="status">{t('account.resent')}</p>
            ) : (
              <button
                type="button"
                className="button secondary"
                onClick={async () => {
                  await api('/api/auth/verify-email/resend', { method: 'POST', body: { email } }).catch(() => {});
                  setResent(true);
                }}
              >
                {t('account.resend')}
              </button>
            )}
          </div>
        )}
        <Field id="email" label={t('auth.email')} error={errors.email}>
          {(aria) => <input {...aria} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field id="password" label={t('auth.password')} error={errors.password}>
          {(aria) => <input {...aria} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={sending}>
          {t('auth.submitLogin')}
        </button>
        <p>
          <Link to="/wachtwoord-vergeten">{t('account.forgotLink')}</Link>
        </p>
        <p>
          {t('auth.noAccount')} <Link to={`/aanmelden${location.search}`}>{t('app.signup')}</Link>
        </p>
      </form>
      <OrganisationLoginButtons returnTo={safeBack(params.get('terug'))} />
    </div>
  );
}

const safeBack = (back: string | null) => (back?.startsWith('/') && !back.startsWith('//') ? back : '/');

/** Where a new member goes once the mailed link confirmed their address: back to what they were reading. */
export const AFTER_VERIFY_KEY = 'plein.afterVerify';

export function SignupPage() {
  const { t, locale } = useI18n();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<{ email: string; devOutbox?: string } | null>(null);

  if (sent) {
    return (
      <div className="narrow">
        <PageTitle>{t('account.checkMailTitle')}</PageTitle>
        <div className="card" role="status">
          <p>{t('account.checkMail', { email: sent.email })}</p>
          <p className="hint">{t('account.checkMailHint')}</p>
          {sent.devOutbox && (
            <p>
              {t('account.devOutbox')} <a href={sent.devOutbox}>{t('account.devOutboxLink')}</a>
            </p>
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="narrow">
      <PageTitle>{t('auth.signupTitle')}</PageTitle>
      <form
        className="card form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setSending(true);
          setErrors({});
          setFormError(null);
          try {
            const res = await api<{ status: string; devOutbox?: string }>('/api/auth/signup', { method: 'POST', body: { email, password, displayName } });
            const back = safeBack(params.get('terug'));
            if (back !== '/') localStorage.setItem(AFTER_VERIFY_KEY, back);
            setSent({ email, devOutbox: res.devOutbox });
          } catch (err) {
            const fields = accountFieldErrors(err, t, locale);
            if (fields) setErrors(fields);
            else if (err instanceof ApiError && err.code === 'display_name_taken') setErrors({ displayName: errorMessage(err, t) });
            else setFormError(errorMessage(err, t));
          } finally {
            setSending(false);
          }
        }}
      >
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <Field id="displayName" label={t('auth.displayName')} hint={t('auth.displayNameHint')} error={errors.displayName}>
          {(aria) => <input {...aria} type="text" autoComplete="name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <Field id="email" label={t('auth.email')} error={errors.email}>
          {(aria) => <input {...aria} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field id="password" label={t('auth.password')} hint={t('account.passwordHint')} error={errors.password}>
          {(aria) => <input {...aria} type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={sending}>
          {t('auth.submitSignup')}
        </button>
        <p>
          {t('auth.haveAccount')} <Link to={`/inloggen${location.search}`}>{t('app.login')}</Link>
        </p>
      </form>
    </div>
  );
}
