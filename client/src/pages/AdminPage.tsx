// The Beheer page: a tab per part. Another part (organisations, synonyms) adds a tab here and a route in main.tsx.
import { Navigate, NavLink, Outlet } from 'react-router-dom';
import { Loading, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { hasRole, useSession } from '../lib/session';

/** The tabs: path (under /beheer) and the catalog key of the label. */
export const ADMIN_TABS: { to: string; label: string }[] = [
  { to: '/beheer', label: 'admin.usersTab' },
  { to: '/beheer/kanalen', label: 'admin.channelsTab' },
  { to: '/beheer/organisaties', label: 'admin.organisationsTab' },
  { to: '/beheer/synoniemen', label: 'admin.synonymsTab' },
];

export function AdminPage() {
  const { t } = useI18n();
  const { user, loading } = useSession();
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/inloggen?terug=/beheer" replace />;
  if (!hasRole(user, 'admin')) return <Navigate to="/" replace />;
  return (
    <div>
      <PageTitle>{t('admin.title')}</PageTitle>
      <nav aria-label={t('admin.tabs')} className="admin-tabs">
        <ul>
          {ADMIN_TABS.map((tab) => (
            <li key={tab.to}>
              <NavLink to={tab.to} end>
                {t(tab.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
