import { StrictMode } from 'react';
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
import { OrganisationsPage } from './features/admin/Organisations';
import './styles.css';

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
              <Route path="/meldingen" element={<NotificationsPage />} />
              <Route path="/moderatie" element={<ModerationPage />} />
              <Route path="/videosessies" element={<MyVideoSessionsPage />} />
              <Route path="/beheer/organisaties" element={<OrganisationsPage />} />
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
