import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { en } from '../../admin-ui/src/i18n/en';
import { fr } from '../../admin-ui/src/i18n/fr';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { ensureUiBuilt, launchChromium, signIn } from '../support/ui';
import { eventually } from '../support/eventually';
import { addChannel } from '../support/whatsapp';

// Issue 9, "small things that erode trust", as users of each role see them in Chromium.
describe('end to end in Chromium: pages show what the role may read and do, one date style, a quiet sign-in page', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;
  let admin: ApiClient;
  let brokenId: string;
  let teamId: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    browser = await launchChromium();
    teamId = (await admin.post('/api/v1/teams', { name: 'Front desk' })).body.team.id;
    // A number whose token Meta refused: its row warns, and says "update it" only to editors.
    const broken = await addChannel(admin);
    brokenId = broken.id;
    await app.runtime.services.db('channels').where({ id: brokenId }).update({ status: 'token_invalid', status_reason: 'Meta refused the token (190)' });
    const custom = await admin.post('/api/v1/roles', {
      key: 'receptionist',
      name: 'Receptionist',
      rules: [
        { action: 'read', subject: 'User', fields: ['id', 'name', 'email'] },
        { action: 'read', subject: 'Channel', fields: ['id', 'name', 'displayNumber'] },
        { action: 'read', subject: 'Team', fields: ['id', 'name'] },
      ],
    });
    expect(custom.status, JSON.stringify(custom.body)).to.equal(201);
  });
  after(async () => {
    for (const context of contexts) {
      await context.close();
    }
    await browser?.close();
    await app?.stop();
  });

  /** A new browser (optionally in French) whose console errors are collected. */
  async function open(lang: 'en' | 'fr' = 'en'): Promise<{ page: Page; errors: string[] }> {
    // A wide window, so tables keep their row actions inline (folding is tested in layoutFit).
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    contexts.push(context);
    await context.addInitScript((chosen) => (globalThis as any).localStorage.setItem('sb.lang', chosen), lang);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        errors.push(msg.text());
      }
    });
    page.on('pageerror', (err) => errors.push(err.message));
    return { page, errors };
  }

  async function signedIn(email: string, lang: 'en' | 'fr' = 'en'): Promise<Page> {
    const { page } = await open(lang);
    return signIn(page, app.url, email, TEST_PASSWORD);
  }

  /** Opens a list page and waits until the given row is drawn (the list has loaded). */
  async function listPage(page: Page, route: string, table: string, rowId: string): Promise<string[]> {
    await page.goto(`${app.url}/#/${route}`);
    await page.locator(`#${table} tr[data-id="${rowId}"]`).waitFor();
    const headers = (await page.locator(`#${table} thead th`).allTextContents()).map((text) => text.trim());
    return headers.filter((text) => text !== '' && text !== en['common.actions']);
  }

  const tableText = (page: Page, table: string) => page.locator(`#${table} tbody`).innerText();

  it('loads the sign-in page, and a signed-out deep link, without an error in the console', async () => {
    const { page, errors } = await open();
    const session = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/session'));
    await page.goto(app.url);
    expect((await session).status()).to.equal(200);
    await page.waitForSelector('#login-email');
    const again = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/session'));
    await page.goto(`${app.url}/#/users`);
    await page.reload();
    await again;
    await page.waitForSelector('#login-email');
    expect(errors).to.deep.equal([]);
  });

  it('as the agent: numbers without the fields the role may not read, and no request to edit them', async () => {
    const agent = await app.userWithRoles(['agent'], { teamIds: [teamId] });
    const page = await signedIn(agent.email);
    const headers = await listPage(page, 'channels', 'channels-table', brokenId);
    expect(headers).to.include.members([en['channels.name'], en['channels.displayNumber'], en['channels.quality'], en['channels.statusHeader']]);
    for (const withheld of [en['channels.throughput'], en['channels.laneShort'], en['channels.lastTest'], en['channels.phoneNumberId']]) {
      expect(headers, `agent sees the ${withheld} column`).not.to.include(withheld);
    }
    const text = await tableText(page, 'channels-table');
    for (const invented of ['msg/s', en['channels.laneShared'], en['common.never']]) {
      expect(text, `agent sees "${invented}"`).not.to.contain(invented);
    }
    const warning = await page.locator(`tr[data-id="${brokenId}"] [role="note"]`).innerText();
    expect(warning).to.contain(en['channels.tokenInvalidReadOnly']);
    expect(warning).not.to.contain(en['channels.tokenInvalid']);

    // Their own user record: every field the role reads, a real last sign-in (they just signed in).
    const userHeaders = await listPage(page, 'users', 'users-table', agent.id);
    expect(userHeaders).to.include(en['users.lastLogin']);
    expect(await tableText(page, 'users-table')).not.to.contain(en['common.never']);
    expect(await page.locator('[data-button="users.disable"]').count()).to.equal(0);

    await listPage(page, 'teams', 'teams-table', teamId);

    // Templates: each with its own dates, written with the time zone.
    const sandboxId = await sandboxChannelId();
    // The sandbox submits its starter template just after start-up; on a slow machine it may not be listed yet.
    const templates = await eventually('the starter template listed', async () => {
      const items = (await admin.get(`/api/v1/templates?channelId=${sandboxId}`)).body.items as Array<{ id: string; createdAt: string }>;
      return items.length > 0 ? items : null;
    }, 30_000);
    await page.goto(`${app.url}/#/templates`);
    await page.locator(`#templates-channel option[value="${sandboxId}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#templates-channel', sandboxId);
    const row = page.locator(`#templates-table tr[data-id="${templates[0]!.id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-date="created"] time').getAttribute('datetime')).to.equal(templates[0]!.createdAt);
    const zone = new Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(new Date(templates[0]!.createdAt)).find((p) => p.type === 'timeZoneName')!.value;
    expect(await row.locator('[data-date="created"] time').innerText()).to.contain(zone);
  });

  async function sandboxChannelId(): Promise<string> {
    const items = (await admin.get('/api/v1/channels')).body.items as Array<{ id: string; isSandbox: boolean }>;
    return items.find((c) => c.isSandbox)!.id;
  }

  it('as the supervisor, in French: every number field, and the read-only warning', async () => {
    const supervisor = await app.userWithRoles(['supervisor']);
    const page = await signedIn(supervisor.email, 'fr');
    const headers = await listPage(page, 'channels', 'channels-table', brokenId);
    expect(headers).to.include.members([fr['channels.throughput'], fr['channels.laneShort'], fr['channels.lastTest']]);
    const warning = await page.locator(`tr[data-id="${brokenId}"] [role="note"]`).innerText();
    expect(warning).to.contain(fr['channels.tokenInvalidReadOnly']);
    expect(await page.locator('[data-button="channels.edit"]').count()).to.equal(0);
  });

  it('as the compliance officer: users and teams to read, nothing to disable, no numbers page', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signedIn(officer.email);
    await listPage(page, 'users', 'users-table', officer.id);
    expect(await page.locator('[data-button="users.disable"]').count()).to.equal(0);
    expect(await page.locator('[data-button="nav.channels"]').count()).to.equal(0);
    expect(await page.locator('[data-button="nav.templates"]').count()).to.equal(0);
    await listPage(page, 'teams', 'teams-table', teamId);
  });

  it('as a custom role reading a few user and number fields: only those columns, nothing made up', async () => {
    const receptionist = await app.userWithRoles(['receptionist']);
    const page = await signedIn(receptionist.email);
    expect(await listPage(page, 'users', 'users-table', receptionist.id)).to.deep.equal([en['users.email'], en['users.name']]);
    expect(await tableText(page, 'users-table')).not.to.contain(en['common.never']);
    expect(await listPage(page, 'channels', 'channels-table', brokenId)).to.deep.equal([en['channels.name'], en['channels.displayNumber']]);
    const text = await tableText(page, 'channels-table');
    for (const invented of ['msg/s', en['channels.laneShared'], en['common.never'], en['channels.quality.UNKNOWN'], en['channels.status.active']]) {
      expect(text, `receptionist sees "${invented}"`).not.to.contain(invented);
    }
    expect(await listPage(page, 'teams', 'teams-table', teamId)).to.deep.equal([en['teams.name']]);
    expect(await tableText(page, 'teams-table')).not.to.contain('—');
  });

  it('as a user without any role: the welcome page, without console errors', async () => {
    const nobody = await app.userWithRoles([]);
    const { page, errors } = await open();
    await page.goto(app.url);
    await page.fill('#login-email', nobody.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.locator('text=' + en['home.nothing']).waitFor();
    expect(errors).to.deep.equal([]);
  });

  it('as the admin: no Disable or Reset password on their own row, a confirmation before a user without a role, the server\'s Graph version as placeholder', async () => {
    const me = (await admin.get('/api/v1/me')).body.user as { id: string; email: string };
    const other = await app.userWithRoles(['agent']);
    const page = await signedIn(me.email);
    await listPage(page, 'users', 'users-table', me.id);
    await page.locator(`tr[data-id="${other.id}"] [data-button="users.disable"]`).waitFor();
    expect(await page.locator(`tr[data-id="${me.id}"] [data-button="users.disable"]`).count()).to.equal(0);
    expect(await page.locator(`tr[data-id="${me.id}"] [data-button="users.resetPassword"]`).count(), 'no reset of one\'s own password').to.equal(0);
    expect(await page.locator(`tr[data-id="${other.id}"] [data-button="users.resetPassword"]`).count()).to.equal(1);

    await page.click('[data-button="users.create"]');
    await page.fill('#user-email', 'no.role@example.test');
    await page.fill('#user-name', 'No Role');
    await page.click('[data-button="users.submitCreate"]');
    await page.locator('#user-no-role', { hasText: en['users.noRoleConfirm'] }).waitFor();
    expect((await page.locator('[data-button="users.submitCreate"]').innerText()).trim()).to.equal(en['users.createWithoutRole']);
    const users = async () => ((await admin.get('/api/v1/users?q=no.role')).body.items as unknown[]).length;
    expect(await users(), 'nothing created before the confirmation').to.equal(0);
    await page.click('[data-button="users.submitCreate"]');
    await page.waitForSelector('#temporary-password');
    expect(await users()).to.equal(1);
    await page.click('[data-ui="tempPassword.done"]');

    const defaults = (await admin.get('/api/v1/channels')).body.defaults as { graphVersion: string; graphBaseUrl: string };
    await listPage(page, 'channels', 'channels-table', brokenId);
    expect(await page.locator(`tr[data-id="${brokenId}"] [role="note"]`).innerText()).to.contain(en['channels.tokenInvalid']);
    await page.click('[data-button="channels.create"]');
    expect(await page.getAttribute('#channel-graph-version', 'placeholder')).to.equal(defaults.graphVersion);
    expect(await page.getAttribute('#channel-graph-base-url', 'placeholder')).to.equal(defaults.graphBaseUrl);
  });
});
