// What a visitor sees where the reply form would be: log in or create an account, and come back here.
import { Link } from 'react-router-dom';
import { useI18n } from '../../i18n';

/** The way back after logging in or signing up: this page, at the same place. */
export const backHere = (extra = '') => `terug=${encodeURIComponent(`${location.pathname}${extra}${location.hash}`)}`;

export function VisitorReply() {
  const { t } = useI18n();
  return (
    <section className="login-to-reply card" aria-labelledby="login-to-reply">
      <h2 id="login-to-reply">{t('threadPage.loginOrSignup')}</h2>
      <p>{t('threadPage.loginOrSignupText')}</p>
      <p>
        <Link className="button" to={`/inloggen?${backHere()}`}>
          {t('threadPage.login')}
        </Link>{' '}
        <Link className="button secondary" to={`/aanmelden?${backHere()}`}>
          {t('threadPage.signup')}
        </Link>
      </p>
    </section>
  );
}

/** "Abonneren" for a visitor: log in first; back on the page the subscription is made (?volgen=1). */
export function VisitorFollow() {
  const { t } = useI18n();
  return (
    <Link className="button small secondary" to={`/inloggen?${backHere('?volgen=1')}`}>
      {t('threadPage.follow')}
    </Link>
  );
}
