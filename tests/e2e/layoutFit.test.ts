import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';
import { ensureUiBuilt, launchChromium, trackRequests } from '../support/ui';
import { addChannel, inbound, postWebhook } from '../support/whatsapp';

// The list pages of the panel and their tables (admin-ui/src/ability.ts PAGES, the inbox aside).
const LIST_PAGES: Array<[route: string, table: string]> = [
  ['channels', '#channels-table'],
  ['templates', '#templates-table'],
  ['users', '#users-table'],
  ['teams', '#teams-table'],
  ['roles', '#roles-table'],
  ['audit', '#audit-table'],
];

/** Opens a route and waits until nothing loads any more (no request in flight, no "Chargement…"). */
async function open(page: Page, inFlight: () => number, url: string): Promise<void> {
  await page.goto(url);
  await eventually(`${url} settles`, async () => {
    if (inFlight() > 0) {
      return false;
    }
    return page.evaluate(() => {
      const doc = (globalThis as any).document;
      return doc.querySelector('main') !== null && !/Chargement…|Loading…/.test(doc.body.innerText);
    });
  }, 30_000);
}

/** Where each row's last cell, and each visible control in it, lies against the table's container and the window. */
async function lastColumnPlacement(page: Page, table: string) {
  return page.evaluate((selector) => {
    const doc = (globalThis as any).document;
    const wrap = doc.querySelector(selector).closest('.table-wrap');
    const box = wrap.getBoundingClientRect();
    const viewport = doc.documentElement.clientWidth;
    const outside: string[] = [];
    const rows = [...doc.querySelectorAll(`${selector} tr`)].filter((row: any) => !row.querySelector('td.empty') && !row.classList.contains('details-row'));
    for (const row of rows as any[]) {
      const cell = row.lastElementChild;
      const controls = [cell, ...cell.querySelectorAll('button')].filter((el: any) => el.getClientRects().length > 0);
      for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.right > viewport) {
          outside.push(`${el.tagName} ${el.getAttribute('data-button') ?? el.getAttribute('data-ui') ?? ''} [${Math.round(r.left)}, ${Math.round(r.right)}] not in [${Math.round(box.left)}, ${Math.round(box.right)}]`);
        }
      }
    }
    return { rows: rows.length, outside, actions: wrap.getAttribute('data-actions') as string | null };
  }, table);
}

