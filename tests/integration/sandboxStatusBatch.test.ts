// Under load Meta batches status changes into one delivery; the sandbox does when asked
// (statusBatch) and counts how it delivered them, which the send bench reports.
import { expect } from 'chai';
import { changesOf, startTestBed, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';

describe('sandbox: batched status deliveries', function () {
  this.timeout(60_000);
  let bed: TestBed;
  before(async () => {
    bed = await startTestBed({ statusBatch: { windowMs: 100, maxChanges: 25 }, autoRead: false });
  });
  after(async () => bed.close());

  it('puts many status changes of one number in one signed POST, never more than maxChanges, each status once', async () => {
    const number = TEST_NUMBERS[0]!;
    const wamids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await bed.graph('POST', `/${number.phoneNumberId}/messages`, {
        json: { messaging_product: 'whatsapp', to: `3361234${String(i).padStart(4, '0')}`, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
      });
      expect(res.status, res.raw).to.equal(200);
      wamids.push((res.json as { messages: Array<{ id: string }> }).messages[0]!.id);
    }
    // Each message gets `sent` and `delivered`: 80 changes.
    await bed.receiver.waitFor((received) => changesOf(received).length >= 80, 20_000);
    const statuses = changesOf(bed.receiver.received).flatMap((c) => (c.value.statuses ?? []) as Array<{ id: string; status: string }>);
    for (const wamid of wamids) {
      expect(statuses.filter((s) => s.id === wamid).map((s) => s.status).sort()).to.deep.equal(['delivered', 'sent']);
    }
    expect(bed.receiver.received.every((r) => r.signatureValid)).to.equal(true);
    const perPost = bed.receiver.received.map((r) => r.json.entry[0]!.changes.length);
    expect(Math.max(...perPost)).to.be.at.most(25);
    expect(bed.receiver.received.length).to.be.below(80);
    expect(bed.sandbox.stats().statusDeliveries).to.deep.equal({ posts: bed.receiver.received.length, changes: 80, maxChangesPerPost: Math.max(...perPost) });
  });
});
