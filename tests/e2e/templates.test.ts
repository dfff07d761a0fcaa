import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium } from '../support/ui';
import { postSample, TINY_PNG } from '../support/media';


describe('end to end in Chromium: an admin writes a template, WhatsApp (the sandbox) approves it', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  const cspViolations: string[] = [];

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '300' });
    await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function openTemplates(viewport?: { width: number; height: number }): Promise<Page> {
    const page = await (await browser.newContext(viewport ? { viewport } : {})).newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) {
        cspViolations.push(msg.text());
      }
    });
    await page.goto(app.url);
    await page.fill('#login-email', app.admin.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    if (viewport && viewport.width < 700) {
      await page.click('[data-ui="nav.toggle"]');
    }
    await page.click('[data-button="nav.templates"]');
    await page.waitForSelector('#templates-table');
    return page;
  }

  it('creates a template with variables, examples and a quick reply; it turns approved without a reload', async () => {
    const page = await openTemplates();
    // The sandbox number is chosen, and its starter template is listed.
    await page.locator('#templates-table [data-name="welcome_back"]').waitFor({ timeout: 10_000 });

    await page.click('[data-button="templates.create"]');
    await page.waitForSelector('#template-dialog');
    await page.fill('#template-name', 'delivery update');
    expect(await page.inputValue('#template-name')).to.equal('delivery_update');

    // A variable at the very end is flagged while typing, before anything is sent.
    await page.fill('#template-body', 'Your parcel arrives on {{1}}');
    await page.locator('#template-body-error', { hasText: 'cannot start or end with a variable' }).waitFor();

    // The keyboard inserts a variable at the cursor; variables are renumbered in order.
    await page.fill('#template-body', 'Hi , your parcel arrives on {{1}} today. Thank you!');
    await page.focus('#template-body');
    await page.evaluate(() => {
      const area = (globalThis as any).document.querySelector('#template-body');
      area.setSelectionRange(3, 3);
    });
    await page.focus('[data-ui="templates.addVariable"]');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#template-body')).to.equal('Hi {{1}}, your parcel arrives on {{2}} today. Thank you!');
    expect(await page.locator('#template-body-error').count()).to.equal(0);
    // Typed by hand out of order, the numbering is flagged.
    await page.fill('#template-body', 'Hi {{2}}, your parcel arrives on {{1}} today. Thank you!');
    await page.locator('#template-body-error', { hasText: 'in order' }).waitFor();
    await page.fill('#template-body', 'Hi {{1}}, your parcel arrives on {{2}} today. Thank you!');

    await page.fill('#template-example-1', 'Camille');
    await page.fill('#template-example-2', 'Friday');
    await page.fill('#template-footer', 'Reply STOP to opt out');
    await page.click('[data-ui="templates.add.QUICK_REPLY"]');
    await page.fill('#template-button-1-text', 'Thanks!');
    const preview = page.locator('#template-live-preview');
    expect(await preview.textContent()).to.include('Hi Camille, your parcel arrives on Friday today. Thank you!');
    expect(await page.locator('.template-bubble-buttons').textContent()).to.include('Thanks!');
    await page.screenshot({ path: 'test-results/e2e-template-form.png' }).catch(() => undefined);

    await page.click('[data-button="templates.submitCreate"]');
    await page.waitForSelector('#template-dialog', { state: 'detached' });
    const row = page.locator('#templates-table [data-name="delivery_update"]');
    await row.waitFor();
    await page.locator('#templates-notice', { hasText: 'delivery_update' }).waitFor();
    expect(await row.textContent()).to.include('Hi {{1}}, your parcel arrives on {{2}} today.');

    // No click: the list re-reads itself while a template is in review.
    await page.locator('#templates-table [data-name="delivery_update"][data-status="APPROVED"]').waitFor({ timeout: 15_000 });
    expect(await row.locator('.badge-active').textContent()).to.equal('Approved');
    const stored = await app.runtime.services.db('templates').where({ name: 'delivery_update' }).first();
    expect(stored.status).to.equal('APPROVED');
    await page.screenshot({ path: 'test-results/e2e-templates.png' }).catch(() => undefined);
  });

  it("shows WhatsApp's rejection and its reason, and the server's field errors", async () => {
    const page = await openTemplates();
    await page.click('[data-button="templates.create"]');
    await page.fill('#template-name', 'delivery_update');
    await page.fill('#template-body', 'Hello again, see you soon.');
    await page.click('[data-button="templates.submitCreate"]');
    // Same name and language as the first test: the server refuses it beside the name, and the dialog stays.
    await page.locator('#template-name-error', { hasText: 'Already used' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).to.equal('template-name');

    await page.fill('#template-name', 'promo_reject_me');
    await page.selectOption('#template-category', 'MARKETING');
    await page.click('[data-button="templates.submitCreate"]');
    await page.waitForSelector('#template-dialog', { state: 'detached' });
    const rejected = page.locator('#templates-table [data-name="promo_reject_me"][data-status="REJECTED"]');
    await rejected.waitFor({ timeout: 15_000 });
    expect(await rejected.locator('.template-reason').textContent()).to.equal('Rejected: invalid format');
  });

  it("takes an image header's sample file, uploaded when chosen; submitting waits for it", async () => {
    const page = await openTemplates();
    await page.click('[data-button="templates.create"]');
    await page.waitForSelector('#template-dialog');
    await page.fill('#template-name', 'summer_sale');
    await page.selectOption('#template-category', 'MARKETING');
    await page.selectOption('#template-header-format', 'IMAGE');
    await page.fill('#template-body', 'Our summer sale is on. See you soon!');
    const submit = page.locator('[data-button="templates.submitCreate"]');
    expect(await submit.isDisabled()).to.equal(true);
    // A file no image header takes is refused, with the reason.
    await page.setInputFiles('#template-header-sample', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.locator('#template-dialog [role="alert"]', { hasText: 'text/plain' }).waitFor();
    expect(await submit.isDisabled()).to.equal(true);
    await page.setInputFiles('#template-header-sample', { name: 'summer.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.locator('#template-header-sample-ready', { hasText: 'summer.png' }).waitFor();
    expect(await submit.isDisabled()).to.equal(false);
    await submit.click();
    await page.waitForSelector('#template-dialog', { state: 'detached' });
    await page.locator('#templates-table [data-name="summer_sale"][data-status="APPROVED"]').waitFor({ timeout: 15_000 });
  });

  it('sends an approved template with header, body and link values from the inbox; the customer receives it', async () => {
    const admin = await app.adminClient();
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    const created = await admin.post('/api/v1/templates', {
      channelId: channel.id,
      name: 'order_ready',
      language: 'en_US',
      category: 'UTILITY',
      header: { format: 'TEXT', text: 'Order {{1}}', example: '#12' },
      body: { text: 'Hello {{1}}, your order is ready for pickup.', examples: ['Sam'] },
      buttons: [{ type: 'URL', text: 'Details', url: 'https://shop.example.com/o/{{1}}', example: 'A12' }],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const sandbox = app.runtime.sandbox!.sandbox;
    await sandbox.customerSends({ phoneNumberId: channel.phoneNumberId, from: '33799000001', profileName: 'Sam Picker', message: { type: 'text', body: 'Is my order ready?' } });

    const page = await openTemplates();
    await page.locator('#templates-table [data-name="order_ready"][data-status="APPROVED"]').waitFor({ timeout: 15_000 });
    await page.click('[data-button="nav.inbox"]');
    await page.locator('[data-conversation-id]', { hasText: 'Sam Picker' }).click();
    await page.click('[data-ui="inbox.templates"]');
    await page.selectOption('#template-select', { label: 'order_ready (en_US) · UTILITY' });
    await page.fill('#template-param-1', 'Sam');
    await page.fill('#template-header-param', '#12');
    // Not sendable until the link has its value.
    expect(await page.locator('[data-button="inbox.sendTemplate"]').isDisabled()).to.equal(true);
    await page.fill('#template-button-param-0', 'A12');
    expect(await page.locator('#template-preview').textContent()).to.include('Order #12');
    await page.click('[data-button="inbox.sendTemplate"]');
    await page.locator('[data-direction="out"]', { hasText: 'Hello Sam, your order is ready for pickup.' }).waitFor();

    const received = await eventually('the template at the customer', async () => sandbox.conversation(channel.phoneNumberId, '33799000001').find((m) => m.direction === 'out'));
    const components = (received.body as { components: Array<{ type: string; parameters: Array<{ text: string }> }> }).components;
    expect(components.map((c) => [c.type, c.parameters[0]!.text])).to.deep.equal([
      ['header', '#12'],
      ['body', 'Sam'],
      ['button', 'A12'],
    ]);

    // A template with an image header takes a file, uploaded when chosen; its review needs a sample.
    const sample = await postSample(app.url, admin, channel.id);
    expect(sample.status, JSON.stringify(sample.body)).to.equal(200);
    const sale = await admin.post('/api/v1/templates', {
      channelId: channel.id,
      name: 'spring_sale',
      language: 'en_US',
      category: 'MARKETING',
      header: { format: 'IMAGE', exampleHandle: sample.body.handle },
      body: { text: 'Spring sale starts today, {{1}}!', examples: ['Sam'] },
    });
    expect(sale.status, JSON.stringify(sale.body)).to.equal(201);
    await eventually('spring_sale approved', async () =>
      ((await admin.get(`/api/v1/templates?channelId=${channel.id}`)).body.items as Array<{ name: string; status: string }>).some((t) => t.name === 'spring_sale' && t.status === 'APPROVED'),
    );
    await page.click('[data-ui="inbox.templates"]');
    await page.selectOption('#template-select', { label: 'spring_sale (en_US) · MARKETING' });
    await page.fill('#template-param-1', 'Sam');
    expect(await page.locator('[data-button="inbox.sendTemplate"]').isDisabled()).to.equal(true);
    await page.setInputFiles('#template-header-file', { name: 'sale.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.locator('#template-header-file-ready', { hasText: 'sale.png' }).waitFor();
    await page.click('[data-button="inbox.sendTemplate"]');
    await page.locator('[data-direction="out"]', { hasText: 'Spring sale starts today, Sam!' }).waitFor();
    const withImage = await eventually('the image template at the customer', async () =>
      sandbox.conversation(channel.phoneNumberId, '33799000001').filter((m) => m.direction === 'out')[1],
    );
    const header = (withImage.body as { components: Array<{ type: string; parameters: Array<{ type: string }> }> }).components[0]!;
    expect([header.type, header.parameters[0]!.type]).to.deep.equal(['header', 'image']);
  });

  it('fits a phone screen, and speaks French', async () => {
    const page = await openTemplates({ width: 390, height: 844 });
    await page.locator('#templates-table [data-name="welcome_back"]').waitFor({ timeout: 10_000 });
    await page.selectOption('#lang-select', 'fr');
    await page.locator('h1', { hasText: 'Modèles de message' }).waitFor();
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow, 'no sideways scrolling').to.be.at.most(0);
    await page.click('[data-button="templates.create"]');
    await page.locator('#template-dialog h2', { hasText: 'Nouveau modèle' }).waitFor();
    await page.selectOption('#template-category', 'AUTHENTICATION');
    expect(await page.locator('#template-body').count()).to.equal(0);
    expect(await page.locator('#template-live-preview').textContent()).to.include('est votre code de vérification');
    await page.screenshot({ path: 'test-results/e2e-templates-phone.png', fullPage: true }).catch(() => undefined);
    expect(cspViolations).to.deep.equal([]);
  });
});
