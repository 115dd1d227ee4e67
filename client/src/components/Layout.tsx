import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useI18n } from '../i18n';
import { onStatus } from '../lib/realtime';
import { hasRole, useSession } from '../lib/session';
import { SuspensionBanner } from '../features/moderation';
import { TwoFactorBanner } from '../features/account/TwoFactorSettings';
import { NotificationBell } from '../features/notifications';
import { ModerationNavLink } from '../features/ModerationCount';
import { SearchBox } from '../features/search';

function OfflineBanner() {
  const { t } = useI18n();
  const [status, setStatus] = useState<'connecting' | 'online' | 'offline'>('connecting');
  useEffect(() => onStatus(setStatus), []);
  if (status !== 'offline') return null;
  return (
    <div className="offline" role="status">
      {t('app.offline')}
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const { user, logout } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              P
            </span>
            <span>
              <span className="brand-name">{t('app.name')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </span>
          </Link>
          <SearchBox />
          <nav aria-label={t('app.mainNav')} className="main-nav">
            <ul>
              <li>
                <Link to="/agenda">{t('sessionFlow.agenda')}</Link>
              </li>
              {user ? (
                <>
                  <li>
                    <NotificationBell />
                  </li>
                  {hasRole(user, 'moderator') && (
                    <li>
                      <ModerationNavLink />
                    </li>
                  )}
                  {hasRole(user, 'admin') && (
                    <li>
                      <Link to="/beheer">{t('admin.title')}</Link>
                    </li>
                  )}
                  <li>
                    <Link to="/videosessies">{t('video.mine')}</Link>
                  </li>

                  <li>
                    <Link to="/instellingen">{user.displayName}</Link>
                  </li>
                  <li>
                    <button
                      type="button"
                      className="link-button"
                      onClick={async () => {
                        await logout();
                        navigate('/');
                      }}
                    >
                      {t('app.logout')}
                    </button>
                  </li>
                </>
              ) : (
                <>
                  <li>
                    <Link to="/inloggen">{t('app.login')}</Link>
                  </li>
                  <li>
                    <Link to="/aanmelden" className="button small">
                      {t('app.signup')}
                    </Link>
                  </li>
                </>
              )}
              <li>
                <button type="button" className="link-button" lang={locale === 'nl' ? 'en' : 'nl'} onClick={() => setLocale(locale === 'nl' ? 'en' : 'nl')}>
                  {t('app.language')}
                </button>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <OfflineBanner />
      <main id="main" className="content" tabIndex={-1}>
        <SuspensionBanner />
        <TwoFactorBanner />
        {children}
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
