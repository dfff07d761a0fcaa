import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { newId } from '../../server/lib/ids';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { addChannel, inbound, postWebhook, statusUpdate, wamid, type TestChannel } from '../support/whatsapp';
import { ensureUiBuilt, launchChromium, signIn } from '../support/ui';

const DE = '4915112349999';
const ymd = (d: Date) => d.toISOString().slice(0, 10);

describe('end to end in Chromium: costs', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let channel: TestChannel;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    const admin = await app.adminClient();
    channel = await addChannel(admin);
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, DE, { type: 'text', text: { body: 'hello' } }))).to.equal(200);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A template sent to DE now, as the sender leaves it, then its `sent` status with Meta's pricing. */
  async function sendCostedMessage(): Promise<void> {
    const db = app.runtime.services.db;
    const conv = await db('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', DE).first('conversations.id', 'conversations.contact_id');
    const id = newId();
    const w = wamid();
    const createdAt = new Date();
    await db('messages').insert({ id, created_at: createdAt, conversation_id: conv.id, channel_id: channel.id, contact_id: conv.contact_id, direction: 'out', wamid: w, type: 'template', text: 'offer', author_type: 'agent', status: 'queued', status_times: JSON.stringify({}) });
    await db('message_wamids').insert({ wamid: w, message_id: id, message_created_at: createdAt });
    const pricing = { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' };
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'sent', DE, { pricing }))).to.equal(200);
  }

  it('an admin adds a rate card, sets a budget, and sees the spend and the budget alert arrive live', async () => {
    const page: Page = await signIn(await (await browser.newContext()).newPage(), app.url, (await app.userWithRoles(['admin'])).email, TEST_PASSWORD);
    await page.click('[data-button="nav.costs"]');
    // No card yet: the page says how to add Meta's rates.
    await page.locator('#rate-cards-empty').waitFor();
    expect(await page.textContent('#costs-total')).to.contain('No message was costed');

    await page.click('[data-button="costs.newCard"]');
    await page.locator('#rate-card-dialog').waitFor();
    const firstOfMonth = `${new Date().toISOString().slice(0, 7)}-01`;
    await page.fill('#card-effective', firstOfMonth);
    await page.fill('#card-currency', 'EUR');
    await page.fill('#rate-card-grid tr[data-country="*"] input[name="price-*-marketing"]', '0.1');
    await page.fill('#card-new-country', 'de');
    await page.click('[data-ui="costs.addCountry"]');
    await page.fill('input[name="price-DE-marketing"]', '0.2');
    await page.click('[data-button="costs.submitCreateCard"]');
    await page.locator('#rate-card-dialog').waitFor({ state: 'detached' });
    const current = page.locator(`#rate-cards-table tr[data-effective="${firstOfMonth}"]`);
    expect(await current.getAttribute('data-state')).to.equal('current');
    // A card in force is history: no edit or delete on it.
    expect(await current.locator('[data-button="costs.editCard"]').count()).to.equal(0);

    // The next card starts from the current one's prices.
    await page.click('[data-button="costs.newCard"]');
    await page.click('[data-button="costs.copyCurrent"]');
    expect(await page.inputValue('input[name="price-DE-marketing"]')).to.equal('0.2');
    const nextYear = ymd(new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)));
    await page.fill('#card-effective', nextYear);
    await page.fill('input[name="price-DE-marketing"]', '0.25');
    await page.click('[data-button="costs.submitCreateCard"]');
    await page.locator('#rate-card-dialog').waitFor({ state: 'detached' });
    const future = page.locator(`#rate-cards-table tr[data-effective="${nextYear}"]`);
    expect(await future.getAttribute('data-state')).to.equal('future');
    await future.locator('[data-button="costs.editCard"]').waitFor();

    await page.click('[data-button="costs.editBudget"]');
    await page.fill('#budget-amount', '0.25');
    await page.fill('#budget-currency', 'EUR');
    await page.fill('#budget-percent', '75');
    await page.click('[data-button="costs.saveBudget"]');
    await page.locator('#budget-dialog').waitFor({ state: 'detached' });
    await page.locator('#costs-budget', { hasText: '75 %' }).waitFor();

    // Two DE marketing messages at €0.20: 80 % then 160 % of €0.25. The page is told live.
    await sendCostedMessage();
    await page.locator('#budget-banner[data-threshold="75"]').waitFor();
    await sendCostedMessage();
    await page.locator('#budget-banner[data-threshold="100"]').waitFor();
    expect(await page.textContent('#budget-banner')).to.contain('€0.40');
    expect(await page.textContent('#costs-total')).to.contain('€0.40');
    expect(await page.textContent('#spend-by-country tr[data-key="DE"]')).to.contain('€0.40');
    expect(await page.textContent('#spend-by-number')).to.contain(channel.displayNumber);
    // The same month as CSV, through the page's link (the session cookie authenticates it).
    const csv = await page.evaluate(async (href) => (await fetch(href as string)).text(), await page.getAttribute('[data-button="costs.exportCsv"]', 'href'));
    expect(csv).to.contain(',country,DE,DE,EUR,0.400000,2,0,0');

    await page.screenshot({ path: 'test-results/e2e-costs-desktop.png', fullPage: true }).catch(() => undefined);
    // On a phone, nothing scrolls sideways: not the page, not the card's grid (it scrolls in its own box).
    await page.setViewportSize({ width: 390, height: 844 });
    const sideways = () => page.evaluate(() => {
      const el = (globalThis as any).document.scrollingElement;
      return (el.scrollWidth as number) - (el.clientWidth as number);
    });
    expect(await sideways(), 'costs page').to.be.at.most(0);
    await future.locator('[data-button="costs.editCard"]').click();
    await page.locator('#rate-card-dialog').waitFor();
    expect(await sideways(), 'rate card dialog').to.be.at.most(0);
    await page.screenshot({ path: 'test-results/e2e-costs-phone-card.png' }).catch(() => undefined);
    await page.fill('input[name="price-DE-utility"]', '0.05');
    await page.click('[data-button="costs.submitEditCard"]');
    await page.locator('#rate-card-dialog').waitFor({ state: 'detached' });
    await page.screenshot({ path: 'test-results/e2e-costs-phone.png', fullPage: true }).catch(() => undefined);
    await page.setViewportSize({ width: 1366, height: 768 });

    // In French, the same page.
    await page.selectOption('#lang-select', 'fr');
    await page.locator('text=Grilles tarifaires').first().waitFor();
    expect(await page.textContent('#budget-banner')).to.contain('atteint le budget');
  });
});
