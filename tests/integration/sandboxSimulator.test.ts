// The customer simulator page in a real Chromium, under the strict CSP: a customer writes, taps buttons, sends a photo.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { messagesOf, startTestBed, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';
import { launchChromium } from '../support/ui';

const [SHOP] = TEST_NUMBERS as [typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const CUSTOMER = '16505550030';

describe('sandbox customer simulator (Chromium)', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const call = async (body: unknown) => (await bed.graph('POST', `/${PN}/messages`, { json: body })) as { status: number; json: any };
  const inbound = (type: string) => bed.receiver.waitFor((r) => messagesOf(r).filter((m) => m.type === type).at(-1));

  before(async () => {
    bed = await startTestBed({
      numbers: [SHOP],
      templates: [{ name: 'delivery_check', language: 'en_US', category: 'UTILITY', components: [
        { type: 'BODY', text: 'Is {{1}} a good time?' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes please' }, { type: 'QUICK_REPLY', text: 'Later' }] },
      ] }],
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        problems.push(msg.text());
      }
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${bed.url}/simulator`);
    await page.waitForSelector(`#sim-number option[value="${PN}"]`, { state: 'attached' });
    await page.fill('#sim-wa-id', CUSTOMER);
    await page.dispatchEvent('#sim-wa-id', 'change');
    await page.fill('#sim-name', 'Browser Customer');
    await page.dispatchEvent('#sim-name', 'change');
  });
  after(async () => {
    await browser?.close();
    await bed?.close();
  });

  it('sends the customer\'s text as a signed webhook and shows it in the conversation', async () => {
    await page.fill('#sim-text', 'Hello from the browser ✨');
    await page.click('#sim-send');
    const message = await inbound('text');
    expect((message.text as { body: string }).body).to.equal('Hello from the browser ✨');
    expect(bed.receiver.received.every((h) => h.signatureValid)).to.equal(true);
    const item = page.locator(`#sim-messages [data-wamid="${String(message.id)}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-direction')).to.equal('in');
    expect(await item.locator('.sim-text').textContent()).to.equal('Hello from the browser ✨');
  });

  it('shows business replies live and sends a tap on a reply button', async () => {
    const sent = await call({
      messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive',
      interactive: { type: 'button', body: { text: 'Shall we deliver tomorrow?' }, action: { buttons: [{ type: 'reply', reply: { id: 'deliver-yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'deliver-no', title: 'No' } }] } },
    });
    const wamid = sent.json.messages[0].id as string;
    const bubble = page.locator(`#sim-messages [data-wamid="${wamid}"][data-direction="out"]`);
    await bubble.waitFor({ timeout: 5000 });
    expect(await bubble.locator('.sim-text').textContent()).to.equal('Shall we deliver tomorrow?');
    await bubble.locator('button.sim-reply-button', { hasText: 'Yes' }).click();
    const reply = await inbound('interactive');
    expect(reply.interactive).to.deep.equal({ type: 'button_reply', button_reply: { id: 'deliver-yes', title: 'Yes' } });
    expect(reply.context).to.deep.equal({ from: '15550783881', id: wamid });
  });

  it('renders a template with its parameters and sends its quick reply', async () => {
    const sent = await call({
      messaging_product: 'whatsapp', to: CUSTOMER, type: 'template',
      template: { name: 'delivery_check', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '3 pm' }] }] },
    });
    const bubble = page.locator(`#sim-messages [data-wamid="${String(sent.json.messages[0].id)}"]`);
    await bubble.waitFor({ timeout: 5000 });
    expect(await bubble.locator('.sim-text').textContent()).to.equal('Is 3 pm a good time?');
    await bubble.locator('button.sim-reply-button', { hasText: 'Later' }).click();
    const reply = await inbound('button');
    expect(reply.button).to.deep.equal({ payload: 'Later', text: 'Later' });
  });

  it('reacts to a business message', async () => {
    const sent = await call({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'Your parcel is on its way' } });
    const wamid = sent.json.messages[0].id as string;
    const bubble = page.locator(`#sim-messages [data-wamid="${wamid}"]`);
    await bubble.waitFor({ timeout: 5000 });
    await bubble.locator('button.sim-react').click();
    const reaction = await inbound('reaction');
    expect(reaction.reaction).to.deep.equal({ message_id: wamid, emoji: '👍' });
  });

  it('sends a picked image file with its caption', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await page.setInputFiles('#sim-file', { name: 'photo.png', mimeType: 'image/png', buffer: png });
    await page.fill('#sim-text', 'my photo');
    await page.click('#sim-send');
    const message = await inbound('image');
    expect(message.image).to.include({ mime_type: 'image/png', caption: 'my photo' });
    await page.locator(`#sim-messages [data-wamid="${String(message.id)}"] img`).waitFor();
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).to.deep.equal([]);
  });

  // Last: the browser logs the refusal's 400 as a console error.
  it('refuses an HTML page picked as a file: nothing is sent, the customer is told why', async () => {
    await page.setInputFiles('#sim-file', { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
    await page.click('#sim-send');
    await page.locator('#sim-status.sim-error', { hasText: 'text/html' }).waitFor();
    expect(messagesOf(bed.receiver.received).some((m) => m.type === 'document')).to.equal(false);
    expect(bed.sandbox.conversation(PN, CUSTOMER).some((m) => m.type === 'document')).to.equal(false);
  });
});
