// The webhook callback URL the Numbers page shows, to paste into Meta's console: always absolute,
// whether or not the browser sent an Origin header (it does not on same-origin GETs).
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { addChannel } from '../support/whatsapp';

/** The webhookUrl of every channel, as GET /api/v1/channels lists them with the given headers. */
async function listedWebhookUrls(app: TestApp, headers: Record<string, string> = {}): Promise<string[]> {
  const admin = await app.adminClient();
  const res = await admin.request('GET', '/api/v1/channels', undefined, headers);
  expect(res.status).to.equal(200);
  return (res.body.items as Array<{ webhookUrl: string }>).map((c) => c.webhookUrl);
}

describe('channels: the webhook callback URL', () => {
  describe('without PUBLIC_URL', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
      await addChannel(await app.adminClient());
    });
    after(() => app?.stop());

    it("is built from the request's own protocol and host when no Origin header is sent", async () => {
      const urls = await listedWebhookUrls(app);
      expect(urls).to.have.length(1);
      expect(urls[0]).to.equal(`${app.url}/webhooks/whatsapp`);
      expect(urls[0]).to.match(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/whatsapp$/);
    });

    it('ignores X-Forwarded-* headers while TRUST_PROXY is off', async () => {
      const urls = await listedWebhookUrls(app, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' });
      expect(urls[0]).to.equal(`${app.url}/webhooks/whatsapp`);
    });
  });

  describe('behind a proxy (TRUST_PROXY=true)', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ TRUST_PROXY: 'true' });
      await addChannel(await app.adminClient());
    });
    after(() => app?.stop());

    it("uses the proxy's X-Forwarded-Proto and X-Forwarded-Host", async () => {
      const urls = await listedWebhookUrls(app, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'panel.example.com' });
      expect(urls[0]).to.equal('https://panel.example.com/webhooks/whatsapp');
    });
  });

  describe('with PUBLIC_URL', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ PUBLIC_URL: 'https://switchboard.example.com/' });
      await addChannel(await app.adminClient());
    });
    after(() => app?.stop());

    it('uses PUBLIC_URL whatever the request says, on the list and on creation', async () => {
      expect(await listedWebhookUrls(app)).to.deep.equal(['https://switchboard.example.com/webhooks/whatsapp']);
      expect(await listedWebhookUrls(app, { origin: 'http://localhost:5173' })).to.deep.equal(['https://switchboard.example.com/webhooks/whatsapp']);
      const admin = await app.adminClient();
      const res = await admin.post('/api/v1/channels', {
        name: 'Second number', phoneNumberId: '1088000001', wabaId: '2088000001', displayNumber: '+1 555 0100 002',
        graphBaseUrl: 'http://127.0.0.1:9/graph', accessToken: 'a'.repeat(20), appSecret: 'b'.repeat(20), verifyToken: 'c'.repeat(20),
      });
      expect(res.status).to.equal(201);
      expect(res.body.channel.webhookUrl).to.equal('https://switchboard.example.com/webhooks/whatsapp');
    });
  });
});
