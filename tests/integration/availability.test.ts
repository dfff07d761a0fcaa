import { expect } from 'chai';
import { eventually } from '../support/eventually';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase } from '../support/db';
import { TcpProxy } from '../support/tcpProxy';
import { addChannel, inbound, postWebhook } from '../support/whatsapp';

describe('availability: the database goes away and comes back', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  let dropDb: () => Promise<void>;
  before(async () => {
    const database = await createTestDatabase();
    dropDb = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    target.port = String(proxy.port);
    app = await startTestApp({ DATABASE_URL: target.toString() });
  });
  after(async () => {
    await proxy.restore().catch(() => undefined);
    await app.stop();
    await dropDb();
  });

  it('answers 503 on /readyz, the API and the webhook while down, and recovers without a restart', async () => {
    const admin = await app.adminClient();
    const channel = await addChannel(admin);
    const message = inbound(channel, '15550007777', { type: 'text', text: { body: 'while the database is down' } });
    // Warm the channel directory so the signature is checked from memory.
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, '15550007777', { type: 'text', text: { body: 'warm-up' } }))).to.equal(200);
    // Warm the session cache off, so the API must reach the database.
    expect((await admin.get('/api/v1/users')).status).to.equal(200);
    await proxy.cut();
    const ready = await app.client().get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.database).to.equal('unreachable');
    const users = await admin.get('/api/v1/users');
    expect(users.status).to.equal(503);
    expect(users.body.error.id).to.equal('service_unavailable');
    const login = await app.client().post('/api/v1/auth/login', { email: app.admin.email, password: 'x-anything-long' });
    expect(login.status).to.equal(503);
    expect((await app.client().get('/healthz')).status).to.equal(200);
    // Nothing is acknowledged before it is durable: Meta gets a 5xx and retries.
    expect(await postWebhook(app.url, channel.appSecret, message)).to.be.within(500, 599);
    await proxy.restore();
    await eventually('ready again', async () => (await app.client().get('/readyz')).status === 200);
    expect((await admin.get('/api/v1/users')).status).to.equal(200);
    expect(await postWebhook(app.url, channel.appSecret, message)).to.equal(200);
    const id = (message.entry[0]!.changes[0]!.value as unknown as { messages: Array<{ id: string }> }).messages[0]!.id;
    expect(await app.runtime.services.db('messages').where({ wamid: id })).to.have.length(1);
  });
});
