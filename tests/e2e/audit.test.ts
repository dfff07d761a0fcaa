import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium } from '../support/ui';
import { addChannel, inbound, postWebhook, wamid } from '../support/whatsapp';

describe('end to end in Chromium: the Audit page anchors the chain, hands out the anchor and the key, filters, tells and exports events', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('anchors now, verifies against that anchor, and downloads the signed anchor and the public key', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(app.url);
    await page.fill('#login-email', app.admin.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.click('[data-button="nav.audit"]');

    await page.click('[data-button="audit.anchor"]');
    const anchored = await page.locator('#audit-anchor-result p').textContent();
    const seq = Number(/sequence (\d+)/.exec(anchored ?? '')?.[1]);
    expect(seq).to.be.greaterThan(0);

    await page.click('[data-button="audit.verify"]');
    await page.waitForSelector('#audit-verify-result[data-ok="true"]');
    expect(await page.locator('#audit-verify-result').textContent()).to.contain(`Checked against the anchor of sequence ${seq}`);

    const [anchorDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-button="audit.downloadAnchor"]')]);
    expect(anchorDownload.suggestedFilename()).to.equal(`switchboard-audit-anchor-${seq}.json.asc`);
    expect(await readFile((await anchorDownload.path())!, 'utf8')).to.contain('-----BEGIN PGP SIGNED MESSAGE-----');
    const [keyDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-button="audit.downloadPublicKey"]')]);
    expect(await readFile((await keyDownload.path())!, 'utf8')).to.contain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    await context.close();
  });

  it('lets a compliance officer filter by a suggested actor and a family, read the sentence, open the raw record and download the CSV', async () => {
    const admin = await app.adminClient();
    const amelie = await app.userWithRoles(['supervisor']);
    const sam = await app.userWithRoles(['agent']);
    expect((await admin.patch(`/api/v1/users/${amelie.id}`, { name: 'Amélie Martin' })).status).to.equal(200);
    expect((await admin.patch(`/api/v1/users/${sam.id}`, { name: 'Sam' })).status).to.equal(200);
    const channel = await addChannel(admin);
    const from = '33655443322';
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { id: wamid(), type: 'text', text: { body: 'Bonjour' } }, 'Jean Dupont'))).to.equal(200);
    const conversation = await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0]);
    expect((await amelie.client.post(`/api/v1/conversations/${conversation.id}/assign`, { assigneeId: sam.id })).status).to.equal(200);
    // Opening the conversation, as the panel does, is audited too.
    expect((await amelie.client.get(`/api/v1/conversations/${conversation.id}`)).status).to.equal(200);
    // Amélie also changed her own password: an event of another family, which the filter must leave out.
    expect((await amelie.client.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'another-Horse-battery-10' })).status).to.equal(204);
    const officer = await app.userWithRoles(['compliance-officer']);

    const context = await browser.newContext({ acceptDownloads: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(app.url);
    await page.fill('#login-email', officer.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.click('[data-button="nav.audit"]');

    await page.fill('#audit-actor', 'amél');
    await page.click('[data-ui="audit.actorSuggestion"]:has-text("Amélie Martin")');
    expect(await page.locator('#audit-actor-chosen').textContent()).to.contain('Only Amélie Martin');
    await page.selectOption('#audit-family', 'conversation');
    expect(await page.locator('#audit-time-zone').textContent()).to.match(/Times are in your time zone: \S+/);
    await page.click('[data-button="audit.filter"]');

    const sentence = 'Amélie Martin assigned the conversation with Jean Dupont to Sam';
    // Only Amélie's conversation events are left (her password change is filtered out), newest first.
    const rows = page.locator('#audit-table tbody tr[data-seq]');
    await eventually('the filtered list', async () => (await rows.count()) === 2 && (await rows.nth(1).textContent())?.includes(sentence));
    expect(await rows.first().textContent()).to.contain('Amélie Martin opened the conversation with Jean Dupont');
    const row = rows.nth(1);
    await row.locator('[data-button="audit.details"]').click();
    const raw = JSON.parse((await page.locator('[data-ui="audit.rawRecord"]').textContent())!);
    expect(raw).to.deep.include({ action: 'conversation.assigned', actorId: amelie.id, subjectType: 'Conversation', subjectId: conversation.id });
    expect(raw.details).to.deep.include({ toAssigneeId: sam.id });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-button="audit.exportCsv"]')]);
    expect(download.suggestedFilename()).to.match(/^switchboard-audit-.*\.csv$/);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).to.match(/^seq,at,actor_type,actor_id,actor_name/);
    // Chain order: the assignment, then the view.
    expect(lines).to.have.length(3);
    expect(lines[1]).to.contain(`,Amélie Martin,`);
    expect(lines[1]).to.contain(`,conversation.assigned,Conversation,${conversation.id},Jean Dupont,`);
    expect(lines[2]).to.contain(`,conversation.viewed,Conversation,${conversation.id},Jean Dupont,`);
    const exported = await admin.get(`/api/v1/audit/events?actorId=${officer.id}&action=audit.exported`);
    expect(exported.body.items[0].details).to.deep.include({ format: 'csv', rows: 2, filter: { actorId: amelie.id, family: 'conversation' } });
    await context.close();
  });
});
