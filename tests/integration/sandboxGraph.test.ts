// The sandbox's Graph API: tokens, Meta's validation codes, the 24-hour window, rate limits, injected failures.
import { expect } from 'chai';
import { changesOf, startTestBed, statusesOf, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';

const [SHOP, , BOUTIQUE] = TEST_NUMBERS as [typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const CUSTOMER = '16505550001';

const text = (to: string, body: string, extra: Record<string, unknown> = {}) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body }, ...extra });
const hello = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
const interactive = (to: string, body: Record<string, unknown>) => ({ messaging_product: 'whatsapp', to, type: 'interactive', interactive: body });
const buttons = (...titles: string[]) => ({
  type: 'button',
  body: { text: 'Choose' },
  action: { buttons: titles.map((title, i) => ({ type: 'reply', reply: { id: `b${i}`, title } })) },
});

describe('sandbox Graph API', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const call = async (method: string, path: string, init?: Parameters<TestBed['graph']>[2]) => (await bed.graph(method, path, init)) as { status: number; json: any; raw: string };
  const send = (body: unknown, token?: string) => call('POST', `/${PN}/messages`, { json: body, token });
  const codeOf = async (body: unknown) => (await send(body)).json.error?.code as number | undefined;

  beforeEach(async () => {
    bed = await startTestBed({
      templates: [
        { name: 'order_update', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.' }] },
        { name: 'paused_promo', language: 'en_US', category: 'MARKETING', status: 'PAUSED', components: [{ type: 'BODY', text: 'Sale!' }] },
      ],
    });
    // The customer writes first, opening the 24-hour window.
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'Hi' } });
  });
  afterEach(async () => bed.close());

  describe('access tokens', () => {
    it('answers a wrong or missing token with 190 and HTTP 401', async () => {
      for (const token of ['not-a-token', null]) {
        const res = await call('POST', `/${PN}/messages`, { json: text(CUSTOMER, 'x'), token });
        expect(res.status).to.equal(401);
        expect(res.json.error).to.include({ code: 190, type: 'OAuthException' });
        expect(res.json.error.error_data).to.deep.equal({ messaging_product: 'whatsapp', details: res.json.error.error_data.details });
      }
      expect(bed.sandbox.stats().violations['190']).to.equal(2);
    });

    it('does not let one WABA\'s token use another WABA\'s number (100, subcode 33)', async () => {
      const res = await call('POST', `/${BOUTIQUE.phoneNumberId}/messages`, { json: text(CUSTOMER, 'x') });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.include({ code: 100, error_subcode: 33 });
    });

    it('accepts any Graph version and the access_token query parameter', async () => {
      const res = await bed.graph('GET', `/v19.0/${PN}?access_token=${SHOP.accessToken}`, { token: null });
      expect(res.status).to.equal(200);
      const bad = await bed.graph('GET', `/latest/${PN}`);
      expect(bad.status).to.equal(400);
    });
  });

  describe('validation as Meta does it', () => {
    it('answers malformed input with 100, a missing parameter with 131008 and a bad value with 131009', async () => {
      expect(await codeOf({ to: CUSTOMER, type: 'text', text: { body: 'x' } })).to.equal(131008);
      expect(await codeOf({ ...text(CUSTOMER, 'x'), messaging_product: 'sms' })).to.equal(100);
      expect(await codeOf({ ...text(CUSTOMER, 'x'), surprise: true })).to.equal(100);
      expect(await codeOf(text(CUSTOMER, ''))).to.equal(131008);
      expect(await codeOf(text(CUSTOMER, 'x'.repeat(4097)))).to.equal(131009);
      expect(await codeOf(text('not a number', 'x'))).to.equal(131009);
      expect(await codeOf({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'fax' })).to.equal(100);
      const res = await send({ ...text(CUSTOMER, 'x'), text: { body: 'x', colour: 'red' } });
      expect(res.status).to.equal(400);
      expect(res.json.error.message).to.equal('(#100) Invalid parameter');
      expect(res.json.error.error_data.details).to.equal('Unexpected key "colour" on param "text".');
    });

    it('accepts 4,096 characters of text, counting emoji as one character each, and defaults the type to text', async () => {
      expect((await send(text(CUSTOMER, '😀'.repeat(4096)))).status).to.equal(200);
      expect((await send({ messaging_product: 'whatsapp', to: CUSTOMER, text: { body: 'no type' } })).status).to.equal(200);
    });

    it('holds interactive messages to 3 buttons of 20 characters with unique ids and titles', async () => {
      expect((await send(interactive(CUSTOMER, buttons('Yes', 'No', 'Maybe')))).status).to.equal(200);
      expect(await codeOf(interactive(CUSTOMER, buttons('A', 'B', 'C', 'D')))).to.equal(131009);
      expect(await codeOf(interactive(CUSTOMER, buttons('x'.repeat(21))))).to.equal(131009);
      expect(await codeOf(interactive(CUSTOMER, buttons('Same', 'Same')))).to.equal(131009);
      expect(await codeOf(interactive(CUSTOMER, { type: 'button', action: buttons('A').action }))).to.equal(131008);
    });

    it('holds list messages to 10 rows in total, titled sections when several', async () => {
      const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
      const list = (sections: unknown[]) => interactive(CUSTOMER, { type: 'list', body: { text: 'Pick' }, action: { button: 'Open', sections } });
      expect((await send(list([{ title: 'A', rows: rows(5) }, { title: 'B', rows: rows(5, 's') }]))).status).to.equal(200);
      expect(await codeOf(list([{ title: 'A', rows: rows(6) }, { title: 'B', rows: rows(5, 's') }]))).to.equal(131009);
      expect(await codeOf(list([{ rows: rows(1) }, { title: 'B', rows: rows(1, 's') }]))).to.equal(131008);
      expect(await codeOf(list([{ title: 'A', rows: [{ id: 'r', title: 'x'.repeat(25) }] }]))).to.equal(131009);
      expect(await codeOf(list([{ title: 'A', rows: rows(1) }, { title: 'B', rows: rows(1) }]))).to.equal(131009);
    });

    it('checks reactions, locations, contacts, media references and replies', async () => {
      const first = await send(text(CUSTOMER, 'first'));
      const wamid = first.json.messages[0].id as string;
      const reaction = (message_id: string, emoji: string) => ({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'reaction', reaction: { message_id, emoji } });
      expect((await send(reaction(wamid, '❤️'))).status).to.equal(200);
      expect((await send(reaction(wamid, ''))).status).to.equal(200);
      expect(await codeOf(reaction(wamid, 'love'))).to.equal(131009);
      expect(await codeOf(reaction('wamid.unknown', '👍'))).to.equal(131009);
      const location = (latitude: unknown) => ({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'location', location: { latitude, longitude: 2.35, name: 'Paris' } });
      expect((await send(location('48.85'))).status).to.equal(200);
      expect(await codeOf(location(91))).to.equal(131009);
      expect(await codeOf({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'contacts', contacts: [{ phones: [] }] })).to.equal(131008);
      expect(await codeOf({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '123', link: 'https://x.test/a.jpg' } })).to.equal(100);
      expect(await codeOf({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '123' } })).to.equal(131009);
      expect(await codeOf({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { link: 'ftp://x.test/a.jpg' } })).to.equal(131009);
      expect((await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { link: 'https://x.test/a.jpg', caption: 'hi' } })).status).to.equal(200);
      const reply = await send(text(CUSTOMER, 'a reply', { context: { message_id: wamid } }));
      expect(bed.sandbox.conversation(PN, CUSTOMER).find((m) => m.wamid === reply.json.messages[0].id)!.context).to.equal(wamid);
    });

    it('sends only APPROVED templates, with as many parameters as the template has variables', async () => {
      const template = (name: string, parameters?: unknown[]) => ({
        messaging_product: 'whatsapp', to: CUSTOMER, type: 'template',
        template: { name, language: { code: 'en_US' }, ...(parameters ? { components: [{ type: 'body', parameters }] } : {}) },
      });
      const two = [{ type: 'text', text: 'Ana' }, { type: 'text', text: '42' }];
      expect((await send(template('order_update', two))).status).to.equal(200);
      const mismatch = await send(template('order_update', two.slice(0, 1)));
      expect(mismatch.json.error.code).to.equal(132000);
      expect(mismatch.json.error.error_data.details).to.equal('body: number of localizable_params (1) does not match the expected number of params (2)');
      expect(await codeOf(template('order_update'))).to.equal(132000);
      expect(await codeOf(template('missing_one'))).to.equal(132001);
      expect(await codeOf({ ...template('order_update', two), template: { name: 'order_update', language: { code: 'fr' }, components: [{ type: 'body', parameters: two }] } })).to.equal(132001);
      expect(await codeOf(template('paused_promo'))).to.equal(132015);
      expect(await codeOf(template('order_update', [{ type: 'text', text: '' }, { type: 'text', text: 'x' }]))).to.equal(131008);
    });
  });

  describe('the 24-hour customer service window', () => {
    it('accepts a free-form message to a customer who never wrote, then fails it by webhook with 131047, as the live API does', async () => {
      const res = await send(text('4915112345678', 'Hello?'));
      expect(res.status).to.equal(200);
      const wamid = res.json.messages[0].id;
      const [failed] = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length > 0 && statusesOf(r, wamid));
      expect(failed).to.include({ status: 'failed', recipient_id: '4915112345678' });
      expect(failed!.errors![0]).to.include({ code: 131047, title: 'Re-engagement message' });
      expect((await send(hello('4915112345678'))).status).to.equal(200);
      expect(bed.sandbox.stats().violations['131047']).to.equal(1);
    });

    it('can refuse it synchronously instead (HTTP 400, 131047), as a sandbox option', async () => {
      await bed.close();
      bed = await startTestBed({ windowErrorDelivery: 'response' });
      const res = await send(text('4915112345678', 'Hello?'));
      expect(res.status).to.equal(400);
      expect(res.json.error).to.include({ code: 131047, message: '(#131047) Re-engagement message' });
      expect((await send(hello('4915112345678'))).status).to.equal(200);
    });

    it('accepts recipients whose wa_id starts with 999, then reports them undeliverable (131026)', async () => {
      const res = await send(hello('99912345678'));
      expect(res.status).to.equal(200);
      const wamid = res.json.messages[0].id;
      const statuses = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length > 0 && statusesOf(r, wamid));
      expect(statuses.map((s) => s.status)).to.deep.equal(['failed']);
      expect(statuses[0]!.errors![0]).to.include({ code: 131026 });
      expect(bed.sandbox.stats().violations['131026']).to.equal(1);
    });
  });

  describe('rate limits', () => {
    it('answers 130429 beyond the number\'s throughput and counts each violation', async () => {
      // The rate limits' clock stands still, so no token comes back while the burst is in flight.
      await bed.close();
      const frozen = Date.now();
      bed = await startTestBed({ rateClock: () => frozen });
      bed.sandbox.setThroughput(PN, 5);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(hello(`4470000000${i}`))));
      const codes = results.map((r) => r.json.error?.code ?? 'ok');
      expect(codes.filter((c) => c === 'ok')).to.have.length(5);
      expect(codes.filter((c) => c === 130429)).to.have.length(3);
      expect(results.find((r) => r.json.error)!.status).to.equal(429);
      expect(bed.sandbox.stats().violations['130429']).to.equal(3);
      // Another number has its own bucket.
      const other = await call('POST', `/${TEST_NUMBERS[1]!.phoneNumberId}/messages`, { json: hello('447000000099'), token: TEST_NUMBERS[1]!.accessToken });
      expect(other.status).to.equal(200);
    });

    it('allows a burst of 45 messages to one user, then answers 131056 (other users unaffected)', async () => {
      const sends = [];
      for (let i = 0; i < 47; i += 1) {
        sends.push(await send(hello('447000000123')));
      }
      expect(sends.slice(0, 45).every((r) => r.status === 200)).to.equal(true);
      expect(sends.slice(45).map((r) => r.json.error.code)).to.deep.equal([131056, 131056]);
      expect((await send(hello('447000000124'))).status).to.equal(200);
      expect(bed.sandbox.stats().violations['131056']).to.equal(2);
    });
  });

  describe('injected failures', () => {
    it('fails the next matching sends with the injected code, then recovers', async () => {
      bed.sandbox.injectFailure({ code: 131048, times: 2 });
      expect(await codeOf(hello('447000000001'))).to.equal(131048);
      expect(await codeOf(hello('447000000001'))).to.equal(131048);
      expect((await send(hello('447000000001'))).status).to.equal(200);
    });

    it('answers a 5xx as HTTP 500 with code 131000, and 190 as HTTP 401', async () => {
      bed.sandbox.injectFailure({ code: 500 });
      const res = await send(hello('447000000002'));
      expect(res.status).to.equal(500);
      expect(res.json.error).to.include({ code: 131000, is_transient: true });
      bed.sandbox.injectFailure({ code: 190 });
      expect((await send(hello('447000000002'))).status).to.equal(401);
    });

    it('matches rules by recipient and number, and reports 131026 through a failed status', async () => {
      bed.sandbox.injectFailure({ to: '+44 7000 000003', code: 131026 });
      bed.sandbox.injectFailure({ phoneNumberId: BOUTIQUE.phoneNumberId, code: 131000 });
      expect((await send(hello('447000000004'))).status).to.equal(200);
      const res = await send(hello('447000000003'));
      expect(res.status).to.equal(200);
      const wamid = res.json.messages[0].id;
      const [failed] = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length > 0 && statusesOf(r, wamid));
      expect(failed!.errors![0]!.code).to.equal(131026);
      const boutique = await call('POST', `/${BOUTIQUE.phoneNumberId}/messages`, { json: hello('447000000005'), token: BOUTIQUE.accessToken });
      expect(boutique.json.error.code).to.equal(131000);
    });
  });

  describe('templates', () => {
    const create = (body: Record<string, unknown>) => call('POST', `/${SHOP.wabaId}/message_templates`, { json: body });
    const body = (name: string) => ({ name, language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hello {{1}}' }] });

    it('reviews a new template: PENDING, then APPROVED with a status webhook, then sendable', async () => {
      const created = await create(body('spring_sale'));
      expect(created.json).to.deep.include({ status: 'PENDING', category: 'MARKETING' });
      const params = { components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] };
      const early = await send({ ...hello(CUSTOMER), template: { name: 'spring_sale', language: { code: 'en_US' }, ...params } });
      expect(early.json.error.code).to.equal(132001);
      const change = await bed.receiver.waitFor((r) => changesOf(r).find((c) => c.field === 'message_template_status_update'));
      expect(change.value).to.deep.include({
        event: 'APPROVED', message_template_name: 'spring_sale', message_template_language: 'en_US', reason: 'NONE',
      });
      // A JSON number in the webhook, exactly the id the create call answered.
      expect(String(change.value.message_template_id)).to.equal(created.json.id);
      expect(change.hook.json.entry[0]!.id).to.equal(SHOP.wabaId);
      expect(change.hook.signatureValid).to.equal(true);
      const late = await send({ ...hello(CUSTOMER), template: { name: 'spring_sale', language: { code: 'en_US' }, ...params } });
      expect(late.status).to.equal(200);
    });

    it('rejects templates whose name contains "reject", and refuses bad or duplicate definitions', async () => {
      await create(body('please_reject_me'));
      const change = await bed.receiver.waitFor((r) => changesOf(r).find((c) => c.field === 'message_template_status_update'));
      expect(change.value.event).to.equal('REJECTED');
      expect((await create(body('Bad Name'))).json.error.code).to.equal(100);
      expect((await create({ ...body('no_body'), components: [{ type: 'FOOTER', text: 'x' }] })).json.error.code).to.equal(131008);
      expect((await create({ ...body('gap'), components: [{ type: 'BODY', text: '{{1}} and {{3}}' }] })).json.error.code).to.equal(100);
      const duplicate = await create(body('hello_world'));
      expect(duplicate.json.error).to.include({ code: 100, error_subcode: 2388024 });
    });

    it('keeps at most 250 templates per WABA and pages through them with cursors', async () => {
      // hello_world, order_update and paused_promo are there already.
      for (let i = 0; i < 247; i += 1) {
        const res = await create(body(`bulk_${String(i).padStart(3, '0')}`));
        expect(res.status, res.raw).to.equal(200);
      }
      const over = await create(body('one_too_many'));
      expect(over.json.error.code).to.equal(100);
      const seen: string[] = [];
      let path: string | undefined = `/${SHOP.wabaId}/message_templates?limit=100`;
      while (path) {
        const page = await call('GET', path);
        expect(page.json.data.length).to.be.at.most(100);
        seen.push(...page.json.data.map((t: any) => t.name));
        path = page.json.paging?.next ? `/${SHOP.wabaId}/message_templates?limit=100&after=${page.json.paging.cursors.after}` : undefined;
      }
      expect(seen).to.have.length(250);
      expect(new Set(seen).size).to.equal(250);
      const removed = await call('DELETE', `/${SHOP.wabaId}/message_templates?name=bulk_000`);
      expect(removed.json).to.deep.equal({ success: true });
      expect((await create(body('one_more'))).status).to.equal(200);
    });
  });

  describe('phone numbers', () => {
    it('answers number details and emits phone_number_quality_update on quality and throughput changes', async () => {
      bed.sandbox.setQuality({ phoneNumberId: PN, qualityRating: 'RED', messagingLimitTier: 'TIER_10K', throughputLevel: 'HIGH' });
      const events = await bed.receiver.waitFor((r) => {
        const found = changesOf(r).filter((c) => c.field === 'phone_number_quality_update');
        return found.length >= 3 && found;
      });
      expect(events.map((e) => e.value.event)).to.deep.equal(['FLAGGED', 'UPGRADE', 'THROUGHPUT_UPGRADE']);
      expect(events[1]!.value).to.deep.include({ display_phone_number: '15550783881', current_limit: 'TIER_10K', old_limit: 'TIER_1K' });
      const phone = await call('GET', `/${PN}?fields=quality_rating,throughput,messaging_limit_tier`);
      expect(phone.json).to.deep.equal({ quality_rating: 'RED', throughput: { level: 'HIGH' }, messaging_limit_tier: 'TIER_10K', id: PN });
    });
  });
});
