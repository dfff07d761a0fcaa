import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { newId } from '../../server/lib/ids';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';
import { insertMessage, type Thread } from '../support/retention';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);

// The conversation review as a compliance officer meets it: an old complaint found by date,
// read with its photo and its assignment history, nothing to act on; on a phone the history
// follows the transcript. An agent has no such page.
describe('end to end in Chromium: conversation review', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let admin: ApiClient;
  let old: Thread;
  let recent: Thread;
  const db = () => app.runtime.services.db;

  async function signIn(email: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'en-GB' })).newPage();
    return signInAt(page, app.url, email, TEST_PASSWORD);
  }

  async function thread(channelId: string, waId: string, name: string, at: Date): Promise<Thread> {
    const contactId = newId();
    const conversationId = newId();
    await db()('contacts').insert({ id: contactId, wa_id: waId, profile_name: name });
    await db()('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channelId, created_at: at, last_message_at: at, status: 'resolved' });
    return { contactId, conversationId, channelId };
  }

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    admin = await app.adminClient();
    const alice = await app.userWithRoles(['agent']);
    await db()('users').where({ id: alice.id }).update({ name: 'Alice Agent' });
    const channel = await addChannel(admin);

    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(TINY_PNG)], { type: 'image/png' }), 'bill.png');
    const uploaded = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { cookie: admin.cookieHeader()!, 'x-csrf-token': admin.csrfToken! }, body: form });
    const mediaId = ((await uploaded.json()) as { media: { id: string } }).media.id;

    old = await thread(channel.id, '33622220001', 'Old Complainant', ago(3 * 365));
    await insertMessage(db(), old, ago(3 * 365), { text: 'my bill is wrong' });
    await insertMessage(db(), old, new Date(ago(3 * 365).getTime() + 60_000), { text: 'a photo of it', mediaId });
    await insertMessage(db(), old, new Date(ago(3 * 365).getTime() + 120_000), { text: 'sorry, looking into it', authorId: alice.id });
    expect((await admin.post(`/api/v1/conversations/${old.conversationId}/assign`, { assigneeId: alice.id })).status).to.equal(200);
    recent = await thread(channel.id, '33622220002', 'Recent Customer', ago(3));
    await insertMessage(db(), recent, ago(3), { text: 'hello' });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a compliance officer finds a three-year-old conversation by date and reads it with its history, and nothing to act on', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.click('[data-button="nav.review"]');
    // The weekly quality review: the last 30 days only.
    await page.locator(`#review-table tr[data-id="${recent.conversationId}"]`).waitFor();
    expect(await page.locator(`#review-table tr[data-id="${old.conversationId}"]`).count()).to.equal(0);

    await page.fill('#review-from', ago(4 * 365).toISOString().slice(0, 10));
    await page.click('[data-button="review.search"]');
    const row = page.locator(`#review-table tr[data-id="${old.conversationId}"]`);
    await row.waitFor();
    expect(await row.innerText()).to.contain('Old Complainant');
    await row.locator('[data-button="review.open"]').click();

    await page.waitForSelector('#review-messages >> text=my bill is wrong');
    expect(await page.locator('main h1').innerText()).to.equal('Conversation with Old Complainant');
    const transcript = await page.locator('#review-messages').innerText();
    expect(transcript).to.contain('sorry, looking into it');
    expect(transcript).to.contain('Alice Agent');
    await page.waitForSelector('#review-timeline li[data-action="conversation.assigned"] >> text=assigned the conversation with Old Complainant to Alice Agent');
    await eventually('the photo is shown', () => page.locator('#review-messages img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0));

    // Read-only: no composer, no assignment or status buttons, no reply or reaction.
    expect(await page.locator('#composer, [data-button^="inbox."]').count()).to.equal(0);

    await app.runtime.services.audit.flush();
    const reviewed = await db()('audit_events').where({ action: 'conversation.reviewed', actor_id: officer.id });
    expect(reviewed.map((e) => e.subject_id)).to.deep.equal([old.conversationId]);
    const timeline = await page.locator('#review-timeline').innerText();
    expect(timeline).to.contain('reviewed the conversation with Old Complainant');

    await page.click('[data-button="review.back"]');
    await row.waitFor();
    await page.context().close();
  });

  it('on a 390 px phone the list and the conversation fit the width and its history follows the transcript', async () => {
    const auditor = await app.userWithRoles(['auditor']);
    const page = await signIn(auditor.email, { width: 390, height: 844 });
    const overflow = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).document.documentElement.clientWidth);
    // The list first: its table scrolls inside its own frame, never the page.
    await page.goto(`${app.url}/#/review`);
    await page.locator(`#review-table tr[data-id="${recent.conversationId}"]`).waitFor();
    expect(await overflow()).to.be.at.most(0);
    await page.click(`#review-table tr[data-id="${recent.conversationId}"] [data-ui="review.openByName"]`);
    await page.waitForSelector('#review-messages >> text=hello');
    await page.goto(`${app.url}/#/review/${old.conversationId}`);
    await page.waitForSelector('#review-timeline li');
    const layout = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const transcript = doc.querySelector('.review-transcript').getBoundingClientRect();
      const history = doc.querySelector('.review-history').getBoundingClientRect();
      return { overflow: doc.documentElement.scrollWidth - doc.documentElement.clientWidth, transcriptBottom: transcript.bottom, historyTop: history.top };
    });
    expect(layout.overflow).to.be.at.most(0);
    expect(layout.historyTop).to.be.at.least(layout.transcriptBottom);
    await page.context().close();
  });

  it('an agent sees no review entry, and the review routes say it is not allowed', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(agent.email);
    expect(await page.locator('[data-button="nav.review"]').count()).to.equal(0);
    for (const route of ['review', `review/${old.conversationId}`]) {
      await page.goto(`${app.url}/#/${route}`);
      await page.waitForSelector('main h1 >> text=Access denied');
      expect(await page.locator('[data-button^="review."], #review-messages').count()).to.equal(0);
    }
    expect((await agent.client.get(`/api/v1/review/conversations/${old.conversationId}`)).status).to.equal(403);
    await page.context().close();
  });
});
