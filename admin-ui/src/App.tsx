import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { firstReadablePage, mayOpen } from './ability';
import { useSession } from './auth';
import { ErrorAlert } from './components/ErrorAlert';
import { Bare, Shell } from './components/Layout';
import { useI18n } from './i18n';
import { AuditPage } from './pages/AuditPage';
import { ChannelsPage } from './pages/ChannelsPage';
import { HomePage, NotAllowedPage } from './pages/HomePage';
import { InboxPage } from './pages/InboxPage';
import { AutoRepliesPage } from './pages/AutoRepliesPage';
import { BusinessHoursPage } from './pages/BusinessHoursPage';
import { LexiconPage } from './pages/LexiconPage';
import { LegalHoldsPage } from './pages/LegalHoldsPage';
import { CostsPage } from './pages/CostsPage';
import { DiscoveryPage } from './pages/DiscoveryPage';
import { ContactsPage } from './pages/ContactsPage';
import { ContactFieldsPage } from './pages/ContactFieldsPage';
import { GdprPage } from './pages/GdprPage';
import { LoginPage } from './pages/LoginPage';
import { PasswordPage } from './pages/PasswordPage';
import { RetentionPage } from './pages/RetentionPage';
import { ReviewPage } from './pages/ReviewPage';
import { SegmentsPage } from './pages/SegmentsPage';
import { CannedPage } from './pages/CannedPage';
import { MacrosPage } from './pages/MacrosPage';
import { ImportsPage } from './pages/ImportsPage';
import { IntegrationsPage } from './pages/IntegrationsPage';
import { BroadcastsPage } from './pages/BroadcastsPage';
import { RolesPage } from './pages/RolesPage';
import { TeamsPage } from './pages/TeamsPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { UsersPage } from './pages/UsersPage';
import { AvailabilityPage } from './pages/AvailabilityPage';
import { RoutingPage } from './pages/RoutingPage';
import { navigate, navigateToLogin, useRoute } from './router';
import type { RouteName } from './router';

/** Replaces the current route (used for redirects, so Back does not bounce). */
function Redirect({ to }: { to: RouteName }) {
  useEffect(() => {
    if (to === 'login') {
      navigateToLogin();
    } else {
      navigate(to, { replace: true });
    }
  }, [to]);
  return null;
}

function pageFor(route: RouteName): ReactNode {
  switch (route) {
    case 'inbox':
      return <InboxPage />;
    case 'channels':
      return <ChannelsPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'users':
      return <UsersPage />;
    case 'teams':
      return <TeamsPage />;
    case 'roles':
      return <RolesPage />;
    case 'audit':
      return <AuditPage />;
    case 'lexicon':
      return <LexiconPage />;
    case 'auto-replies':
      return <AutoRepliesPage />;
    case 'business-hours':
      return <BusinessHoursPage />;
    case 'retention':
      return <RetentionPage />;
    case 'legal-holds':
      return <LegalHoldsPage />;
    case 'review':
      return <ReviewPage />;
    case 'discovery':
      return <DiscoveryPage />;
    case 'contacts':
      return <ContactsPage />;
    case 'contact-fields':
      return <ContactFieldsPage />;
    case 'gdpr':
      return <GdprPage />;
    case 'segments':
      return <SegmentsPage />;
    case 'contact-imports':
      return <ImportsPage />;
    case 'integrations':
      return <IntegrationsPage />;
    case 'canned':
      return <CannedPage />;
    case 'macros':
      return <MacrosPage />;
    case 'costs':
      return <CostsPage />;
    case 'availability':
      return <AvailabilityPage />;
    case 'routing':
      return <RoutingPage />;
    case 'broadcasts':
      return <BroadcastsPage />;
    case 'password':
      return <PasswordPage forced={false} />;
    default:
      return <HomePage />;
  }
}

/** Chooses what to show from the session state and the route. */
export function App() {
  const { t } = useI18n();
  const { state, ability, refresh } = useSession();
  const route = useRoute();

  if (state.status === 'loading') {
    return (
      <Bare>
        <p role="status" className="card card-narrow">
          {t('common.loading')}
        </p>
      </Bare>
    );
  }

  if (state.status === 'unavailable') {
    return (
      <Bare>
        <section className="card card-narrow">
          <h1>{t('unavailable.title')}</h1>
          <ErrorAlert error={state.error} />
          <button type="button" className="button-primary" onClick={() => void refresh()} data-ui="app.retry">
            {t('unavailable.retry')}
          </button>
        </section>
      </Bare>
    );
  }

  if (state.status === 'anonymous') {
    return <Bare>{route === 'login' ? <LoginPage /> : <Redirect to="login" />}</Bare>;
  }

  const { user } = state;
  if (user.mustChangePassword) {
    // Nothing else is reachable until the temporary password is replaced.
    return (
      <Bare user={user}>
        {route === 'password' ? <PasswordPage forced /> : <Redirect to="password" />}
      </Bare>
    );
  }

  if (route === 'login' || route === 'home') {
    const first = firstReadablePage(ability);
    if (route === 'login' || first) {
      return <Redirect to={first ?? 'home'} />;
    }
  }

  return <Shell user={user}>{mayOpen(ability, route) ? pageFor(route) : <NotAllowedPage />}</Shell>;
}
