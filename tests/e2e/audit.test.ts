import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { ensureUiBuilt, launchChromium } from '../support/ui';

describe('end to end in Chromium: the Audit page anchors the chain and hands out the anchor and the key', function () {
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
});
