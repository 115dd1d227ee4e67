// Changing the e-mail address on the settings page: it takes effect once the link sent to the new address is used.
import { useState } from 'react';
import { Field, errorMessage, fieldErrors } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useSession } from '../../lib/session';

export function EmailAddressSettings() {
  const { t } = useI18n();
  const { user } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  if (!user) return null;
  return (
    <form
      className="card form"
      aria-labelledby="email-change-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setErrors({});
        setMessage(null);
        try {
          await api('/api/me/email', { method: 'PUT', body: { email: email.trim(), password } });
          setMessage(t('account.emailSent', { email: email.trim() }));
          setEmail('');
          setPassword('');
        } catch (err) {
          const fields = fieldErrors(err, t);
          if (fields) setErrors(fields);
          else setMessage(errorMessage(err, t));
        }
      }}
    >
      <h2 id="email-change-title">{t('account.emailTitle')}</h2>
      <p>{t('account.emailCurrent', { email: user.email ?? '' })}</p>
      <p role="status">{message}</p>
      <Field id="new-email" label={t('account.newEmail')} hint={t('account.emailHint')} error={errors.email}>
        {(aria) => <input {...aria} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
      </Field>
      <Field id="email-password" label={t('account.disablePassword')} error={errors.password}>
        {(aria) => <input {...aria} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <button type="submit" className="button secondary">
        {t('account.emailSubmit')}
      </button>
    </form>
  );
}
