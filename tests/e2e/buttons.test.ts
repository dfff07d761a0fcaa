import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { buildAbility, type AppAbility } from '../../server/modules/authz/ability';
import { catalogue } from '../../server/modules/authz/catalogue';
import { findRoleByKey } from '../../server/modules/authz/roleRepo';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, trackRequests } from '../support/ui';

// The list pages of the panel and the subject each one lists (admin-ui/src/ability.ts PAGES).
const PAGES: Array<[route: string, subject: string]> = [
  ['inbox', 'Conversation'],
  ['channels', 'Channel'],
  ['templates', 'Template'],
  ['users', 'User'],
  ['teams', 'Team'],
  ['roles', 'Role'],
  ['audit', 'AuditEvent'],
  ['lexicon', 'Lexicon'],
  ['auto-replies', 'AutoReplyRule'],
  ['business-hours', 'BusinessHours'],
  ['retention', 'RetentionPolicy'],
  ['legal-holds', 'LegalHold'],
  ['review', 'ConversationReview'],
  ['discovery', 'Discovery'],
  ['contacts', 'Contact'],
  ['contact-fields', 'Label'],
  ['gdpr', 'GdprRequest'],
  ['integrations', 'Integration'],
  ['canned', 'CannedResponse'],
  ['macros', 'Macro'],
  ['costs', 'Cost'],
  ['availability', 'Availability'],
  ['routing', 'RoutingPolicy'],
];

// Buttons every signed-in user has (sign-out, own password); they govern no permission.
const ACCOUNT_BUTTONS = new Set(['auth.logout', 'auth.changePassword', 'auth.submitPassword', 'auth.login']);

const permissionOf = new Map<string, { action: string; subject: string }>(
  catalogue.flatMap((a) => a.buttons.map((b) => [b, { action: a.action, subject: a.subject }] as const)),
);

/** Waits until the page has no API request in flight (the live stream aside) and shows no "Loading…". */
async function settled(page: Page, inFlight: () => number): Promise<void> {
  await eventually('the page settles', async () => {
    if (inFlight() > 0) {
      return false;
    }
    return page.evaluate(() => {
      const doc = (globalThis as any).document;
      return doc.querySelector('main') !== null && !doc.body.innerText.includes('Loading…');
    });
  });
}

/** Every `data-button` a user sees, page by page, on the pages they may open. */
async function buttonsSeen(browser: Browser, app: TestApp, email: string, ability: AppAbility): Promise<Map<string, string>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const inFlight = trackRequests(page);
  await page.goto(app.url);
  await page.fill('#login-email', email);
  await page.fill('#login-password', TEST_PASSWORD);
  await page.click('[data-button="auth.login"]');
  await page.waitForSelector('[data-button="auth.logout"]');
  const seen = new Map<string, string>();
  for (const [route, subject] of PAGES) {
    if (!ability.can('read', subject)) {
      continue;
    }
    await page.goto(`${app.url}/#/${route}`);
    await settled(page, inFlight);
    const ids = await page.$$eval('[data-button]', (els) => els.map((el) => el.getAttribute('data-button') ?? ''));
    for (const id of ids) {
      seen.set(id, route);
    }
  }
  await context.close();
  return seen;
}

describe('end to end in Chromium: each catalogue button is shown only to those who hold its permission', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    const admin = await app.adminClient();
    await admin.post('/api/v1/teams', { name: 'Desk' });
    const custom = await admin.post('/api/v1/roles', {
      key: 'team-lead',
      name: 'Team lead',
      rules: [
        { action: 'read', subject: ['User', 'Team'] },
        { action: 'update', subject: 'Team' },
        { action: 'read', subject: 'AuditEvent' },
      ],
    });
    expect(custom.status, JSON.stringify(custom.body)).to.equal(201);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  for (const roleKey of ['admin', 'supervisor', 'agent', 'compliance-officer', 'auditor', 'team-lead']) {
    it(`as ${roleKey}`, async () => {
      const user = await app.userWithRoles([roleKey]);
      const role = await findRoleByKey(app.runtime.services.db, roleKey);
      const ability = buildAbility(role!.rules, { user: { id: user.id, teamIds: [], email: user.email } });
      const seen = await buttonsSeen(browser, app, user.email, ability);
      expect(seen.size, 'buttons seen').to.be.greaterThan(1);
      for (const [id, route] of seen) {
        if (ACCOUNT_BUTTONS.has(id)) {
          continue;
        }
        const permission = permissionOf.get(id);
        expect(permission, `button ${id} on #/${route} is not in the catalogue`).to.not.equal(undefined);
        expect(ability.can(permission!.action, permission!.subject), `${roleKey} sees ${id} on #/${route} without ${permission!.subject}:${permission!.action}`).to.equal(true);
      }
      if (roleKey === 'admin') {
        // The admin holds everything: the pages offer their create buttons.
        for (const id of ['users.create', 'teams.create', 'roles.create', 'audit.verify', 'channels.create']) {
          expect(seen.has(id), `admin sees ${id}`).to.equal(true);
        }
      }
    });
  }
});
