import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { startLookupServer, type LookupServer } from '../support/lookupServer';
import { ensureUiBuilt, launchChromium, signIn } from '../support/ui';

const SECRET = 'sk_live_e2e_5566778899';

describe('end to end in Chromium: the integrations page', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let api: LookupServer;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ INTEGRATIONS_ALLOW_LOOPBACK: 'true' });
    api = await startLookupServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await api?.close();
  });

  async function open(email: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    return signIn(await (await browser.newContext({ viewport })).newPage(), app.url, email, TEST_PASSWORD);
  }

  async function runTest(page: Page, rowName: string, waId: string) {
    await page.locator(`#integrations-table tr[data-name="${rowName}"] [data-button="integrations.test"]`).click();
    await page.waitForSelector('#integration-test-dialog');
    await page.fill('#integration-test-waid', waId);
    await page.click('[data-button="integrations.runTest"]');
    const result = page.locator('#integration-test-result');
    await result.waitFor();
    return result;
  }

  it('an admin adds an integration with a secret header, tests it against a local server and sees the filled answer', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await open(admin.email);
    await page.click('[data-button="nav.integrations"]');
    await page.waitForSelector('#integrations-table');

    await page.click('[data-button="integrations.create"]');
    await page.waitForSelector('#integration-dialog');
    await page.fill('#integration-name', 'Order status');
    await page.fill('#integration-url', `${api.url}/orders`);
    await page.fill('#integration-body', '{"customer": "{{wa_id}}", "question": "{{text}}"}');
    await page.click('[data-ui="integrations.addHeader"]');
    await page.fill('#integration-header-name-0', 'X-Api-Key');
    await page.check('#integration-header-secret-0');
    await page.fill('#integration-header-value-0', SECRET);
    await page.fill('#integration-answer', 'Your order {{order.id}} is {{order.status}}.');
    await page.click('[data-button="integrations.submitCreate"]');
    await page.locator('#integration-dialog').waitFor({ state: 'detached' });

    const row = page.locator('#integrations-table tr[data-name="Order status"]');
    await row.waitFor();
    expect(await row.locator('[data-header="X-Api-Key"]').innerText()).to.contain('••••');
    expect(await page.content()).not.to.contain(SECRET);

    const result = await runTest(page, 'Order status', '33612345678');
    expect(await result.getAttribute('data-ok')).to.equal('true');
    expect(await page.locator('#integration-test-answer').innerText()).to.equal('Your order A-1001 is shipped.');
    const received = api.received[api.received.length - 1]!;
    expect(received.headers['x-api-key']).to.equal(SECRET);
    expect(JSON.parse(received.body)).to.deep.equal({ customer: '33612345678', question: 'Where is my order?' });
    await page.click('#integration-test-dialog [data-ui="dialog.cancel"]');

    // Editing leaves the stored secret's box empty; saving keeps the secret, and the test still carries it.
    await row.locator('[data-button="integrations.edit"]').click();
    await page.waitForSelector('#integration-dialog');
    expect(await page.inputValue('#integration-header-value-0')).to.equal('');
    await page.fill('#integration-answer', 'Order {{order.id}}: {{order.status}}');
    await page.click('[data-button="integrations.submitEdit"]');
    await page.locator('#integration-dialog').waitFor({ state: 'detached' });
    const again = await runTest(page, 'Order status', '33699999999');
    expect(await page.locator('#integration-test-answer').innerText()).to.equal('Order B-2002: being prepared');
    expect(await again.getAttribute('data-ok')).to.equal('true');
    expect(api.received[api.received.length - 1]!.headers['x-api-key']).to.equal(SECRET);
    await page.context().close();
  });

  it('shows why a test failed, refuses a plain-http address beside its field, and fits a phone in French', async () => {
    const admin = await app.userWithRoles(['admin']);
    const client = await app.adminClient();
    const made = await client.post('/api/v1/integrations', { name: 'Broken ERP', url: `${api.url}/fail`, bodyTemplate: '{"q": "{{text}}"}', responseTemplate: '{{order.status}}' });
    expect(made.status).to.equal(201);
    const page = await open(admin.email, { width: 390, height: 844 });
    await page.selectOption('#lang-select', 'fr');
    await page.goto(`${app.url}/#/integrations`);
    await page.locator('#integrations-table tr[data-name="Broken ERP"]').waitFor();
    const width = await page.evaluate(() => {
      const el = (globalThis as any).document.scrollingElement;
      return { scroll: el.scrollWidth as number, client: el.clientWidth as number };
    });
    expect(width.scroll).to.be.at.most(width.client);

    await page.setViewportSize({ width: 1280, height: 900 });
    const result = await runTest(page, 'Broken ERP', '33612345678');
    expect(await result.getAttribute('data-ok')).to.equal('false');
    expect(await result.getAttribute('data-reason')).to.equal('http_error');
    expect(await result.innerText()).to.contain('L’appel a échoué');
    expect(await page.locator('#integration-test-detail').innerText()).to.equal('HTTP 500');
    await page.click('#integration-test-dialog [data-ui="dialog.cancel"]');

    await page.click('[data-button="integrations.create"]');
    await page.fill('#integration-name', 'Plain');
    await page.fill('#integration-url', 'http://erp.example.com/orders');
    await page.fill('#integration-answer', '{{order.status}}');
    await page.click('[data-button="integrations.submitCreate"]');
    const error = page.locator('#integration-url-error');
    await error.waitFor();
    expect(await error.innerText()).to.contain('https');
    expect(await page.getAttribute('#integration-url', 'aria-invalid')).to.equal('true');
    await page.context().close();
  });

  it('a supervisor has no integrations link, and the address shows the not-allowed page', async () => {
    const supervisor = await app.userWithRoles(['supervisor']);
    const page = await open(supervisor.email);
    await page.waitForSelector('[data-button="nav.inbox"]');
    expect(await page.locator('[data-button="nav.integrations"]').count()).to.equal(0);
    await page.goto(`${app.url}/#/integrations`);
    await page.locator('main').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('#integrations-table, [data-button^="integrations."]').count()).to.equal(0);
    await page.context().close();
  });
});
