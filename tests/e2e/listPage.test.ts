import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { ensureUiBuilt, launchChromium } from '../support/ui';

// The panel's building blocks (admin-ui/src/components/ListPage.tsx and FormField.tsx), as a
// user meets them on the Teams page: empty state, create, an error beside its field, delete
// with confirmation.
describe('end to end in Chromium: a list page and its form fields', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    const admin = await app.userWithRoles(['admin']);
    page = await browser.newPage();
    await page.goto(app.url);
    await page.fill('#login-email', admin.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.waitForSelector('[data-button="auth.logout"]');
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the empty state, then a created row, and deletes it only after confirmation', async () => {
    await page.goto(`${app.url}/#/teams`);
    await page.waitForSelector('#teams-table td.empty >> text=No teams yet.');

    await page.click('[data-button="teams.create"]');
    await page.fill('#team-name', 'Front desk');
    await page.click('[data-button="teams.submitCreate"]');
    await page.waitForSelector('#teams-table tbody tr[data-id] >> text=Front desk');
    expect(await page.locator('#teams-table td.empty').count()).to.equal(0);

    await page.click('#teams-table [data-button="teams.delete"]');
    await page.waitForSelector('#confirm-dialog [data-button="teams.confirmDelete"]');
    // Cancelling keeps the row.
    await page.click('#confirm-dialog [data-ui="dialog.cancel"]');
    expect(await page.locator('#teams-table tbody tr[data-id]').count()).to.equal(1);

    await page.click('#teams-table [data-button="teams.delete"]');
    await page.click('#confirm-dialog [data-button="teams.confirmDelete"]');
    await page.waitForSelector('#teams-table td.empty >> text=No teams yet.');
    const teams = (await (await app.adminClient()).get('/api/v1/teams')).body as { items: unknown[] };
    expect(teams.items).to.have.length(0);
  });

  it("shows the server's refusal of a field beside it, wired for screen readers", async () => {
    await page.goto(`${app.url}/#/teams`);
    await page.click('[data-button="teams.create"]');
    // The server allows 80 characters; the form does not check, so the refusal is the server's.
    await page.fill('#team-name', 'x'.repeat(81));
    await page.click('[data-button="teams.submitCreate"]');
    const error = page.locator('#team-name-error');
    await error.waitFor();
    expect((await error.textContent())?.trim()).to.not.equal('');
    const input = page.locator('#team-name');
    expect(await input.getAttribute('aria-invalid')).to.equal('true');
    expect(await input.getAttribute('aria-describedby')).to.contain('team-name-error');

    await page.fill('#team-name', 'Back office');
    await page.click('[data-button="teams.submitCreate"]');
    await page.waitForSelector('#teams-table tbody tr[data-id] >> text=Back office');
  });
});
