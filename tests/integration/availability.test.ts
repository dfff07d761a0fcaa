import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase } from '../support/db';
import { TcpProxy } from '../support/tcpProxy';

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

  it('answers 503 on /readyz and the API while down, and recovers without a restart', async () => {
    const admin = await app.adminClient();
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
    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await app.client().get('/readyz')).status;
      if (status !== 200) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(status).to.equal(200);
    expect((await admin.get('/api/v1/users')).status).to.equal(200);
  });
});
