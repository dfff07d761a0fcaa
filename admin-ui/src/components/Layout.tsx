import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { PAGES } from '../ability';
import type { PageRoute } from '../ability';
import { useSession } from '../auth';
import { LANGUAGES, useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import { hrefFor, useRoute } from '../router';
import type { Me } from '../types';
import { sandboxApi } from '../endpoints';
import { useNewCustomerAlerts } from '../alerts';
import { useUnassignedCount, useUnassignedFeed } from '../unassigned';
import { Can } from './Can';
import { LiveAlertBadge } from './LiveAlertBadge';
import { StatusSwitch } from './StatusSwitch';

const NAV_LABELS: Record<PageRoute, MessageKey> = {
  inbox: 'nav.inbox',
  channels: 'nav.channels',
  templates: 'nav.templates',
  users: 'nav.users',
  teams: 'nav.teams',
  roles: 'nav.roles',
  audit: 'nav.audit',
  lexicon: 'nav.lexicon',
  'auto-replies': 'nav.autoReplies',
  'business-hours': 'nav.businessHours',
  retention: 'nav.retention',
  'legal-holds': 'nav.legalHolds',
  review: 'nav.review',
  discovery: 'nav.discovery',
  contacts: 'nav.contacts',
  'contact-fields': 'nav.contactFields',
  gdpr: 'nav.gdpr',
  segments: 'nav.segments',
  'contact-imports': 'nav.imports',
  integrations: 'nav.integrations',
  canned: 'nav.canned',
  macros: 'nav.macros',
  costs: 'nav.costs',
  availability: 'nav.availability',
  routing: 'nav.routing',
  broadcasts: 'nav.broadcasts',
};

/** The language picker (`#lang-select`), shown in every header. */
export function LanguageSelect() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang">
      <label htmlFor="lang-select" className="visually-hidden">
        {t('header.language')}
      </label>
      <select
        id="lang-select"
        value={lang}
        onChange={(event) => {
          const next = LANGUAGES.find((candidate) => candidate === event.target.value);
          if (next) {
            setLang(next);
          }
        }}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

interface HeaderProps {
  user?: Me;
  /** Present when there is a sidebar to open on small screens. */
  nav?: { open: boolean; toggle: () => void };
  /** Hide the change-password link (on the forced change page itself). */
  minimal?: boolean;
}

/** Top bar: app name, current user, language, change password, log out. */
export function Header({ user, nav, minimal }: HeaderProps) {
  const { t } = useI18n();
  const { logout } = useSession();
  return (
    <header className="topbar">
      {nav && (
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={nav.open}
          aria-controls="sidebar"
          onClick={nav.toggle}
          data-ui="nav.toggle"
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">{t('header.menu')}</span>
        </button>
      )}
      <a className="brand" href={hrefFor('home')}>
        {t('app.name')}
      </a>
      <div className="topbar-right">
        <LanguageSelect />
        {user && (
          <>
            {!minimal && <StatusSwitch user={user} />}
            <span className="current-user" title={user.email}>
              <span className="visually-hidden">{t('header.signedInAs')} </span>
              {user.name || user.email}
            </span>
            {!minimal && (
              <a className="topbar-link" href={hrefFor('password')} data-button="auth.changePassword">
                {t('header.changePassword')}
              </a>
            )}
            <button type="button" className="button-secondary" onClick={() => void logout()} data-button="auth.logout">
              {t('header.logout')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

/**
 * The customer simulator of the built-in sandbox, for those who may use it (Sandbox:use) and only
 * where the sandbox runs (asked once: others are never sent to a route they may not call). It is a
 * page of its own, opened beside the panel.
 */
function SimulatorLink() {
  const { t } = useI18n();
  const { ability } = useSession();
  const allowed = ability.can('use', 'Sandbox');
  const [path, setPath] = useState<string | null>(null);
  useEffect(() => {
    if (!allowed) {
      setPath(null);
      return undefined;
    }
    let live = true;
    sandboxApi
      .status()
      .then((status) => live && setPath(status.simulatorPath))
      .catch(() => live && setPath(null));
    return () => {
      live = false;
    };
  }, [allowed]);
  if (!path) {
    return null;
  }
  return (
    <Can I="use" a="Sandbox">
      <li>
        <a href={path} target="_blank" rel="noopener" title={t('nav.simulatorHint')} data-button="nav.simulator">
          {t('nav.simulator')}
        </a>
      </li>
    </Can>
  );
}

/** Beside "Inbox": how many customers wait for an agent (nothing when none, or when not known). */
function UnassignedBadge() {
  const { t } = useI18n();
  const count = useUnassignedCount();
  if (!count) {
    return null;
  }
  return (
    <span id="nav-unassigned-count" className="nav-count" data-count={count} title={t('notice.navCount', { count })}>
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">, {t('notice.navCount', { count })}</span>
    </span>
  );
}

/** Sidebar navigation: only the pages the user may read. */
function Sidebar({ open }: { open: boolean }) {
  const { t } = useI18n();
  const route = useRoute();
  const { ability } = useSession();
  const readsConversations = ability.can('read', 'Conversation');
  return (
    <nav id="sidebar" className={open ? 'sidebar open' : 'sidebar'} aria-label={t('nav.label')}>
      <ul>
        {PAGES.map((page) => (
          <Can I="read" a={page.subject} key={page.route}>
            <li>
              <a
                href={hrefFor(page.route)}
                data-button={page.button}
                aria-current={route === page.route ? 'page' : undefined}
              >
                {t(NAV_LABELS[page.route])}
                {page.route === 'inbox' && <UnassignedBadge />}
                {page.route === 'lexicon' && (
                  <LiveAlertBadge
                    id="lexicon-alerts" route="lexicon" event="lexicon.flagged" label="lexicon.alerts"
                    listens={readsConversations && ability.can('read', 'LexiconHit')}
                    keyOf={(e) => (e.type === 'lexicon.flagged' ? `${e.conversationId}:${e.messageId ?? e.hitIds.join(',')}` : e.conversationId)}
                  />
                )}
                {page.route === 'availability' && (
                  <LiveAlertBadge
                    id="overdue-alerts" route="availability" event="routing.overdue" label="availability.overdueAlerts"
                    listens={readsConversations && ability.can('assign', 'Conversation')}
                    keyOf={(e) => e.conversationId}
                  />
                )}
              </a>
            </li>
          </Can>
        ))}
        <SimulatorLink />
      </ul>
    </nav>
  );
}

function focusMain() {
  document.getElementById('main')?.focus();
}

/** The signed-in layout: skip link, header, sidebar and main content. */
export function Shell({ user, children }: { user: Me; children: ReactNode }) {
  const { t } = useI18n();
  const route = useRoute();
  const [navOpen, setNavOpen] = useState(false);
  // The unassigned counter and the alerts of new customers live as long as the signed-in panel.
  const readsConversations = useSession().ability.can('read', 'Conversation');
  useUnassignedFeed(readsConversations);
  useNewCustomerAlerts(readsConversations, user.id);

  // Close the phone menu after choosing a page.
  useEffect(() => setNavOpen(false), [route]);

  return (
    <div className="app">
      <button type="button" className="skip-link" onClick={focusMain} data-ui="nav.skip">
        {t('nav.skip')}
      </button>
      <Header user={user} nav={{ open: navOpen, toggle: () => setNavOpen((open) => !open) }} />
      <div className="app-body">
        <Sidebar open={navOpen} />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

/** A layout without sidebar, for the login page and the forced password change. */
export function Bare({ user, children }: { user?: Me; children: ReactNode }) {
  return (
    <div className="app app-bare">
      <Header user={user} minimal />
      <main id="main" tabIndex={-1} className="bare-main">
        {children}
      </main>
    </div>
  );
}
