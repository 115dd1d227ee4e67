import { type ReactNode, StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout';
import { I18nProvider, initialLocale, loadCatalog } from './i18n';
import { SessionProvider } from './lib/session';
import { ChannelPage } from './pages/ChannelPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage, ProfilePage } from './pages/ProfilePages';
import { ThreadPage } from './pages/ThreadPage';
import { Loading } from './components/ui';
import './styles.css';

// Pages other than the ones people arrive on from a link (home, channel, thread, profile) load when
// they are opened: the first visit from a link stays within the initial JavaScript budget.
const LoginPage = lazy(() => import('./pages/AuthPages').then((m) => ({ default: m.LoginPage })));
const SignupPage = lazy(() => import('./pages/AuthPages').then((m) => ({ default: m.SignupPage })));
const NewThreadPage = lazy(() => import('./pages/NewThreadPage').then((m) => ({ default: m.NewThreadPage })));
const SettingsPage = lazy(() => import('./pages/ProfilePages').then((m) => ({ default: m.SettingsPage })));
const ModerationPage = lazy(() => import('./features/moderation').then((m) => ({ default: m.ModerationPage })));
const NotificationsPage = lazy(() => import('./features/notifications').then((m) => ({ default: m.NotificationsPage })));
const SearchPage = lazy(() => import('./features/search').then((m) => ({ default: m.SearchPage })));
const TagPage = lazy(() => import('./features/tags').then((m) => ({ default: m.TagPage })));
const MyVideoSessionsPage = lazy(() => import('./features/MyVideoSessions').then((m) => ({ default: m.MyVideoSessionsPage })));
const AgendaPage = lazy(() => import('./features/video-sessions/AgendaPage').then((m) => ({ default: m.AgendaPage })));
const RegisterFromMailPage = lazy(() => import('./features/video-sessions/RegisterFromNotice').then((m) => ({ default: m.RegisterFromMailPage })));
const VerifyEmailPage = lazy(() => import('./features/account/AccountPages').then((m) => ({ default: m.VerifyEmailPage })));
const ForgotPasswordPage = lazy(() => import('./features/account/AccountPages').then((m) => ({ default: m.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => import('./features/account/AccountPages').then((m) => ({ default: m.ResetPasswordPage })));
// The Beheer page is for a few people: its code loads when it is opened.
const AdminPage = lazy(() => import('./pages/AdminPage').then((m) => ({ default: m.AdminPage })));
const AdminUsers = lazy(() => import('./features/admin/AdminUsers').then((m) => ({ default: m.AdminUsers })));
const AdminChannels = lazy(() => import('./features/admin/AdminChannels').then((m) => ({ default: m.AdminChannels })));
const AdminOrganisations = lazy(() => import('./features/admin/Organisations').then((m) => ({ default: m.Organisations })));
const AdminSynonyms = lazy(() => import('./features/admin/Synonyms').then((m) => ({ default: m.Synonyms })));
const later = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <BrowserRouter>
          <Layout>
            <Routes>
              <Route path="/" element={<HomePage />} />
              <Route path="/c/:slug" element={<ChannelPage />} />
              <Route path="/c/:slug/nieuw" element={later(<NewThreadPage />)} />
              <Route path="/t/:id" element={<ThreadPage />} />
              <Route path="/t/:id/:slug" element={<ThreadPage />} />
              <Route path="/inloggen" element={later(<LoginPage />)} />
              <Route path="/aanmelden" element={later(<SignupPage />)} />
              <Route path="/instellingen" element={later(<SettingsPage />)} />
              <Route path="/u/:id" element={<ProfilePage />} />
              <Route path="/zoeken" element={later(<SearchPage />)} />
              <Route path="/tag/:tag" element={later(<TagPage />)} />
              <Route path="/meldingen" element={later(<NotificationsPage />)} />
              <Route path="/moderatie" element={later(<ModerationPage />)} />
              <Route path="/videosessies" element={later(<MyVideoSessionsPage />)} />
              <Route path="/videosessies/:id/aanmelden" element={later(<RegisterFromMailPage />)} />
              <Route path="/agenda" element={later(<AgendaPage />)} />
              <Route path="/e-mail-bevestigen" element={later(<VerifyEmailPage />)} />
              <Route path="/wachtwoord-vergeten" element={later(<ForgotPasswordPage />)} />
              <Route path="/wachtwoord-herstellen" element={later(<ResetPasswordPage />)} />
              <Route path="/beheer" element={later(<AdminPage />)}>
                <Route index element={later(<AdminUsers />)} />
                <Route path="kanalen" element={later(<AdminChannels />)} />
                <Route path="organisaties" element={later(<AdminOrganisations />)} />
                <Route path="synoniemen" element={later(<AdminSynonyms />)} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Layout>
        </BrowserRouter>
      </SessionProvider>
    </I18nProvider>
  );
}

const locale = initialLocale();
document.documentElement.lang = locale;
// A reader who chose English gets it from the first paint: its catalog is loaded before rendering.
void loadCatalog(locale).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
