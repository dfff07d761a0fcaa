import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

// The composer's `/` shortcuts (filled with the contact's and the agent's names) and a macro run
// from the conversation view, as a supervisor uses them, on a desktop and on a 390 px phone.
describe('end to end in Chromium: canned responses in the composer and macros in the conversation', function () {
  this.timeout(180_000);
  let app: TestApp;
  let admin: ApiClient;
  let browser: Browser;
  let channel: TestChannel;
  let supervisor: { id: string; email: string; client: ApiClient };
  let counter = 0;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    admin = await app.adminClient();
    channel = await addChannel(admin);
    browser = await launchChromium();
    supervisor = await app.userWithRoles(['supervisor']);
    await app.runtime.services.db('users').where({ id: supervisor.id }).update({ name: 'Sam Lead' });
    const hello = await supervisor.client.post('/api/v1/canned-responses', { shared: true, shortcut: 'hello', title: 'Greeting', body: 'Hello {{contact.name}}, {{agent.name}} here.' });
    expect(hello.status, JSON.stringify(hello.body)).to.equal(201);
    const bye = await supervisor.client.post('/api/v1/canned-responses', { shortcut: 'bye', title: 'Goodbye', body: 'Goodbye {{contact.first_name}}!' });
    expect(bye.status, JSON.stringify(bye.body)).to.equal(201);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A customer writes: a new conversation in the queue. */
  async function customer(name: string): Promise<string> {
    counter += 1;
    const from = `3361500${String(counter).padStart(4, '0')}`;
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { type: 'text', text: { body: `Bonjour, ici ${name}` } }, name))).to.equal(200);
    return eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0]?.id as string | undefined);
  }

  async function openConversation(id: string, width = 1366): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width, height: 860 } })).newPage();
    await signInAt(page, app.url, supervisor.email, TEST_PASSWORD);
    await page.goto(`${app.url}/#/inbox/${id}`);
    await page.locator(`.conversation[data-conversation="${id}"] [data-direction="in"]`).waitFor();
    return page;
  }

  const outgoing = (id: string) => eventually('the sent message', async () => {
    const items = (await admin.get(`/api/v1/conversations/${id}/messages`)).body.items as Array<{ direction: string; text: string }>;
    const out = items.filter((m) => m.direction === 'out');
    return out.length > 0 ? out.map((m) => m.text) : undefined;
  });

  it('types / in the composer, picks a shortcut with the keyboard, sees it filled and sends it', async () => {
    const id = await customer('Camille Dupont');
    const page = await openConversation(id);
    const box = page.locator('#composer-text');
    await box.click();
    await box.pressSequentially('/');
    // Both responses are offered, the shared one first; typing narrows the list.
    await page.locator('#canned-picker [data-shortcut="bye"]').waitFor();
    expect(await page.$$eval('#canned-picker [role="option"]', (els) => els.map((el) => el.getAttribute('data-shortcut')))).to.deep.equal(['hello', 'bye']);
    await box.pressSequentially('he');
    await eventually('the list narrows', async () => (await page.locator('#canned-picker [role="option"]').count()) === 1);
    const option = page.locator('#canned-picker [data-shortcut="hello"]');
    expect(await option.textContent()).to.contain('Hello Camille Dupont, Sam Lead here.');
    expect(await option.getAttribute('aria-selected')).to.equal('true');
    await box.press('Enter');
    // Enter chose the response (it did not send): the filled text is in the box, the list is gone.
    expect(await box.inputValue()).to.equal('Hello Camille Dupont, Sam Lead here.');
    expect(await page.locator('#canned-picker').count()).to.equal(0);

    // Escape closes the list for that word; it stays as typed.
    await box.pressSequentially(' /b');
    await page.locator('#canned-picker [data-shortcut="bye"]').waitFor();
    await box.press('Escape');
    expect(await page.locator('#canned-picker').count()).to.equal(0);
    expect(await box.inputValue()).to.equal('Hello Camille Dupont, Sam Lead here. /b');
    await box.press('Backspace');
    await box.press('Backspace');
    await box.press('Backspace');

    await box.press('Enter');
    await page.locator(`.conversation[data-conversation="${id}"] [data-direction="out"]`, { hasText: 'Hello Camille Dupont, Sam Lead here.' }).waitFor();
    expect(await outgoing(id)).to.deep.equal(['Hello Camille Dupont, Sam Lead here.']);
    await page.context().close();
  });

  it('on a 390 px phone, picks a shortcut with the finger (mouse) and sends it', async () => {
    const id = await customer('Ada Lovelace');
    const page = await openConversation(id, 390);
    const box = page.locator('#composer-text');
    await box.click();
    await box.pressSequentially('Thanks. /by');
    const option = page.locator('#canned-picker [data-shortcut="bye"]');
    await option.waitFor();
    // The list fits the phone's width.
    const fits = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const r = doc.querySelector('#canned-picker-box').getBoundingClientRect();
      return r.left >= 0 && r.right <= doc.documentElement.clientWidth;
    });
    expect(fits).to.equal(true);
    await option.click();
    expect(await box.inputValue()).to.equal('Thanks. Goodbye Ada!');
    await page.click('[data-button="inbox.send"]');
    expect(await outgoing(id)).to.deep.equal(['Thanks. Goodbye Ada!']);
    await page.context().close();
  });

  it('runs a macro from the conversation view: label, team, message and resolution applied', async () => {
    const vip = (await admin.post('/api/v1/labels', { name: 'VIP' })).body.label.id;
    const billing = (await admin.post('/api/v1/teams', { name: 'Billing' })).body.team.id;
    const macro = await supervisor.client.post('/api/v1/macros', {
      shared: true, name: 'Hand to billing',
      actions: [{ type: 'add_label', labelId: vip }, { type: 'assign_team', teamId: billing }, { type: 'send_text', text: 'Billing will call you, {{contact.first_name}}.' }, { type: 'resolve' }],
    });
    expect(macro.status, JSON.stringify(macro.body)).to.equal(201);
    const id = await customer('Grace Hopper');
    const page = await openConversation(id);
    await page.click('[data-button="inbox.macros"]');
    await page.click(`[data-button="inbox.runMacro"][data-macro="${macro.body.macro.id}"]`);
    await page.locator(`.conversation[data-conversation="${id}"][data-status="resolved"]`).waitFor();
    await page.locator('#macro-outcome [data-fact="team"]', { hasText: 'Billing' }).waitFor();
    expect(await page.locator('#macro-outcome [data-fact="labels"]').textContent()).to.contain('VIP');
    await page.locator(`.conversation[data-conversation="${id}"] [data-direction="out"]`, { hasText: 'Billing will call you, Grace.' }).waitFor();
    const after = (await admin.get(`/api/v1/conversations/${id}`)).body.conversation;
    expect(after).to.include({ status: 'resolved', teamId: billing });
    const contact = (await admin.get(`/api/v1/contacts/${after.contact.id}`)).body.contact;
    expect(contact.labels.map((l: { name: string }) => l.name)).to.deep.equal(['VIP']);
    await page.context().close();
  });

  it('shows the Canned responses and Macros pages, and the macro form, within a 390 px phone, in French', async () => {
    const page = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
    await signInAt(page, app.url, supervisor.email, TEST_PASSWORD);
    const overflow = () => page.evaluate(() => {
      const doc = (globalThis as any).document;
      const width = doc.documentElement.clientWidth;
      const outside = [...doc.querySelectorAll('main button, main input, main select, main textarea, [role="dialog"] button, [role="dialog"] select, [role="dialog"] textarea')]
        .filter((el: any) => el.getClientRects().length > 0 && !el.closest('.table-wrap'))
        .filter((el: any) => el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().left < -0.5)
        .map((el: any) => el.getAttribute('data-button') ?? el.getAttribute('data-ui') ?? el.id);
      return { scroll: doc.documentElement.scrollWidth - width, outside };
    });
    await page.goto(`${app.url}/#/canned`);
    await page.locator('#canned-table tr[data-shortcut="hello"]').waitFor();
    expect(await page.locator('#canned-table tr[data-shortcut="hello"]').getAttribute('data-scope')).to.equal('shared');
    expect(await overflow()).to.deep.equal({ scroll: 0, outside: [] });
    await page.goto(`${app.url}/#/macros`);
    // The steps are told with the label's and team's names once those are read.
    await page.locator('#macros-table tr', { hasText: 'Hand to billing' }).filter({ hasText: 'Ajouter l’étiquette VIP' }).filter({ hasText: 'Attribuer à Billing' }).waitFor();
    await page.click('[data-button="macros.create"]');
    await page.locator('#macro-dialog').waitFor();
    await page.click('[data-button="macros.addStep"]');
    await page.selectOption('#macro-step-1-type', 'send_text');
    expect(await overflow()).to.deep.equal({ scroll: 0, outside: [] });
    await page.context().close();
  });
});
