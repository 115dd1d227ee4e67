import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { User } from '../../../shared/schemas/accounts';
import { Field, PageTitle, errorMessage, fieldErrors } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { useSession } from '../lib/session';
import { OrganisationLoginButtons } from '../features/organisations';

function useAuthForm(path: string) {
  const { t } = useI18n();
  const { setUser } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const submit = async (body: Record<string, string>) => {
    setSending(true);
    setErrors({});
    setFormError(null);
    try {
      const res = await api<{ user: User }>(path, { method: 'POST', body });
      setUser(res.user);
      const back = params.get('terug');
      navigate(back?.startsWith('/') && !back.startsWith('//') ? back : '/');
    } catch (err) {
      const fields = fieldErrors(err, t);
      if (fields) setErrors(fields);
      else setFormError(errorMessage(err, t));
    } finally {
      setSending(false);
    }
  };
  return { errors, formError, sending, submit };
}

export function LoginPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, formError, sending, submit } = useAuthForm('/api/auth/login');
  return (
    <div className="narrow">
      <PageTitle>{t('auth.loginTitle')}</PageTitle>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit({ email, password });
        }}
      >
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
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
          {t('auth.noAccount')} <Link to="/aanmelden">{t('app.signup')}</Link>
        </p>
      </form>
      <OrganisationLoginButtons returnTo={safeBack(params.get('terug'))} />
    </div>
  );
}

const safeBack = (back: string | null) => (back?.startsWith('/') && !back.startsWith('//') ? back : '/');

export function SignupPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const { errors, formError, sending, submit } = useAuthForm('/api/auth/signup');
  return (
    <div className="narrow">
      <PageTitle>{t('auth.signupTitle')}</PageTitle>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit({ email, password, displayName });
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
        <Field id="password" label={t('auth.password')} hint={t('auth.passwordHint')} error={errors.password}>
          {(aria) => <input {...aria} type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={sending}>
          {t('auth.submitSignup')}
        </button>
        <p>
          {t('auth.haveAccount')} <Link to="/inloggen">{t('app.login')}</Link>
        </p>
      </form>
    </div>
  );
}
