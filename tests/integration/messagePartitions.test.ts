// The monthly partitions of `messages` over years: the worker keeps them ahead of the clock,
// moves rows that landed in the default partition, and /metrics shows how many are there.
import { expect } from 'chai';
import { messagePartitions } from '../../server/jobs/messagePartitions';
import { maintainMessagePartitions } from '../../server/modules/inbox/partitions';
import { startTestApp, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

const MONTH_AHEAD = 14;

describe('message partitions: kept ahead by the worker, the default partition emptied', () => {
  let app: TestApp;
  let channel: TestChannel;
  // The application's clock: moved forward by the tests.
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' }, { clock });
    channel = await addChannel(await app.adminClient());
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;

  /** The partition a month's rows belong in, named in the database's time zone as the job names it. */
  async function partitionFor(at: Date): Promise<string> {
    const result = await db().raw(`SELECT format('messages_%s', to_char(date_trunc('month', CAST(? AS timestamptz)), 'YYYY_MM')) AS name`, [at]);
    return result.rows[0].name;
  }

  async function partitions(): Promise<Map<string, number>> {
    const result = await db().raw(`SELECT c.relname AS name, c.oid::int AS oid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass`);
    return new Map(result.rows.map((r: { name: string; oid: number }) => [r.name, r.oid]));
  }

  /** Where a message is stored: the partition holding its row. */
  async function tableOf(wamid: string): Promise<string> {
    const result = await db().raw('SELECT tableoid::regclass::text AS t FROM messages WHERE wamid = ?', [wamid]);
    return result.rows[0].t;
  }

  async function defaultRowsMetric(): Promise<number> {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const match = /^switchboard_messages_default_partition_rows (\d+)$/m.exec(text);
    expect(match, 'the metric is exported').to.not.equal(null);
    return Number(match![1]);
  }

  async function receive(body: string): Promise<string> {
    const payload = inbound(channel, '33622222222', { type: 'text', text: { body } });
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    return (payload.entry[0]!.changes[0]!.value as unknown as { messages: Array<{ id: string }> }).messages[0]!.id;
  }

  function monthsFrom(base: Date, months: number): Date {
    const d = new Date(base);
    d.setUTCDate(15);
    d.setUTCMonth(d.getUTCMonth() + months);
    return d;
  }

  it('makes this month and the next three when a worker starts', async () => {
    const wanted = await Promise.all([0, 1, 2, 3].map((m) => partitionFor(monthsFrom(clock(), m))));
    await eventually('the start-up run of messages.partitions', async () => {
      const have = await partitions();
      return wanted.every((name) => have.has(name));
    });
    expect(await defaultRowsMetric()).to.equal(0);
    const now = await receive('this month');
    expect(await tableOf(now)).to.equal(wanted[0]);
  });

  it(`with the clock ${MONTH_AHEAD} months ahead: stray rows are moved out of the default partition, new ones land in their month, a second run does nothing`, async () => {
    const later = monthsFrom(new Date(), MONTH_AHEAD);
    offsetMs = later.getTime() - Date.now();
    const month = await partitionFor(clock());
    expect((await partitions()).has(month)).to.equal(false);

    // Nothing has run for that month yet: the message waits in the default partition, and the metric says so.
    const stray = await receive('before the job');
    expect(await tableOf(stray)).to.equal('messages_default');
    expect(await defaultRowsMetric()).to.equal(1);

    await messagePartitions.perform(app.runtime.services, {});
    expect(await tableOf(stray)).to.equal(month);
    const have = await partitions();
    for (const m of [0, 1, 2, 3]) {
      expect(have.has(await partitionFor(monthsFrom(clock(), m))), `month +${m}`).to.equal(true);
    }
    expect(await defaultRowsMetric()).to.equal(0);
    expect(Number((await db()('messages_default').count({ n: '*' }))[0]!.n)).to.equal(0);

    const fresh = await receive('after the job');
    expect(await tableOf(fresh)).to.equal(month);

    // The moved message is still found by its keys: the conversation view lists both.
    const admin = await app.adminClient();
    const conversation = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', '33622222222').first('conversations.id');
    const listed = await admin.get(`/api/v1/conversations/${conversation.id}/messages`);
    expect(listed.status).to.equal(200);
    expect(listed.body.items.map((m: { text: string }) => m.text)).to.include.members(['before the job', 'after the job']);

    const before = await partitions();
    expect(await maintainMessagePartitions(db(), clock())).to.deep.equal({ created: [], moved: 0 });
    expect(await partitions()).to.deep.equal(before);
  });

  it('creates each partition once when two workers run the job at the same time', async () => {
    offsetMs = monthsFrom(new Date(), 30).getTime() - Date.now();
    const wanted = await Promise.all([0, 1, 2, 3].map((m) => partitionFor(monthsFrom(clock(), m))));
    const [a, b] = await Promise.all([maintainMessagePartitions(db(), clock()), maintainMessagePartitions(db(), clock())]);
    expect([...a.created, ...b.created].sort()).to.deep.equal(wanted.sort());
  });
});
