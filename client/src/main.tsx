import { type ReactNode, StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout';
import { I18nProvider } from './i18n';
import { SessionProvider } from './lib/session';
import { LoginPage, SignupPage } from './pages/AuthPages';
import { ChannelPage } from './pages/ChannelPage';
import { HomePage } from './pages/HomePage';
import { NewThreadPage } from './pages/NewThreadPage';
import { NotFoundPage, ProfilePage, SettingsPage } from './pages/ProfilePages';
import { ThreadPage } from './pages/ThreadPage';
import { ModerationPage } from './features/moderation';
import { NotificationsPage } from './features/notifications';
import { SearchPage } from './features/search';
import { MyVideoSessionsPage } from './features/MyVideoSessions';
import { AgendaPage } from './features/video-sessions/AgendaPage';
import { RegisterFromMailPage } from './features/video-sessions/RegisterFromNotice';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './features/account/AccountPages';
import { Loading } from './components/ui';

// The Beheer page is for a few people: its code loads when it is opened.
const AdminPage = lazy(() => import('./pages/AdminPage').then((m) => ({ default: m.AdminPage })));
const AdminUsers = lazy(() => import('./features/admin/AdminUsers').then((m) => ({ default: m.AdminUsers })));
const AdminChannels = lazy(() => import('./features/admin/AdminChannels').then((m) => ({ default: m.AdminChannels })));
const AdminSynonyms = lazy(() => import('./features/admin/Synonyms').then((m) => ({ default: m.Synonyms })));
const admin = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;
import './styles.css';
import { TagPage } from './features/tags';

function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <BrowserRouter>
          <Layout>
            <Routes>
              <Route path="/" element={<HomePage />} />
              <Route path="/c/:slug" element={<ChannelPage />} />
              <Route path="/c/:slug/nieuw" element={<NewThreadPage />} />
              <Route path="/t/:id" element={<ThreadPage />} />
              <Route path="/t/:id/:slug" element={<ThreadPage />} />
              <Route path="/inloggen" element={<LoginPage />} />
              <Route path="/aanmelden" element={<SignupPage />} />
              <Route path="/instellingen" element={<SettingsPage />} />
              <Route path="/u/:id" element={<ProfilePage />} />
              <Route path="/zoeken" element={<SearchPage />} />
              <Route path="/tag/:tag" element={<TagPage />} />
              <Route path="/meldingen" element={<NotificationsPage />} />
              <Route path="/moderatie" element={<ModerationPage />} />
              <Route path="/videosessies" element={<MyVideoSessionsPage />} />
              <Route path="/videosessies/:id/aanmelden" element={<RegisterFromMailPage />} />
              <Route path="/agenda" element={<AgendaPage />} />
              <Route path="/e-mail-bevestigen" element={<VerifyEmailPage />} />
              <Route path="/wachtwoord-vergeten" element={<ForgotPasswordPage />} />
              <Route path="/wachtwoord-herstellen" element={<ResetPasswordPage />} />
              <Route path="/beheer" element={admin(<AdminPage />)}>
                <Route index element={admin(<AdminUsers />)} />
                <Route path="kanalen" element={admin(<AdminChannels />)} />
                <Route path="synoniemen" element={admin(<AdminSynonyms />)} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Layout>
        </BrowserRouter>
      </SessionProvider>
    </I18nProvider>
  );
}

document.documentElement.lang = localStorage.getItem('plein.locale') === 'en' ? 'en' : 'nl';
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