describe('end to end in Chromium: French that fits (1366 px and a 390 px phone)', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;
  let conversationId = '';

  before(async () => {
    ensureUiBuilt();
    // The sandbox brings its number and its starter templates: every list has rows.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    const admin = await app.adminClient();
    browser = await launchChromium();
    expect((await admin.post('/api/v1/teams', { name: 'Service client', description: 'Premier niveau' })).status).to.equal(201);
    const custom = await admin.post('/api/v1/roles', { key: 'night-shift', name: 'Night shift', rules: [{ action: 'read', subject: 'User' }] });
    expect(custom.status, JSON.stringify(custom.body)).to.equal(201);
    await app.userWithRoles(['agent', 'supervisor'], { email: 'marie-christine.de-la-fontaine@exemple-entreprise.test' });
    const channel = await addChannel(admin);
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, '33611223344', { type: 'text', text: { body: 'Bonjour' } }, 'Claire Martin'))).to.equal(200);
    conversationId = await eventually('the conversation is listed', async () => {
      const list = (await admin.get('/api/v1/conversations')).body as { items: Array<{ id: string }> };
      return list.items[0]?.id;
    });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(viewport: { width: number; height: number }, locale = 'fr-FR'): Promise<{ page: Page; inFlight: () => number }> {
    const page = await (await browser.newContext({ locale, viewport })).newPage();
    const inFlight = trackRequests(page);
    await page.goto(app.url);
    await page.fill('#login-email', app.admin.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.waitForSelector('[data-button="auth.logout"]');
    return { page, inFlight };
  }

  it('at 1366 px in French, keeps every list page’s last column (the actions) inside its table and the window', async () => {
    const { page, inFlight } = await signIn({ width: 1366, height: 768 });
    const folded: string[] = [];
    for (const [route, table] of LIST_PAGES) {
      await open(page, inFlight, `${app.url}/#/${route}`);
      const placement = await eventually(`#/${route}: the last column is in view`, async () => {
        const p = await lastColumnPlacement(page, table);
        // The users' actions fold once the page has measured them in their font: on a loaded
        // machine they may still sit inline, in view, a moment before. Wait for the settled layout.
        return p.outside.length === 0 && (route !== 'users' || p.actions === 'folded') ? p : false;
      }, 15_000).catch(async () => lastColumnPlacement(page, table));
      expect(placement.outside, `#/${route}`).to.deep.equal([]);
      expect(placement.rows, `#/${route} rows`).to.be.greaterThan(0);
      if (placement.actions === 'folded') {
        folded.push(route);
      }
    }
    // The users' three French actions do not fit beside six columns: they fold into a menu.
    expect(folded).to.include('users');
    await page.context().close();
  });

  it('folds row actions only where space runs out: the same users page in English keeps them inline', async () => {
    const { page, inFlight } = await signIn({ width: 1366, height: 768 }, 'en-GB');
    await open(page, inFlight, `${app.url}/#/users`);
    expect(await page.getAttribute('#users-table >> xpath=..', 'data-actions')).to.equal('inline');
    await page.locator('#users-table [data-button="users.resetPassword"]').first().waitFor();
    // Narrower, the same page folds them, and wider again it shows them inline.
    await page.setViewportSize({ width: 900, height: 768 });
    await page.waitForSelector('.table-wrap[data-actions="folded"] #users-table');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForSelector('.table-wrap[data-actions="inline"] #users-table');
    await page.context().close();
  });

  it('offers folded actions through a keyboard menu whose items keep their button ids', async () => {
    const { page, inFlight } = await signIn({ width: 1366, height: 768 });
    await open(page, inFlight, `${app.url}/#/users`);
    const row = page.locator('#users-table tr', { hasText: 'marie-christine' });
    const menuButton = row.locator('[data-ui="list.rowMenu"]');
    expect(await menuButton.getAttribute('aria-haspopup')).to.equal('menu');
    expect(await menuButton.getAttribute('aria-expanded')).to.equal('false');
    // Closed, the items are in the page (hidden), with the catalogue's ids.
    expect(await row.locator('[role="menuitem"][data-button]').evaluateAll((els) => els.map((el) => el.getAttribute('data-button')))).to.deep.equal([
      'users.edit',
      'users.disable',
      'users.resetPassword',
    ]);

    await menuButton.focus();
    await page.keyboard.press('Enter');
    const menu = row.locator('[role="menu"]');
    await menu.waitFor();
    expect(await menuButton.getAttribute('aria-expanded')).to.equal('true');
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-button') ?? (globalThis as any).document.activeElement?.getAttribute('data-ui'));
    expect(await focused()).to.equal('users.edit');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).to.equal('users.disable');
    await page.keyboard.press('End');
    expect(await focused()).to.equal('users.resetPassword');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).to.equal('users.edit');
    // The open menu lies inside the window (it is not clipped by the table's scrolling box).
    const box = (await menu.boundingBox())!;
    expect(box.x).to.be.at.least(0);
    expect(box.x + box.width).to.be.at.most(1366);
    expect(box.y + box.height).to.be.at.most(768);
    await page.screenshot({ path: 'test-results/e2e-layout-menu.png' }).catch(() => undefined);

    // Escape closes it and gives focus back to its button.
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await focused()).to.equal('list.rowMenu');

    // An item chosen from the keyboard runs its action; closing the dialog returns to the menu button.
    await page.keyboard.press('ArrowDown');
    await menu.waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog [data-button="users.confirmDisable"]').waitFor();
    await menu.waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await page.locator('#confirm-dialog').waitFor({ state: 'detached' });
    expect(await focused()).to.equal('list.rowMenu');
    await page.context().close();
  });

  it('shows built-in role names, descriptions and permission groups in French, and a custom role as named', async () => {
    const { page, inFlight } = await signIn({ width: 1366, height: 768 });
    await open(page, inFlight, `${app.url}/#/roles`);
    const nameOf = async (key: string) => (await page.locator(`#roles-table tr[data-key="${key}"] td`).first().textContent())?.trim();
    expect(await nameOf('admin')).to.equal('Administrateur');
    expect(await nameOf('supervisor')).to.equal('Superviseur');
    expect(await nameOf('auditor')).to.equal('Auditeur');
    expect(await nameOf('compliance-officer')).to.equal('Responsable de la conformité');
    expect(await nameOf('night-shift')).to.equal('Night shift');
    expect(await page.locator('#roles-table tr[data-key="admin"]').textContent()).to.contain("Administre l'appliance");
    // The matrix: groups and labels in French, the role's name in its header and selector.
    const groups = await page.locator('#permission-matrix tr.group-row th').allTextContents();
    expect(groups.map((g) => g.trim())).to.include.members(['Utilisateurs', 'Équipes', 'Rôles', "Journal d'audit", 'Numéros WhatsApp', 'Modèles de message']);
    expect(groups.map((g) => g.trim())).to.not.include.members(['User', 'Team', 'AuditEvent']);
    expect((await page.locator('#permission-matrix tr[data-permission="User:read"] th').textContent())?.trim()).to.equal('Voir les utilisateurs');
    expect(await page.locator('#matrix-role option').allTextContents()).to.include.members(['Administrateur', 'Superviseur', 'Night shift']);
    // The role form groups the permissions the same way.
    await page.click('[data-button="roles.create"]');
    expect(await page.locator('#role-dialog .checkbox-group legend').allTextContents()).to.include.members(['Utilisateurs', 'Journal d\'audit']);
    await page.click('#role-dialog [data-ui="dialog.close"]');

    // Users: the role column and the form's role checkboxes.
    await open(page, inFlight, `${app.url}/#/users`);
    // The role names come with the roles list, which may answer after the users' (CI once read the row before it).
    await page.locator('#users-table tr', { hasText: 'marie-christine' }).locator('text=Agent, Superviseur').waitFor();
    await page.click('[data-button="users.create"]');
    await page.getByRole('checkbox', { name: 'Responsable de la conformité', exact: true }).waitFor();
    await page.click('[data-ui="dialog.close"]');

    // Switching the panel to English renames them at once: the language is the user's choice.
    await page.selectOption('#lang-select', 'en');
    await page.locator('#users-table tr', { hasText: 'marie-christine' }).locator('text=Agent, Supervisor').waitFor();
    await page.context().close();
  });

  it('at 390 px, lets no page scroll sideways (the inbox with a conversation open included), and keeps row actions reachable', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
    const signedOut = await context.newPage();
    await signedOut.goto(app.url);
    await signedOut.waitForSelector('#login-email');
    const sideways = (page: Page) => page.evaluate(() => {
      const el = (globalThis as any).document.scrollingElement;
      return { scrollWidth: el.scrollWidth as number, clientWidth: el.clientWidth as number };
    });
    const login = await sideways(signedOut);
    expect(login.scrollWidth, 'login page').to.be.at.most(login.clientWidth);
    await context.close();

    const { page, inFlight } = await signIn({ width: 390, height: 844 });
    const routes = ['home', 'password', 'inbox', `inbox/${conversationId}`, ...LIST_PAGES.map(([route]) => route)];
    for (const route of routes) {
      await open(page, inFlight, `${app.url}/#/${route}`);
      if (route.startsWith('inbox/')) {
        // With an attachment chosen too (its name is long), through the composer's file input.
        await page.setInputFiles('#composer-file', { name: 'releve-de-compte-fevrier-2026-version-definitive-signee.png', mimeType: 'image/png', buffer: TINY_PNG });
        await page.locator('.composer-attachment').waitFor();
      }
      const { scrollWidth, clientWidth } = await sideways(page);
      expect(scrollWidth, `#/${route} scrolls sideways`).to.be.at.most(clientWidth);
    }

    // Row actions sit in view at the right of each row, and their menu opens inside the window.
    await open(page, inFlight, `${app.url}/#/users`);
    const placement = await lastColumnPlacement(page, '#users-table');
    expect(placement.actions).to.equal('folded');
    expect(placement.outside).to.deep.equal([]);
    const row = page.locator('#users-table tr', { hasText: 'marie-christine' });
    await row.locator('[data-ui="list.rowMenu"]').click();
    const item = row.locator('[data-button="users.resetPassword"]');
    await item.waitFor();
    const box = (await item.boundingBox())!;
    expect(box.x).to.be.at.least(0);
    expect(box.x + box.width).to.be.at.most(390);
    await page.screenshot({ path: 'test-results/e2e-layout-phone-menu.png' }).catch(() => undefined);
    await item.click();
    await page.locator('#confirm-dialog [data-button="users.confirmResetPassword"]').waitFor();
    await page.context().close();
  });
});
