import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { approvedTemplate } from '../support/broadcasts';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';
import { ensureUiBuilt, launchChromium } from '../support/ui';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('end to end in Chromium: auto-reply rules with the tester, and business hours', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let sandbox: Sandbox;
  let phoneNumberId: string;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    const admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(email: string, viewport?: { width: number; height: number }, locale?: string): Promise<Page> {
    const page = await (await browser.newContext({ ...(viewport ? { viewport } : {}), ...(locale ? { locale } : {}) })).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.locator('[data-button="auth.logout"]').waitFor();
    return page;
  }

  it('an admin adds a rule, tries a message (the rule that fires is named), and a customer gets the answer', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email);
    await page.click('[data-button="nav.autoReplies"]');
    await page.waitForSelector('#autoreply-table');

    await page.click('[data-button="autoreply.create"]');
    await page.waitForSelector('#autoreply-rule-dialog');
    await page.fill('#autoreply-name', 'Delivery');
    await page.selectOption('#autoreply-mode', 'word');
    await page.fill('#autoreply-keywords', 'livraison\ncolis');
    await page.fill('#autoreply-priority', '10');
    await page.selectOption('#autoreply-kind', 'interactive');
    await page.fill('#autoreply-text', 'Votre colis arrive sous 48 h.');
    await page.fill('#autoreply-buttons', 'Suivi, Retour');
    await page.click('[data-button="autoreply.submitCreate"]');
    await page.locator('#autoreply-rule-dialog').waitFor({ state: 'detached' });
    const row = page.locator('#autoreply-table tr[data-name="Delivery"]');
    await row.waitFor();
    const ruleId = await row.getAttribute('data-id');

    // The tester reads the message as the rules do: case and accents ignored.
    await page.fill('#autoreply-test-text', 'Où est mon COLIS ?');
    await page.click('[data-button="autoreply.test"]');
    const result = page.locator('#autoreply-test-result');
    await eventually('the tester’s verdict', async () => (await result.getAttribute('data-fires')) === ruleId || undefined);
    expect(await result.textContent()).to.contain('Delivery');
    await page.fill('#autoreply-test-text', 'Bonjour');
    await page.click('[data-button="autoreply.test"]');
    await eventually('no rule', async () => (await result.getAttribute('data-fires')) === 'none' || undefined);

    // A customer writes: the answer (with its buttons) reaches them through the outbox.
    await sandbox.customerSends({ phoneNumberId, from: '33600000901', profileName: 'Lucie', message: { type: 'text', body: 'ma livraison ?' } });
    const answer = await eventually('the answer in the sandbox', async () => sandbox.conversation(phoneNumberId, '33600000901').find((m) => m.direction === 'out'));
    expect(answer.type).to.equal('interactive');
    expect((answer.body as any).body.text).to.equal('Votre colis arrive sous 48 h.');

    // An unsafe regular expression is refused beside the field, nothing saved.
    await page.click('[data-button="autoreply.create"]');
    await page.fill('#autoreply-name', 'Bad');
    await page.selectOption('#autoreply-mode', 'regex');
    await page.fill('#autoreply-keywords', '(a+)+$');
    await page.fill('#autoreply-text', 'x');
    await page.click('[data-button="autoreply.submitCreate"]');
    await page.locator('#autoreply-rule-dialog [role="alert"]').first().waitFor();
    await page.click('#autoreply-rule-dialog [data-ui="dialog.cancel"]');
    expect(await page.locator('#autoreply-table tr[data-name="Bad"]').count()).to.equal(0);

    // Turned off, it no longer fires; then deleted.
    await row.locator('[data-button="autoreply.toggle"]').click();
    await eventually('the rule off', async () => ((await row.textContent())?.includes('Off') ? true : undefined));
    await page.fill('#autoreply-test-text', 'colis');
    await page.click('[data-button="autoreply.test"]');
    await eventually('no rule once off', async () => (await result.getAttribute('data-fires')) === 'none' || undefined);
    await row.locator('[data-button="autoreply.delete"]').click();
    await page.click('[data-button="autoreply.confirmDelete"]');
    await row.waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('an admin sets business hours with an out-of-office message (in French); a supervisor only reads, at phone width', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email);
    await page.click('#lang-select');
    await page.selectOption('#lang-select', 'fr');
    await page.click('[data-button="nav.businessHours"]');
    await page.waitForSelector('#hours-status');
    expect(await page.getAttribute('#hours-status', 'data-open')).to.equal('true');
    await page.fill('#hours-zone', 'Europe/Paris');
    await page.click('[data-ui="hours.addSlot"]');
    await page.fill('#hours-holidays', '2026-12-25');
    await page.check('#hours-ooo-enabled');
    await page.fill('#hours-ooo-fr', 'Fermé, de retour {{next_opening}}.');
    await page.click('[data-button="hours.save"]');
    await page.waitForSelector('#hours-saved');
    const channelId = (await app.runtime.services.db('channels').first('id')).id;
    const row = await app.runtime.services.db('autoreply_settings').where({ channel_id: channelId }).first();
    expect(row).to.deep.include({ time_zone: 'Europe/Paris', out_of_office_enabled: true, holidays: ['2026-12-25'] });
    expect(row.weekly).to.deep.equal([{ day: 1, open: '09:00', close: '18:00' }]);
    expect(row.out_of_office_texts).to.deep.equal({ fr: 'Fermé, de retour {{next_opening}}.' });
    await page.context().close();

    const supervisor = await app.userWithRoles(['supervisor']);
    const phone = await signIn(supervisor.email, { width: 390, height: 844 });
    await phone.goto(`${app.url}/#/business-hours`);
    await phone.waitForSelector('#hours-status');
    expect(await phone.locator('[data-button="hours.save"]').count()).to.equal(0);
    const overflow = await phone.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    expect(overflow).to.be.at.most(0);
    await phone.goto(`${app.url}/#/auto-replies`);
    await phone.waitForSelector('#autoreply-table');
    expect(await phone.locator('[data-button="autoreply.create"]').count()).to.equal(0);
    expect(await phone.locator('[data-button="autoreply.test"]').count()).to.equal(1);
    await phone.context().close();
  });

  it('on a 390 px phone in French, an admin makes a rule answering with a file uploaded in the dialog and one with an approved template, scoped to the number; a customer gets each', async () => {
    const api = await app.adminClient();
    const channel = (await api.get('/api/v1/channels')).body.items[0] as { id: string };
    // Open at all hours, no out-of-office (the test above set one): the rules answer.
    const open = { timeZone: 'UTC', weekly: [], holidays: [], defaultLanguage: 'fr', outOfOffice: { enabled: false, texts: {} }, welcome: { enabled: false, texts: {} } };
    expect((await api.request('PUT', `/api/v1/autoreply/hours/${channel.id}`, open)).status).to.equal(200);
    const templateId = await approvedTemplate(api, channel.id, { name: 'horaires_magasin', category: 'UTILITY', body: { text: 'Bonjour {{1}}, nous ouvrons à 9 h.', examples: ['Lucie'] } });
    const headed = await approvedTemplate(api, channel.id, { name: 'commande_entete', category: 'UTILITY', header: { format: 'TEXT', text: 'Commande {{1}}', example: '#7' }, body: { text: 'Elle part aujourd’hui.' } });
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email, { width: 390, height: 844 }, 'fr-FR');
    await page.goto(`${app.url}/#/auto-replies`);
    await page.waitForSelector('#autoreply-table');
    const sideways = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);

    // A file: uploaded as soon as it is chosen, its name shown, then saved with the rule.
    await page.click('[data-button="autoreply.create"]');
    await page.waitForSelector('#autoreply-rule-dialog');
    await page.fill('#autoreply-name', 'Carte');
    await page.fill('#autoreply-keywords', 'carte');
    await page.check(`input[name="autoreply-channel"][value="${channel.id}"]`);
    await page.selectOption('#autoreply-kind', 'media');
    await page.setInputFiles('#autoreply-file', { name: 'carte.png', mimeType: 'image/png', buffer: TINY_PNG });
    expect(await page.textContent('#autoreply-file-ready')).to.contain('carte.png');
    await page.fill('#autoreply-caption', 'Notre carte');
    expect(await sideways(), 'the dialog with a file').to.be.at.most(0);
    await page.screenshot({ path: 'test-results/e2e-autoreply-file-phone.png', fullPage: true }).catch(() => undefined);
    await page.click('[data-button="autoreply.submitCreate"]');
    await page.locator('#autoreply-rule-dialog').waitFor({ state: 'detached' });
    const fileRow = page.locator('#autoreply-table tr[data-name="Carte"]');
    await fileRow.waitFor();
    expect(await fileRow.textContent()).to.contain('Fichier').and.to.contain('carte.png');

    // A template: from the rule's number, those the runner cannot fill greyed out, one value per variable, previewed.
    await page.click('[data-button="autoreply.create"]');
    await page.waitForSelector('#autoreply-rule-dialog');
    await page.fill('#autoreply-name', 'Horaires');
    await page.fill('#autoreply-keywords', 'horaires');
    await page.selectOption('#autoreply-kind', 'template');
    expect(await page.textContent('#autoreply-template-number-hint')).to.contain('Cochez d’abord les numéros');
    await page.check(`input[name="autoreply-channel"][value="${channel.id}"]`);
    await page.locator(`#autoreply-template option[value="${templateId}"]`).waitFor({ state: 'attached' });
    expect(await page.locator(`#autoreply-template option[value="${headed}"]`).isDisabled()).to.equal(true);
    expect(await page.locator(`#autoreply-template option[value="${headed}"]`).textContent()).to.contain('son en-tête a une variable');
    await page.selectOption('#autoreply-template', templateId);
    await page.fill('#autoreply-param-1', 'cher client');
    expect(await page.textContent('#autoreply-template-preview')).to.equal('Bonjour cher client, nous ouvrons à 9 h.');
    expect(await sideways(), 'the dialog with a template').to.be.at.most(0);
    await page.screenshot({ path: 'test-results/e2e-autoreply-template-phone.png', fullPage: true }).catch(() => undefined);
    await page.click('[data-button="autoreply.submitCreate"]');
    await page.locator('#autoreply-rule-dialog').waitFor({ state: 'detached' });
    const templateRow = page.locator('#autoreply-table tr[data-name="Horaires"]');
    await templateRow.waitFor();
    expect(await templateRow.textContent()).to.contain('Modèle').and.to.contain('horaires_magasin');
    expect(await sideways(), 'the list').to.be.at.most(0);

    // Editing shows the current answer in its kind.
    // At phone width the row's actions are in its menu.
    await fileRow.locator('[data-ui="list.rowMenu"]').click();
    await fileRow.locator('[data-button="autoreply.edit"]').click();
    await page.waitForSelector('#autoreply-rule-dialog');
    expect(await page.inputValue('#autoreply-kind')).to.equal('media');
    expect(await page.textContent('#autoreply-file-ready')).to.contain('carte.png');
    expect(await page.inputValue('#autoreply-caption')).to.equal('Notre carte');
    expect(await page.isChecked(`input[name="autoreply-channel"][value="${channel.id}"]`)).to.equal(true);
    await page.click('#autoreply-rule-dialog [data-ui="dialog.cancel"]');
    // The server's refusal shows beside its field: a template answer without its number.
    await templateRow.locator('[data-ui="list.rowMenu"]').click();
    await templateRow.locator('[data-button="autoreply.edit"]').click();
    await page.waitForSelector('#autoreply-rule-dialog');
    expect(await page.inputValue('#autoreply-kind')).to.equal('template');
    await page.uncheck(`input[name="autoreply-channel"][value="${channel.id}"]`);
    await page.click('[data-button="autoreply.submitEdit"]');
    await page.locator('#autoreply-numbers-error').waitFor();
    expect(await page.textContent('#autoreply-numbers-error')).to.equal('Cochez les numéros qui envoient ce modèle.');
    await page.click('#autoreply-rule-dialog [data-ui="dialog.cancel"]');

    // A customer's keyword messages get each answer in the sandbox.
    await sandbox.customerSends({ phoneNumberId, from: '33600000902', profileName: 'Lucie', message: { type: 'text', body: 'La carte svp' } });
    const file = await eventually('the file in the sandbox', async () => sandbox.conversation(phoneNumberId, '33600000902').find((m) => m.direction === 'out'));
    expect(file.type).to.equal('image');
    expect((file.body as { caption?: string }).caption).to.equal('Notre carte');
    await sandbox.customerSends({ phoneNumberId, from: '33600000903', profileName: 'Paul', message: { type: 'text', body: 'Vos horaires ?' } });
    const sent = await eventually('the template in the sandbox', async () => sandbox.conversation(phoneNumberId, '33600000903').find((m) => m.direction === 'out'));
    expect(sent.type).to.equal('template');
    const body = sent.body as { name: string; components: Array<{ type: string; parameters: Array<{ text: string }> }> };
    expect(body.name).to.equal('horaires_magasin');
    expect(body.components.find((c) => c.type === 'body')!.parameters.map((p) => p.text)).to.deep.equal(['cher client']);
    await page.context().close();
  });
});
