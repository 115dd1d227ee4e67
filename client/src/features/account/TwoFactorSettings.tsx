// Two-step verification on the settings page: set up with a QR code, show the recovery codes once, turn off.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';

import { Field, errorMessage, fieldErrors } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useSession } from '../../lib/session';

/** On every page while the account's role needs two-step verification that is not set up. */
export function TwoFactorBanner() {
  const { t } = useI18n();
  const { user } = useSession();
  if (!user?.twoFactorRequired) return null;
  const role = t(`profile.role.${user.role}`);
  return (
    <p className="notice" role="status">
      {t('account.twoFactorRequired', { role })} <Link to="/instellingen#twee-stappen">{t('account.setupStart')}</Link>
    </p>
  );
}

export function TwoFactorSettings() {
  const { t } = useI18n();
  const { user, refresh } = useSession();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    if (!setup) return;
    // The QR library is only needed here: loaded when someone sets up two-step verification.
    void import('qrcode').then((QRCode) => QRCode.toDataURL(setup.otpauthUrl, { margin: 1, width: 200 })).then(setQr);
  }, [setup]);

  if (!user) return null;
  const fail = (err: unknown) => {
    const fields = fieldErrors(err, t);
    if (fields) setErrors(fields);
    else setMessage(errorMessage(err, t));
  };
  const begin = () => {
    setErrors({});
    setMessage(null);
  };

  return (
    <section className="card form" aria-labelledby="twee-stappen" id="twee-stappen-sectie">
      <h2 id="twee-stappen" tabIndex={-1}>
        {t('account.twoFactorTitle')}
      </h2>
      <p role="status">{message}</p>
      {recoveryCodes && (
        <div>
          <h3>{t('account.recoveryTitle')}</h3>
          <p>{t('account.recoveryIntro')}</p>
          <ul className="recovery-codes" aria-label={t('account.recoveryTitle')}>
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {user.twoFactorEnabled ? (
        <>
          <p>{t('account.twoFactorOn')}</p>
          <h3>{t('account.disableTitle')}</h3>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              begin();
              try {
                await api('/api/me/2fa', { method: 'DELETE', body: { password, code: code.trim() } });
                setPassword('');
                setCode('');
                setRecoveryCodes(null);
                setMessage(t('account.disabled'));
                await refresh();
              } catch (err) {
                fail(err);
              }
            }}
          >
            <Field id="disable-password" label={t('account.disablePassword')} error={errors.password}>
              {(aria) => <input {...aria} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
            </Field>
            <Field id="disable-code" label={t('account.disableCode')} error={errors.code}>
              {(aria) => <input {...aria} type="text" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />}
            </Field>
            <button type="submit" className="button secondary">
              {t('account.disableSubmit')}
            </button>
          </form>
        </>
      ) : setup ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            begin();
            try {
              const res = await api<{ recoveryCodes: string[] }>('/api/me/2fa/enable', { method: 'POST', body: { code: code.trim() } });
              setRecoveryCodes(res.recoveryCodes);
              setSetup(null);
              setCode('');
              await refresh();
            } catch (err) {
              fail(err);
            }
          }}
        >
          <p>{t('account.setupScan')}</p>
          <p>
            <code className="totp-secret">{setup.secret}</code>
          </p>
          {qr && <img src={qr} alt={t('account.qrAlt')} width={200} height={200} />}
          <Field id="setup-code" label={t('account.setupCode')} error={errors.code}>
            {(aria) => <input {...aria} type="text" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <button type="submit" className="button">
            {t('account.setupSubmit')}
          </button>
        </form>
      ) : (
        <>
          <p>{t('account.twoFactorOff')}</p>
          <button
            type="button"
            className="button"
            onClick={async () => {
              begin();
              try {
                setSetup(await api<{ secret: string; otpauthUrl: string }>('/api/me/2fa/setup', { method: 'POST', body: {} }));
              } catch (err) {
                fail(err);
              }
            }}
          >
            {t('account.setupStart')}
          </button>
        </>
      )}
    </section>
  );
}


