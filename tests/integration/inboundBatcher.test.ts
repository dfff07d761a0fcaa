import { expect } from 'chai';
import { newId } from '../../server/lib/ids';
import { InboundBatcher, type InboundRow } from '../../server/modules/inbox/inboundBatcher';
import { startTestApp, type TestApp } from '../support/app';
import { addChannel, type TestChannel } from '../support/whatsapp';

describe('inbound batcher (group commit of webhook messages)', () => {
  let app: TestApp;
  let channel: TestChannel;
  before(async () => {
    app = await startTestApp();
    channel = await addChannel(await app.adminClient());
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  let n = 0;
  function row(waId: string, overrides: Partial<InboundRow> = {}): InboundRow {
    n += 1;
    return {
      messageId: newId(),
      createdAt: new Date(),
      channelId: channel.id,
      contactId: newId(),
      waId,
      profileName: `Customer ${waId}`,
      country: null,
      wamid: `wamid.batcher.${process.pid}.${n}.${Date.now()}`,
      type: 'text',
      text: `hello ${n}`,
      content: { body: `hello ${n}` },
      media: null,
      contextWamid: null,
      sentAt: new Date(),
      preview: `hello ${n}`,
      raw: { n },
      conversationId: newId(),
      ...overrides,
    };
  }

  it('stores one batch in one statement and tells each row its outcome, duplicates included', async () => {
    const batcher = new InboundBatcher(db());
    const rows = [row('4470000001'), row('4470000002'), row('4470000003')];
    const first = await batcher.store(rows);
    expect(first.every((r) => !r.duplicate)).to.equal(true);
    const again = await batcher.store(rows.map((r) => ({ ...r, messageId: newId() })));
    expect(again.every((r) => r.duplicate)).to.equal(true);
    const stored = await db()('messages').whereIn('wamid', rows.map((r) => r.wamid)).select('id');
    expect(stored.map((s) => s.id).sort()).to.deep.equal(first.map((r) => (r.duplicate ? '' : r.messageId)).sort());
  });

  it('fails only the bad message of a batch; the others are stored', async () => {
    const batcher = new InboundBatcher(db());
    const good = [row('4470000011'), row('4470000012')];
    // Not a uuid: PostgreSQL refuses the whole statement, then each row is tried alone.
    const bad = row('4470000013', { channelId: 'not-a-channel' });
    // The webhook naming the bad message fails as a whole (Meta will retry it) ...
    const outcome = await batcher.store([good[0]!, bad, good[1]!]).then(
      () => null,
      (err: Error) => err,
    );
    expect(outcome).to.be.instanceOf(Error);
    // ... but the good messages in the same batch are durable,
    const stored = await db()('messages').whereIn('wamid', good.map((r) => r.wamid)).count<{ n: number }[]>('* as n');
    expect(Number(stored[0]!.n)).to.equal(2);
    // and the retry finds them known while the bad one is still refused.
    const retried = await Promise.allSettled([good[0]!, bad, good[1]!].map((r) => batcher.store([{ ...r, messageId: newId() }])));
    expect(retried.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(retried.filter((r) => r.status === 'fulfilled').every((r) => (r as PromiseFulfilledResult<Array<{ duplicate: boolean }>>).value[0]!.duplicate)).to.equal(true);
  });

  it('stores many messages of one customer in one batch: one conversation counting them all, the last one as preview', async () => {
    const batcher = new InboundBatcher(db());
    const t0 = Date.now();
    const rows = Array.from({ length: 40 }, (_, i) => row('4470000031', { sentAt: new Date(t0 + i * 1000), text: `part ${i}`, preview: `part ${i}` }));
    // The same delivery twice in one batch is stored once.
    const results = await batcher.store([...rows, { ...rows[7]!, messageId: newId() }]);
    expect(results.slice(0, 40).every((r) => !r.duplicate)).to.equal(true);
    expect(results[40]!.duplicate).to.equal(true);
    const conversations = await db()('conversations')
      .join('contacts', 'contacts.id', 'conversations.contact_id')
      .where('contacts.wa_id', '4470000031')
      .select('conversations.id', 'unread_count', 'last_message_preview', 'first_inbound_at', 'conversations.last_inbound_at');
    expect(conversations).to.have.length(1);
    expect(conversations[0]).to.deep.include({ unread_count: 40, last_message_preview: 'part 39' });
    expect(conversations[0].first_inbound_at.getTime()).to.equal(t0);
    expect(conversations[0].last_inbound_at.getTime()).to.equal(t0 + 39_000);
    const stored = await db()('messages').where({ conversation_id: conversations[0].id }).count<{ n: number }[]>('* as n');
    expect(Number(stored[0]!.n)).to.equal(40);
  });

  it('two writers (two web processes) with the same messages at once lose and double nothing', async () => {
    const a = new InboundBatcher(db());
    const b = new InboundBatcher(db());
    const customers = ['4470000021', '4470000022', '4470000023'];
    const rows = customers.flatMap((c) => [row(c), row(c), row(c), row(c)]);
    // Every message through both writers at once, as when Meta retries into another pod.
    const [ra, rb] = await Promise.all([a.store(rows), b.store(rows.map((r) => ({ ...r, messageId: newId(), contactId: newId(), conversationId: newId() })))]);
    const storedOnce = rows.map((_, i) => Number(!ra[i]!.duplicate) + Number(!rb[i]!.duplicate));
    expect(storedOnce.every((x) => x === 1)).to.equal(true);
    const stored = await db()('messages').whereIn('wamid', rows.map((r) => r.wamid)).select('wamid', 'conversation_id');
    expect(stored).to.have.length(rows.length);
    expect(new Set(stored.map((s) => s.conversation_id)).size).to.equal(customers.length);
    const unread = await db()('conversations')
      .join('contacts', 'contacts.id', 'conversations.contact_id')
      .whereIn('contacts.wa_id', customers)
      .select('unread_count');
    expect(unread.map((u) => u.unread_count)).to.deep.equal([4, 4, 4]);
  });
});
