import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';

describe('end to end in Chromium: contacts, their labels and attributes', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let admin: ApiClient;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    admin = await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(email: string, viewport?: { width: number; height: number }): Promise<Page> {
    return signInAt(await (await browser.newContext(viewport ? { viewport } : {})).newPage(), app.url, email, TEST_PASSWORD);
  }

  it('an admin defines a label and an attribute, then gives a contact 21 labels and attribute values', async () => {
    for (let i = 1; i <= 20; i += 1) {
      expect((await admin.post('/api/v1/labels', { name: `Campaign ${String(i).padStart(2, '0')}` })).status).to.equal(201);
    }
    const contact = (await admin.post('/api/v1/contacts', { phone: '+33 6 12 00 00 01', profileName: 'Hélène Petit' })).body.contact;
    const user = await app.userWithRoles(['admin']);
    const page = await signIn(user.email);

    await page.click('[data-button="nav.contactFields"]');
    await page.waitForSelector('#labels-table');
    await page.click('[data-button="labels.create"]');
    await page.fill('#label-name', 'Premium');
    await page.click('[data-button="labels.submitCreate"]');
    await page.locator('#labels-table tr[data-name="Premium"]').waitFor();

    await page.click('[data-button="attributes.create"]');
    await page.fill('#attribute-name', 'Tier');
    await page.fill('#attribute-key', 'tier');
    await page.selectOption('#attribute-type', 'choice');
    await page.fill('#attribute-options', 'gold\nsilver');
    await page.click('[data-button="attributes.submitCreate"]');
    await page.locator('#attributes-table tr[data-key="tier"]').waitFor();
    await page.click('[data-button="attributes.create"]');
    await page.fill('#attribute-name', 'Orders');
    await page.fill('#attribute-key', 'orders');
    await page.selectOption('#attribute-type', 'number');
    await page.click('[data-button="attributes.submitCreate"]');
    await page.locator('#attributes-table tr[data-key="orders"]').waitFor();
    // The opt-out words are a setting an admin edits here.
    await page.fill('#opt-out-words', 'STOP\nARRÊT\nHALTE');
    await page.click('[data-button="settings.saveOptOutWords"]');
    await eventually('the words saved', async () => ((await admin.get('/api/v1/settings')).body.optOutKeywords.includes('HALTE') ? true : null));

    await page.click('[data-button="nav.contacts"]');
    await page.fill('#contacts-search', 'Hélène');
    await page.click('[data-button="contacts.search"]');
    await page.locator(`#contacts-table tr[data-id="${contact.id}"]`).waitFor();
    await page.locator(`#contacts-table tr[data-id="${contact.id}"] [data-button="contacts.open"]`).click();
    await page.waitForSelector('#contact-labels');
    // Every label, through the search box: 21 chips.
    await page.fill('#contact-labels input[type="search"]', 'Campaign');
    for (let i = 0; i < 20; i += 1) {
      await page.locator('#contact-labels [data-ui="contacts.addLabel"]').first().click();
    }
    await page.fill('#contact-labels input[type="search"]', 'prem');
    await page.locator('#contact-labels [data-ui="contacts.addLabel"][data-label="Premium"]').click();
    expect(await page.locator('#contact-labels .label-chip').count()).to.equal(21);
    await page.selectOption('#attribute-tier', 'gold');
    // A value that is not a number is refused beside its field.
    await page.fill('#attribute-orders', 'many');
    await page.click('[data-button="contacts.save"]');
    await page.locator('#attribute-orders[aria-invalid="true"]').waitFor();
    await page.fill('#attribute-orders', '3');
    await page.click('[data-button="contacts.save"]');
    const saved = await eventually('the contact saved', async () => {
      const c = (await admin.get(`/api/v1/contacts/${contact.id}`)).body.contact;
      return c.labels.length === 21 ? c : null;
    });
    expect(saved.attributes).to.deep.equal({ tier: 'gold', orders: 3 });
    expect(saved.labels.map((l: any) => l.name)).to.include('Premium');
    await page.click('[data-button="contacts.optOut"]');
    await page.locator('#contact-opt[data-opt="out"]').waitFor();
    await page.context().close();
  });

  it('a role without the phone field sees numbers masked, on a phone-sized screen', async () => {
    const fields = ['id', 'profileName', 'country', 'labelIds', 'attributes', 'optState', 'optSource', 'optChangedAt', 'lastInboundAt', 'createdAt', 'updatedAt'];
    const role = await admin.post('/api/v1/roles', { key: 'marketing', name: 'Marketing', rules: [{ action: 'read', subject: 'Contact', fields }, { action: 'read', subject: 'Label' }] });
    expect(role.status, JSON.stringify(role.body)).to.equal(201);
    const contact = (await admin.post('/api/v1/contacts', { phone: '+33 6 98 76 54 32', profileName: 'Paul Marchand' })).body.contact;
    const user = await app.userWithRoles(['marketing']);
    const page = await signIn(user.email, { width: 390, height: 844 });
    await page.goto(`${app.url}/#/contacts`);
    const row = page.locator(`#contacts-table tr[data-id="${contact.id}"]`);
    await row.waitFor();
    expect(await row.locator('.phone').textContent()).to.equal('+33 6 •• •• •• 32');
    expect(await page.content()).not.to.include('698765432');
    await page.goto(`${app.url}/#/contacts/${contact.id}`);
    const phone = page.locator('#contact-phone');
    await phone.waitFor();
    expect(await phone.getAttribute('data-masked')).to.equal('true');
    expect(await phone.textContent()).to.include('+33 6 •• •• •• 32');
    // Read-only: no save, no consent buttons; the page fits the phone's width.
    expect(await page.locator('[data-button="contacts.save"]').count()).to.equal(0);
    expect(await page.locator('[data-button="contacts.optOut"]').count()).to.equal(0);
    const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    expect(width).to.be.at.most(390);
    await page.context().close();
  });
});
