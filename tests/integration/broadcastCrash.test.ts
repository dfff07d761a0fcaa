// The worker process running a broadcast is killed (SIGKILL) in the middle of it and another is
// started: the broadcast completes, and no recipient is sent the message twice (the sandbox, in
// this test's process, counts what it accepted per recipient). Sends the dead process had in
// hand are settled without a second send: from their status webhook when Meta had accepted
// them, else failed as 'interrupted' (the sender's crash reconciliation, after 2 minutes).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { projectRoot } from '../../server/lib/paths';
import { startTestApp, type TestApp } from '../support/app';
import { addSandboxChannel, approvedTemplate, broadcastNumber, broadcastWhen, freePort, seedContacts, segmentOf, startSandboxPeer } from '../support/broadcasts';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { forkWorker, type WorkerChild } from '../support/workerProcess';

const RECIPIENTS = 2_000;
const FIRST = 34_622_000_000;

describe('broadcast crash: the worker is killed mid-broadcast and another takes over', function () {
  this.timeout(420_000);
  let app: TestApp;
  let admin: ApiClient;
  let peer: Awaited<ReturnType<typeof startSandboxPeer>>;
  const workers: WorkerChild[] = [];
  const number = broadcastNumber(100);
  const masterKey = randomBytes(32).toString('base64');

  before(async () => {
    const port = await freePort();
    peer = await startSandboxPeer(port, number);
    // The web role (API, webhooks) lives in this process; the broadcast runs in worker children.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'web', PORT: String(port), GRAPH_ALLOWED_HOSTS: peer.origin, SWITCHBOARD_MASTER_KEY: masterKey });
    admin = await app.adminClient();
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await app?.stop();
    await peer?.close();
  });

  const startWorker = async (name: string) => {
    const worker = await forkWorker({
      NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: app.databaseUrl, DATABASE_OWNER_URL: app.ownerUrl, DATABASE_POOL_MAX: '10',
      SWITCHBOARD_MASTER_KEY: masterKey, SWITCHBOARD_ROLE: 'worker', SWITCHBOARD_SANDBOX: 'false', SWITCHBOARD_MIGRATE_ON_BOOT: 'false',
      SWITCHBOARD_DATA_DIR: path.join(projectRoot, '.data', 'test-apps', `worker-${name}-${process.pid}`), GRAPH_ALLOWED_HOSTS: peer.origin,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // The killed worker's sends in flight are settled by the survivor after this (default 120 s).
      OUTBOX_INFLIGHT_STALE_SECONDS: '20',
    });
    workers.push(worker);
    return worker;
  };

  it('completes after a SIGKILL and a restart, with no recipient sent the message twice', async () => {
    const db = app.runtime.services.db;
    const channelId = await addSandboxChannel(admin, db, peer, number);
    app.runtime.services.channels.invalidate();
    const templateId = await approvedTemplate(admin, channelId, { name: 'crash_sale', category: 'UTILITY', body: { text: 'Hi {{1}}, your order shipped.', examples: ['Robin'] } });
    const waIds = Array.from({ length: RECIPIENTS }, (_, i) => String(FIRST + i));
    const { labelId } = await seedContacts(db, waIds.map((w, i) => ({ waId: w, name: `C${i}`, country: 'FR' })));
    const segmentId = await segmentOf(admin, labelId);

    const first = await startWorker('a');
    const created = await admin.post('/api/v1/broadcasts', {
      name: 'Crash', templateId, segmentId, channelIds: [channelId],
      mapping: [{ component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: 'there' }],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.broadcast.id;
    // In the middle: some sent, most not.
    await eventually('a few hundred sends', async () => peer.sandbox.stats().messages.sent >= 300, 120_000);
    await first.kill();
    const atKill = peer.sandbox.stats().messages.sent;
    expect(atKill).to.be.below(RECIPIENTS);

    await startWorker('b');
    const done = await broadcastWhen(admin, id, 'the broadcast completed, every recipient past the outbox', (b) =>
      b.status === 'completed' && b.progress.pending === 0 && b.progress.queued === 0, 360_000);

    const perRecipient = new Map<number, number>();
    for (const w of waIds) {
      const out = peer.sandbox.conversation(number.phoneNumberId, w).filter((e) => e.direction === 'out').length;
      perRecipient.set(out, (perRecipient.get(out) ?? 0) + 1);
    }
    // Never twice; and whatever Meta accepted is recorded as delivered, whatever was not is failed as interrupted.
    expect(perRecipient.get(2) ?? 0).to.equal(0);
    expect([...perRecipient.keys()].every((n) => n <= 1)).to.equal(true);
    // Sent or delivered: what Meta accepted (a status Meta never delivered leaves a message at sent).
    const accepted = peer.sandbox.stats().messages.sent;
    expect(perRecipient.get(1) ?? 0).to.equal(accepted);
    expect(done.progress.sent + done.progress.delivered + done.progress.read).to.equal(accepted);
    expect(done.progress.failed).to.equal(RECIPIENTS - accepted);
    expect(done.progress.failedByCode.every((f) => f.code === 'interrupted')).to.equal(true);
    expect(Number((await db('broadcast_recipients').where({ broadcast_id: id, state: 'queued' }).count({ n: '*' }).first())!.n)).to.equal(RECIPIENTS);
  });
});
