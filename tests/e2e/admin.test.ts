import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { ensureUiBuilt, launchChromium } from '../support/ui';

const ADMIN_NEW_PASSWORD = 'Bank-grade passphrase 42';
const AGENT_NEW_PASSWORD = 'Agent passphrase for tests 7';

async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('[data-button="auth.login"]');
}

async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.waitForSelector('#current-password');
  await page.fill('#current-password', current);
  await page.fill('#new-password', next);
  await page.fill('#confirm-password', next);
  await page.click('[data-button="auth.submitPassword"]');
}

describe('end to end in Chromium: bootstrap admin, agent, buttons and API refusal', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  const cspViolations: string[] = [];

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('runs the whole flow', async () => {
    const adminContext = await browser.newContext();
    const page = await adminContext.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) {
        cspViolations.push(msg.text());
      }
    });

    // 1. The bootstrap admin signs in and must change the password first.
    await signIn(page, app.url, app.admin.email, app.admin.password);
    await changePassword(page, app.admin.password, ADMIN_NEW_PASSWORD);
    await page.waitForSelector('[data-button="nav.users"]');
    expect(await page.locator('[data-button="nav.roles"]').count()).to.equal(1);
    expect(await page.locator('[data-button="nav.audit"]').count()).to.equal(1);

    // 2. The admin creates an agent with the built-in agent role.
    await page.click('[data-button="nav.users"]');
    await page.click('[data-button="users.create"]');
    await page.fill('#user-email', 'agent.smith@example.test');
    await page.fill('#user-name', 'Agent Smith');
    await page.getByRole('checkbox', { name: 'Agent', exact: true }).check();
    await page.click('[data-button="users.submitCreate"]');
    const temporary = (await page.locator('#temporary-password').textContent())?.trim() ?? '';
    expect(temporary).to.have.length.greaterThan(11);
    await page.click('[data-ui="tempPassword.done"]');
    await page.waitForSelector('text=agent.smith@example.test');
    expect(await page.locator('th', { hasText: 'Roles' }).count()).to.equal(1);
    await page.click('[data-button="auth.logout"]');
    await page.waitForSelector('#login-email');

    // 3. The agent signs in (forced password change), and admin-only buttons are absent.
    const agentContext = await browser.newContext();
    const agent = await agentContext.newPage();
    await signIn(agent, app.url, 'agent.smith@example.test', temporary);
    await changePassword(agent, temporary, AGENT_NEW_PASSWORD);
    await agent.waitForSelector('#current-password', { state: 'detached' });
    // The agent may read their own user record: the Users page is there, without admin buttons.
    await agent.click('[data-button="nav.users"]');
    await agent.waitForSelector('text=agent.smith@example.test');
    for (const button of ['nav.roles', 'nav.audit', 'users.create', 'users.disable', 'roles.create', 'teams.create', 'audit.verify']) {
      expect(await agent.locator(`[data-button="${button}"]`).count(), button).to.equal(0);
    }
    // Roles are not the agent's to read: no column of bare role ids.
    expect(await agent.locator('th', { hasText: 'Roles' }).count()).to.equal(0);
    await agent.screenshot({ path: 'test-results/e2e-agent.png' }).catch(() => undefined);

    // 4. The same admin actions sent straight to the API with the agent's session are refused.
    const statuses = await agent.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken };
      const create = await fetch('/api/v1/users', { method: 'POST', headers, body: JSON.stringify({ email: 'evil@example.test', name: 'Evil' }) });
      const roles = await fetch('/api/v1/roles');
      const audit = await fetch('/api/v1/audit/events');
      const team = await fetch('/api/v1/teams', { method: 'POST', headers, body: JSON.stringify({ name: 'Evil team' }) });
      return [create.status, roles.status, audit.status, team.status];
    });
    expect(statuses).to.deep.equal([403, 403, 403, 403]);
    const count = await app.runtime.services.db('users').whereRaw("lower(email) = 'evil@example.test'").count<{ n: number }[]>('* as n');
    expect(Number(count[0]!.n)).to.equal(0);
    expect(cspViolations).to.deep.equal([]);
  });

  it('serves the built UI with hashed assets cached for a year and the shell never cached', async () => {
    const index = await fetch(app.url + '/');
    expect(index.headers.get('cache-control')).to.equal('no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset, 'index.html references a hashed script').to.be.a('string');
    const res = await fetch(app.url + asset!);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(html).not.to.match(/<script>(?!\s*<\/script>)/);
  });
});

describe('end to end in Chromium: an unattended inbox tab is signed out, and told why', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    // A 3-second idle timeout; the open inbox's live-events stream must not keep it alive.
    app = await startTestApp({ SESSION_IDLE_MINUTES: '0.05' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the sign-in page with the inactivity notice', async () => {
    const agent = await app.userWithRoles(['agent']);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app.url, agent.email, TEST_PASSWORD);
    await page.waitForSelector('[data-button="auth.logout"]');
    await page.goto(`${app.url}/#/inbox`);
    const notice = await page.waitForSelector('#login-idle-notice', { timeout: 60_000 });
    expect(await notice.textContent()).to.match(/signed out after 1 min of inactivity|déconnecté après 1 min d'inactivité/);
    expect(await page.isVisible('#login-email')).to.equal(true);
    await context.close();
  });
});
