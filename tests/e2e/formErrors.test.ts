import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { en } from '../../admin-ui/src/i18n/en';
import { fr } from '../../admin-ui/src/i18n/fr';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { ensureUiBuilt, launchChromium } from '../support/ui';

// Errors where the user looks: the server's refusals appear beside their fields, in the user's
// words and language, with focus on the first one; dialogs open on their first field and give
// focus back to the button that opened them.
describe('end to end in Chromium: refused fields beside them, in English and French, and focus in dialogs', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let api: ApiClient;
  let adminEmail: string;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    const admin = await app.userWithRoles(['admin']);
    adminEmail = admin.email;
    api = await app.adminClient();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Signs the admin in with the browser in `locale`, whose language the panel takes. */
  async function signedIn(locale: string): Promise<Page> {
    // A wide window, so tables keep their row actions inline (folding is tested in layoutFit).
    const page = await (await browser.newContext({ locale, viewport: { width: 1600, height: 900 } })).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', adminEmail);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.waitForSelector('[data-button="auth.logout"]');
    return page;
  }

  /** The id, or else the data-button, of the focused element. */
  const focused = (page: Page) => page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; getAttribute: (n: string) => string | null } | null } }).document.activeElement;
    return active?.id || active?.getAttribute('data-button') || null;
  });

  const errorText = async (page: Page, id: string) => (await page.locator(`#${id}-error`).textContent())?.trim();

  it('the password form: a wrong current password and a mismatch are said beside their fields, with focus there', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', agent.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.waitForSelector('[data-button="auth.logout"]');
    await page.goto(`${app.url}/#/password`);
    await page.fill('#current-password', 'not my password at all');
    await page.fill('#new-password', 'A long new passphrase 42');
    await page.fill('#confirm-password', 'A long new passphrase 43');
    await page.click('[data-button="auth.submitPassword"]');
    await page.locator('#confirm-password-error', { hasText: fr['password.mismatch'] }).waitFor();
    expect(await focused(page)).to.equal('confirm-password');

    await page.fill('#confirm-password', 'A long new passphrase 42');
    await page.click('[data-button="auth.submitPassword"]');
    await page.locator('#current-password-error', { hasText: fr['password.currentWrong'] }).waitFor();
    expect(await page.locator('#confirm-password-error').count()).to.equal(0);
    expect(await page.getAttribute('#current-password', 'aria-invalid')).to.equal('true');
    expect(await focused(page)).to.equal('current-password');
    await page.context().close();
  });

  for (const [locale, dict] of [['en-US', en], ['fr-FR', fr]] as const) {
    const lang = locale.slice(0, 2);

    describe(`in ${lang}`, () => {
      it('the numbers form: bad input and a taken phone number ID are said beside their fields, focus on the first', async () => {
        // A number that already holds the phone number ID typed below.
        const takenId = lang === 'en' ? '5550101' : '5550202';
        const existing = await api.post('/api/v1/channels', {
          name: `Existing ${lang}`, phoneNumberId: takenId, wabaId: '5559999', displayNumber: '+1 555 010 9999',
          accessToken: 'token-12345678', appSecret: 'secret-12345678', verifyToken: 'verify-12345678',
        });
        expect(existing.status).to.equal(201);

        const page = await signedIn(locale);
        await page.goto(`${app.url}/#/channels`);
        await page.click('[data-button="channels.create"]');
        await page.waitForSelector('#channel-dialog');
        expect(await focused(page), 'the dialog opens on its first field').to.equal('channel-name');

        await page.fill('#channel-name', `Support ${lang}`);
        await page.fill('#channel-display-number', '+1 555 010 0002');
        await page.fill('#channel-phone-number-id', '12ab');
        await page.fill('#channel-waba-id', '5550002');
        await page.fill('#channel-access-token', 'short');
        await page.fill('#channel-app-secret', 'secret-12345678');
        await page.fill('#channel-verify-token', 'verify-12345678');
        await page.click('[data-button="channels.submitCreate"]');

        await page.locator('#channel-phone-number-id-error').waitFor();
        expect(await errorText(page, 'channel-phone-number-id')).to.equal(dict['fieldErrors.format.digits']);
        expect(await errorText(page, 'channel-access-token')).to.equal(dict['fieldErrors.tooShort'].replace('{minimum}', '8'));
        expect(await page.getAttribute('#channel-phone-number-id', 'aria-invalid')).to.equal('true');
        expect(await page.getAttribute('#channel-phone-number-id', 'aria-describedby')).to.contain('channel-phone-number-id-error');
        expect(await focused(page), 'focus on the first refused field').to.equal('channel-phone-number-id');
        // The alert points to the fields rather than naming them in the server's terms.
        const alert = (await page.locator('#channel-dialog [role="alert"]').textContent()) ?? '';
        expect(alert).to.contain(dict['fieldErrors.checkFields']);
        expect(alert).to.not.contain('phoneNumberId');

        await page.fill('#channel-phone-number-id', takenId);
        await page.fill('#channel-access-token', 'token-12345678');
        await page.click('[data-button="channels.submitCreate"]');
        await page.locator('#channel-phone-number-id-error', { hasText: dict['fieldErrors.taken'] }).waitFor();
        expect(await page.locator('#channel-access-token-error').count()).to.equal(0);
        expect(await focused(page)).to.equal('channel-phone-number-id');

        // Escape closes the dialog and focus is back on the button that opened it.
        await page.keyboard.press('Escape');
        await page.waitForSelector('#channel-dialog', { state: 'detached' });
        expect(await focused(page)).to.equal('channels.create');
        await page.context().close();
      });

      it('the user form: a bad email, a long name and a taken email beside their fields; Cancel gives focus back', async () => {
        const page = await signedIn(locale);
        await page.goto(`${app.url}/#/users`);
        await page.click('[data-button="users.create"]');
        await page.waitForSelector('#user-dialog');
        expect(await focused(page), 'the dialog opens on its first field').to.equal('user-email');
        // With a role, so the form does not first ask to confirm a user without one.
        await page.locator('#user-dialog input[name="role"]').first().check();

        // The browser takes `a@b` as an email; the server wants a domain with a dot.
        await page.fill('#user-email', 'a@b');
        await page.fill('#user-name', 'x'.repeat(121));
        await page.click('[data-button="users.submitCreate"]');
        await page.locator('#user-email-error').waitFor();
        expect(await errorText(page, 'user-email')).to.equal(dict['fieldErrors.format.email']);
        expect(await errorText(page, 'user-name')).to.equal(dict['fieldErrors.tooLong'].replace('{maximum}', '120'));
        expect(await focused(page), 'focus on the first refused field').to.equal('user-email');

        await page.fill('#user-email', adminEmail.toUpperCase());
        await page.fill('#user-name', 'Camille');
        await page.click('[data-button="users.submitCreate"]');
        await page.locator('#user-email-error', { hasText: dict['fieldErrors.taken'] }).waitFor();
        expect(await page.locator('#user-name-error').count()).to.equal(0);
        expect(await focused(page)).to.equal('user-email');

        await page.click('#user-dialog [data-ui="dialog.cancel"]');
        await page.waitForSelector('#user-dialog', { state: 'detached' });
        expect(await focused(page)).to.equal('users.create');
        await page.context().close();
      });

      it('a confirmation opens on its safe choice (Cancel) and gives focus back to the row button that opened it', async () => {
        const email = `confirm-${lang}@example.test`;
        expect((await api.post('/api/v1/users', { email, name: `Confirm ${lang}` })).status).to.equal(201);
        const page = await signedIn(locale);
        await page.goto(`${app.url}/#/users`);
        const row = page.locator(`tr[data-email="${email}"]`);
        const disable = row.locator('[data-button="users.disable"]');
        await disable.waitFor({ state: 'attached' });
        // Where the table folds its actions (French is wider), the row's menu opens first and
        // is what gets focus back; inline, the button itself does.
        const menu = row.locator('[data-ui="list.rowMenu"]');
        const folded = await menu.isVisible();
        if (folded) {
          await menu.click();
        }
        await disable.click();
        await page.waitForSelector('#confirm-dialog');
        expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute: (n: string) => string | null } | null } }).document.activeElement?.getAttribute('data-ui'))).to.equal('dialog.cancel');
        await page.keyboard.press('Escape');
        await page.waitForSelector('#confirm-dialog', { state: 'detached' });
        const opener = folded ? menu : disable;
        expect(await opener.evaluate((button) => button === (button.ownerDocument as unknown as { activeElement: unknown }).activeElement)).to.equal(true);
        await page.context().close();
      });
    });
  }
});
