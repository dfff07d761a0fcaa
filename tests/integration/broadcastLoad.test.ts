// A broadcast to 10,000 sandbox contacts with Meta's failures injected: throughput (130429),
// pair rate (131056), undeliverable (131026, reported by webhook) and bare 5xx. Every recipient
// ends in exactly one final state, each is sent the message once, and the sandbox counts no
// limit violation beyond the ones injected.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { addSandboxChannel, approvedTemplate, broadcastNumber, broadcastWhen, freePort, seedContacts, segmentOf, startSandboxPeer } from '../support/broadcasts';
import type { ApiClient } from '../support/client';

const RECIPIENTS = 10_000;
// Per code. Each 130429 halves the lane's rate and pauses it a second (AIMD, recovering over
// 20 s), so a few are enough to show the back-off; more would mostly measure the waiting.
const INJECTED = 25;
const THROTTLED = 5;
const FIRST = 34_611_000_000;

describe('broadcast load: 10,000 recipients with failure injection', function () {
  this.timeout(720_000);
  let app: TestApp;
  let admin: ApiClient;
  let peer: Awaited<ReturnType<typeof startSandboxPeer>>;
  const number = broadcastNumber(500);

  before(async () => {
    const port = await freePort();
    peer = await startSandboxPeer(port, number);
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', PORT: String(port), GRAPH_ALLOWED_HOSTS: peer.origin, DATABASE_POOL_MAX: '20' });
    admin = await app.adminClient();
  });
  after(async () => {
    await app?.stop();
    await peer?.close();
  });

  it('ends every recipient in one final state, sends each once, and violates no limit', async () => {
    const db = app.runtime.services.db;
    const channelId = await addSandboxChannel(admin, db, peer, number);
    app.runtime.services.channels.invalidate();
    const templateId = await approvedTemplate(admin, channelId, { name: 'big_sale', category: 'MARKETING', body: { text: 'Hi {{1}}, the big sale starts now.', examples: ['Robin'] } });
    const waIds = Array.from({ length: RECIPIENTS }, (_, i) => String(FIRST + i));
    const { labelId } = await seedContacts(db, [
      ...waIds.map((w, i) => ({ waId: w, name: i % 3 === 0 ? null : `C${i}`, country: i % 2 ? 'FR' : 'DE' })),
      ...Array.from({ length: 40 }, (_, i) => ({ waId: String(FIRST + RECIPIENTS + i), optState: 'out' as const })),
      ...Array.from({ length: 60 }, (_, i) => ({ waId: String(FIRST + RECIPIENTS + 100 + i), optState: 'unknown' as const })),
    ]);
    const segmentId = await segmentOf(admin, labelId);
    // Each injected failure is for one recipient, once: 131026 comes back as a failed status; the
    // others are answered at once and retried by the sender.
    const plan: Array<[number, number, number]> = [[131026, 0, INJECTED], [130429, 1, THROTTLED], [131056, 2, INJECTED], [500, 3, INJECTED]];
    for (const [code, block, count] of plan) {
      for (let i = 0; i < count; i++) {
        peer.sandbox.injectFailure({ phoneNumberId: number.phoneNumberId, to: waIds[block * 2500 + i * 37]!, code, times: 1 });
      }
    }

    const created = await admin.post('/api/v1/broadcasts', {
      name: 'Big sale', templateId, segmentId, channelIds: [channelId],
      mapping: [{ component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: 'there' }],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.broadcast.id;
    const done = await broadcastWhen(admin, id, 'every recipient final', (b) => b.status === 'completed' && b.progress.failed === INJECTED, 600_000);

    const p = done.progress;
    expect(p).to.deep.include({ total: RECIPIENTS + 100, pending: 0, queued: 0, read: 0, cancelled: 0, failed: INJECTED });
    // Accepted by Meta: delivered, or sent when the sandbox gave up delivering the status webhook
    // (it abandons a POST after its retries, as Meta does; a loaded machine can make that happen).
    expect(p.sent + p.delivered).to.equal(RECIPIENTS - INJECTED);
    if (p.sent > 0) {
      expect(peer.sandbox.stats().webhooks.abandoned).to.be.greaterThan(0);
    }
    expect(p.failedByCode).to.deep.equal([{ code: '131026', count: INJECTED }]);
    expect(p.excluded).to.deep.equal({ opted_out: 40, no_marketing_opt_in: 60, restricted: 0, lexicon_blocked: 0 });

    // Exactly one recipient row and one message per contact, and the sandbox accepted one message each.
    const rows = (await db('broadcast_recipients').where({ broadcast_id: id, state: 'queued' }).countDistinct({ n: 'contact_id' }).count({ all: '*' }).first())!;
    expect(Number(rows.n)).to.equal(RECIPIENTS);
    expect(Number(rows.all)).to.equal(RECIPIENTS);
    const perRecipient = new Map<number, number>();
    for (const w of waIds) {
      const out = peer.sandbox.conversation(number.phoneNumberId, w).filter((e) => e.direction === 'out').length;
      perRecipient.set(out, (perRecipient.get(out) ?? 0) + 1);
    }
    expect([...perRecipient.entries()]).to.deep.equal([[1, RECIPIENTS]]);
    const stats = peer.sandbox.stats();
    expect(stats.messages.sent).to.equal(RECIPIENTS);
    // Only what was injected: the lanes' own pacing never ran into Meta's limits.
    expect(stats.violations['130429'] ?? 0).to.equal(THROTTLED);
    expect(stats.violations['131056'] ?? 0).to.equal(INJECTED);
    expect(await db('outbox').where({ broadcast_id: id }).whereIn('state', ['queued', 'sending'])).to.have.length(0);
  });
});
