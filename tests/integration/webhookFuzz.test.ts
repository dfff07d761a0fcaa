// Signed webhooks that PostgreSQL cannot store as they are (U+0000, lone surrogates, huge or
// deeply nested values), and Meta's examples mutated at random: never a 5xx (Meta would retry
// a 5xx for days), and the app stays ready.
import { expect } from 'chai';
import fc from 'fast-check';
import { sign } from '../../server/whatsapp/signature';
import { startTestApp, type TestApp } from '../support/app';
import { addChannel, inbound, metaJson, postWebhook, statusUpdate, wamid, type TestChannel } from '../support/whatsapp';

/**
 * POSTs a body, signed, whose JSON text is given; `"__NEST_n__"` placeholders (n up to six digits,
 * as the generator makes them) become n nested arrays. An odd string spliced into a placeholder's
 * digits makes it a plain string, not a depth no string can hold.
 */
async function postText(baseUrl: string, secret: string, json: string): Promise<number> {
  const body = json.replace(/"__NEST_(\d{1,6})__"/g, (_, n: string) => '['.repeat(Number(n)) + ']'.repeat(Number(n)));
  const res = await fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(Buffer.from(body), secret) },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

const messageOf = (payload: { entry: Array<{ changes: Array<{ value: unknown }> }> }) =>
  (payload.entry[0]!.changes[0]!.value as { messages: Array<{ id: string }> }).messages[0]!;

/** Meta's documented webhook examples (messages of each kind, statuses, template and quality updates) for a channel. */
function metaExamples(channel: TestChannel): unknown[] {
  const from = '16505551234';
  const media = { mime_type: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', id: '1003383421387256' };
  const change = (field: string, value: unknown) => ({ object: 'whatsapp_business_account', entry: [{ id: channel.wabaId, changes: [{ value, field }] }] });
  return [
    inbound(channel, from, { type: 'text', text: { body: 'Does it come in another color?' } }, 'Sheena Nelson'),
    inbound(channel, from, { type: 'image', image: { caption: 'Black Tshirt', ...media } }),
    inbound(channel, from, { type: 'location', location: { latitude: 37.483307, longitude: -122.148981, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' } }),
    inbound(channel, from, { type: 'contacts', contacts: [{ name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara' }, phones: [{ phone: '+1 (415) 555-0100', type: 'WORK', wa_id: '14155550100' }] }] }),
    inbound(channel, from, { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } }, context: { from: channel.phoneNumberId, id: wamid() } }),
    inbound(channel, from, { type: 'reaction', reaction: { message_id: wamid(), emoji: '\u{1F600}' } }),
    inbound(channel, from, { type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }),
    statusUpdate(channel, wamid(), 'sent', from, { pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } }),
    statusUpdate(channel, wamid(), 'failed', from, { errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Receiver is incapable of receiving this message' } }] }),
    change('message_template_status_update', { event: 'APPROVED', message_template_id: 806312974732579, message_template_name: 'order_confirmation', message_template_language: 'en_US', reason: 'NONE' }),
    change('phone_number_quality_update', { display_phone_number: channel.displayNumber.replace(/\D/g, ''), event: 'UPGRADE', current_limit: 'TIER_10K' }),
  ];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;
/** `odd` splices an odd string into a string field (the payload stays a valid notification); the others reshape it. */
type Mutation = { kind: 'odd' | 'drop' | 'replace' | 'addKey'; at: number; value: Json; odd: string };

function pathsOf(value: Json, onlyStrings: boolean, at: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const path = [...at, Array.isArray(value) ? Number(key) : key];
      if (!onlyStrings || typeof item === 'string') {
        out.push(path);
      }
      pathsOf(item, onlyStrings, path, out);
    }
  }
  return out;
}

function mutate(seed: Json, mutations: Mutation[]): Json {
  const root = structuredClone(seed);
  for (const m of mutations) {
    const paths = pathsOf(root, m.kind === 'odd');
    if (paths.length === 0) {
      continue;
    }
    const path = paths[m.at % paths.length]!;
    const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key]!, root) as Record<string, Json> | Json[];
    const key = path[path.length - 1]!;
    if (m.kind === 'odd') {
      const text = (parent as Record<string, string>)[key]!;
      const at = m.at % (text.length + 1);
      (parent as Record<string, string>)[key] = text.slice(0, at) + m.odd + text.slice(at);
    } else if (m.kind === 'drop') {
      if (Array.isArray(parent)) {
        parent.splice(Number(key), 1);
      } else {
        delete parent[key];
      }
    } else if (m.kind === 'replace') {
      (parent as Record<string, Json>)[key] = m.value;
    } else {
      const target = (parent as Record<string, Json>)[key];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        target[m.odd] = m.value;
      }
    }
  }
  return root;
}

const oddString = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', 'bye \ud83d', '\u{1F69A}\u0000\ud800', '', ' ', '\u202eevil', 'null', '1749416383', '__proto__'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Huge: up to ~1 MB of text, U+0000 and lone surrogates included.
  fc.integer({ min: 1, max: 150_000 }).map((n) => 'a\u0000\ud800\u00e9'.slice(0, 1 + (n % 4)).repeat(Math.ceil(n / 2))),
  // Huge, with many distinct words: a tsvector over it would pass PostgreSQL's 1 MB limit.
  fc.integer({ min: 1_000, max: 120_000 }).map((n) => Array.from({ length: n }, (_, i) => `${i.toString(36)}w`).join(' ')),
);
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  oddString,
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e300, 999_999_999_999_999, 1.5, [], {}, [null], { '': '' }),
  fc.integer({ min: 2, max: 100_000 }).map((depth) => `__NEST_${depth}__`),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('odd', 'odd', 'odd', 'drop', 'replace', 'replace', 'addKey'),
  at: fc.nat(),
  value: anyValue,
  odd: oddString,
});

