import { fieldErrors } from '../../components/ui';

// The server explains a refused password in Dutch (common password, the address, the name, spaces).
const DUTCH_REASON = /wachtwoord|spaties|e-mailadres|naam|raden|gebruikt/i;

/**
 * fieldErrors, but a password refused for a reason keeps the server's Dutch reason in the Dutch
 * interface (English gets a general line), so people learn why.
 */
export function accountFieldErrors(error: unknown, t: (key: string) => string, locale: string): Record<string, string> | null {
  const fields = fieldErrors(error, t);
  if (!fields) return null;
  const raw = (error as { fields?: Record<string, string> }).fields ?? {};
  for (const name of ['password', 'newPassword']) {
    const reason = raw[name];
    if (!reason) continue;
    if (/minstens \d+ tekens/.test(reason)) fields[name] = t('errors.field.password');
    else if (DUTCH_REASON.test(reason)) fields[name] = locale === 'nl' ? reason : t('account.passwordWeak');
  }
  return fields;
}
