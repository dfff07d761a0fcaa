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

  it('shares a delivery among the numbers of one WABA signed by one app, never across apps', async () => {
    bed.receiver.received.length = 0;
    const [shop, support, boutique] = [TEST_NUMBERS[0]!, TEST_NUMBERS[1]!, TEST_NUMBERS[2]!];
    for (const [i, number] of [shop, support, boutique, shop, support, boutique].entries()) {
      const res = await bed.graph('POST', `/${number.phoneNumberId}/messages`, {
        token: number.accessToken,
        json: { messaging_product: 'whatsapp', to: `3369876${String(i).padStart(4, '0')}`, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
      });
      expect(res.status, res.raw).to.equal(200);
    }
    await bed.receiver.waitFor((received) => changesOf(received).length >= 12, 20_000);
    const numbersOf = (post: (typeof bed.receiver.received)[number]) =>
      new Set(post.json.entry.flatMap((e) => e.changes.map((c) => (c.value.metadata as { phone_number_id: string }).phone_number_id)));
    const posts = bed.receiver.received.map((post) => ({ wabas: post.json.entry.map((e) => e.id), numbers: numbersOf(post) }));
    // Shop and its support line (one WABA, one app) arrive together; the boutique's app gets its own.
    expect(posts.some((p) => p.numbers.has(shop.phoneNumberId) && p.numbers.has(support.phoneNumberId))).to.equal(true);
    for (const p of posts) {
      expect(p.wabas).to.have.length(1);
      if (p.numbers.has(boutique.phoneNumberId)) {
        expect([...p.numbers]).to.deep.equal([boutique.phoneNumberId]);
      }
    }
  });
});