describe('webhooks: text PostgreSQL cannot store, and mutated payloads', () => {
  let app: TestApp;
  let channel: TestChannel;
  before(async () => {
    app = await startTestApp();
    channel = await addChannel(await app.adminClient());
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;

  it('stores text holding U+0000 and lone surrogates with U+FFFD, and keeps the raw message exactly', async () => {
    const body = 'nul\u0000 high\ud800 low\udc00 pair\u{1F69A}';
    const payload = inbound(channel, '33611111111', { type: 'text', text: { body } }, 'Zo\u0000\udfff');
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    const sent = messageOf(payload);
    const row = await db()('messages').where({ wamid: sent.id }).first();
    expect(row.text).to.equal('nul\ufffd high\ufffd low\ufffd pair\u{1F69A}');
    expect(row.content).to.deep.equal({ body: 'nul\ufffd high\ufffd low\ufffd pair\u{1F69A}' });
    expect(row.raw).to.deep.equal(sent);
    expect(row.raw.text.body).to.equal(body);
    const contact = await db()('contacts').where({ wa_id: '33611111111' }).first();
    expect(contact.profile_name).to.equal('Zo\ufffd\ufffd');
    const conversation = await db()('conversations').where({ contact_id: contact.id }).first();
    expect(conversation.last_message_preview).to.equal(row.text);
  });

  it('cuts a long preview before an emoji, not inside it', async () => {
    const body = `${'a'.repeat(118)}\u{1F69A}${'b'.repeat(10)}`;
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, '33611111112', { type: 'text', text: { body } }))).to.equal(200);
    const conversation = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', '33611111112').first('last_message_preview');
    expect(conversation.last_message_preview).to.equal(`${'a'.repeat(118)}…`);
  });

  it('stores a huge text for search up to 65,536 characters, all of it in the raw message', async () => {
    const body = Array.from({ length: 60_000 }, (_, i) => `${i.toString(36)}w`).join(' ');
    const payload = inbound(channel, '33611111113', { type: 'text', text: { body } });
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    const row = await db()('messages').where({ wamid: messageOf(payload).id }).first('text', 'raw');
    expect(row.text).to.equal(body.slice(0, 65_536));
    expect(row.raw.text.body).to.equal(body);
  });

  it('refuses with 400 what is not a notification: ids over 128 characters, nesting over 64 levels, times past year 33658', async () => {
    const longId = inbound(channel, '33611111114', { type: 'text', text: { body: 'x' }, id: `wamid.${'A'.repeat(200)}` });
    expect(await postWebhook(app.url, channel.appSecret, longId)).to.equal(400);
    const deep = inbound(channel, '33611111114', { type: 'text', text: { body: 'x' }, extra: '__NEST_10000__' });
    expect(await postText(app.url, channel.appSecret, metaJson(deep))).to.equal(400);
    const late = inbound(channel, '33611111114', { type: 'text', text: { body: 'x' }, timestamp: 1e13 });
    expect(await postWebhook(app.url, channel.appSecret, late)).to.equal(400);
    // Nesting as deep as Meta's own payloads is kept as sent.
    const nested = inbound(channel, '33611111114', { type: 'text', text: { body: 'x' }, extra: '__NEST_20__' });
    expect(await postText(app.url, channel.appSecret, metaJson(nested))).to.equal(200);
    const row = await db()('messages').where({ wamid: messageOf(nested).id }).first('raw');
    expect(JSON.stringify(row.raw.extra)).to.equal('['.repeat(20) + ']'.repeat(20));
  });

  it("answers Meta's examples mutated at random (fields dropped, types swapped, odd, huge and deep values) with 200 or a 4xx, and stays ready", async function () {
    this.timeout(120_000);
    const seeds = metaExamples(channel) as Json[];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (seed, mutations) => {
        const status = await postText(app.url, channel.appSecret, metaJson(mutate(seeds[seed]!, mutations)));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status === 200 || (status >= 400 && status < 500), `status ${status}`).to.equal(true);
      }),
      { numRuns: 60 },
    );
    // Both outcomes occur: the mutations are not all fatal, nor all harmless.
    expect(statuses.get(200) ?? 0).to.be.greaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400)).to.equal(true);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).to.equal(200);
    const after = inbound(channel, '33611111115', { type: 'text', text: { body: 'still here' } });
    expect(await postWebhook(app.url, channel.appSecret, after)).to.equal(200);
    expect(await db()('messages').where({ wamid: messageOf(after).id })).to.have.length(1);
  });
});
