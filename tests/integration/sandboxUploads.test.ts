// The sandbox's Resumable Upload API (template sample files) and the sample a media header needs.
import { expect } from 'chai';
import { SANDBOX_APP_ID } from '../../server/sandbox';
import { startTestBed, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';
import { CloudApiClient } from '../../server/whatsapp/client';
import { GraphApiError } from '../../server/whatsapp/errors';
import { TINY_PNG } from '../support/media';

const [SHOP, , BOUTIQUE] = TEST_NUMBERS as [typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0]];

describe('sandbox Resumable Upload API', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const call = async (method: string, path: string, init?: Parameters<TestBed['graph']>[2]) => (await bed.graph(method, path, init)) as { status: number; json: any; raw: string };
  const oauth = (token = SHOP.accessToken) => ({ token: null, headers: { authorization: `OAuth ${token}` } });
  const startSession = (query = `file_name=sale.png&file_length=${TINY_PNG.length}&file_type=image/png`) => call('POST', `/${SHOP.appId ?? SANDBOX_APP_ID}/uploads?${query}`);
  /** `upload:<session>?sig=...` as a path under the version. */
  const sessionPath = (id: string) => `/${id}`;
  const client = () => new CloudApiClient({ baseUrl: `${bed.url}/graph`, version: 'v23.0', accessToken: SHOP.accessToken, phoneNumberId: SHOP.phoneNumberId, wabaId: SHOP.wabaId });
  const imageTemplate = (name: string, example?: Record<string, unknown>) => ({
    name,
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'HEADER', format: 'IMAGE', ...(example ? { example } : {}) }, { type: 'BODY', text: 'New arrivals are in.' }],
  });

  beforeEach(async () => {
    bed = await startTestBed();
  });
  afterEach(async () => bed.close());

  it('opens a session, takes the bytes at offset 0 and answers a handle; GET reports the offset', async () => {
    const started = await startSession();
    expect(started.status, started.raw).to.equal(200);
    expect(Object.keys(started.json)).to.deep.equal(['id']);
    expect(started.json.id).to.match(/^upload:\S+$/);

    const before = await call('GET', sessionPath(started.json.id), oauth());
    expect(before.status, before.raw).to.equal(200);
    expect(before.json.file_offset).to.equal(0);
    expect(before.json.id).to.match(/^upload:/);

    const uploaded = await call('POST', sessionPath(started.json.id), { ...oauth(), headers: { ...oauth().headers, file_offset: '0' }, body: TINY_PNG });
    expect(uploaded.status, uploaded.raw).to.equal(200);
    expect(Object.keys(uploaded.json)).to.deep.equal(['h']);
    expect(uploaded.json.h).to.be.a('string').and.not.equal('');

    const after = await call('GET', sessionPath(started.json.id), oauth());
    expect(after.json.file_offset).to.equal(TINY_PNG.length);
  });

  it('answers missing or bad parameters, a wrong offset and a bad token the way Graph does', async () => {
    for (const query of [`file_length=${TINY_PNG.length}&file_type=image/png`, 'file_name=a.png&file_type=image/png', 'file_name=a.png&file_length=10', 'file_name=a.png&file_length=ten&file_type=image/png', 'file_name=a.gif&file_length=10&file_type=image/gif']) {
      const res = await startSession(query);
      expect(res.status, query).to.equal(400);
      expect(res.json.error, query).to.include({ code: 100, type: 'OAuthException' });
    }
    const badToken = await call('POST', `/${SANDBOX_APP_ID}/uploads?file_name=a.png&file_length=10&file_type=image/png`, { token: 'not-a-token' });
    expect(badToken.status).to.equal(401);
    expect(badToken.json.error.code).to.equal(190);
    // Another app than the token's: the object does not exist for this caller.
    const otherApp = await call('POST', `/${BOUTIQUE.appId}/uploads?file_name=a.png&file_length=10&file_type=image/png`);
    expect(otherApp.json.error).to.include({ code: 100, error_subcode: 33 });

    const { json } = await startSession();
    const noOffset = await call('POST', sessionPath(json.id), { ...oauth(), body: TINY_PNG });
    expect(noOffset.status).to.equal(400);
    expect(noOffset.json.error.code).to.equal(100);
    const wrongOffset = await call('POST', sessionPath(json.id), { token: null, headers: { authorization: `OAuth ${SHOP.accessToken}`, file_offset: '5' }, body: TINY_PNG });
    expect(wrongOffset.status).to.equal(400);
    expect(wrongOffset.json.error.error_data.details).to.match(/offset/);
    const wrongToken = await call('POST', sessionPath(json.id), { token: null, headers: { authorization: 'OAuth nope', file_offset: '0' }, body: TINY_PNG });
    expect(wrongToken.status).to.equal(401);
    const otherToken = await call('GET', sessionPath(json.id), oauth(BOUTIQUE.accessToken));
    expect(otherToken.json.error).to.include({ code: 100, error_subcode: 33 });
    // A forged session id (no valid signature) names nothing.
    const forged = await call('GET', sessionPath(json.id.replace(/sig=.*/, 'sig=forged')), oauth());
    expect(forged.json.error).to.include({ code: 100, error_subcode: 33 });
  });

  it('requires a media header to carry a handle this app issued, of a fitting type', async () => {
    const graph = client();
    const refusal = async (example?: Record<string, unknown>) => {
      const err = await graph.createTemplate(imageTemplate(`sale_${Math.random().toString(36).slice(2, 8)}`, example) as never).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(GraphApiError);
      return err as GraphApiError;
    };
    expect((await refusal()).details).to.match(/header_handle/);
    expect((await refusal({ header_handle: ['4::forged:handle'] })).code).to.equal(100);
    const pdf = await graph.uploadSample(SANDBOX_APP_ID, Buffer.from('%PDF-1.4 sample'), 'application/pdf', 'menu.pdf');
    expect((await refusal({ header_handle: [pdf] })).details).to.match(/image\/jpeg or image\/jpg or image\/png/);

    const handle = await graph.uploadSample(SANDBOX_APP_ID, TINY_PNG, 'image/png', 'sale.png');
    const created = await graph.createTemplate(imageTemplate('spring_sale', { header_handle: [handle] }) as never);
    expect(created.status).to.equal('PENDING');
    // Another WABA's app did not issue it.
    const boutique = new CloudApiClient({ baseUrl: `${bed.url}/graph`, version: 'v23.0', accessToken: BOUTIQUE.accessToken, phoneNumberId: BOUTIQUE.phoneNumberId, wabaId: BOUTIQUE.wabaId });
    const err = await boutique.createTemplate(imageTemplate('spring_sale', { header_handle: [handle] }) as never).catch((e: unknown) => e);
    expect((err as GraphApiError).code).to.equal(100);
  });

  it('the connector classifies an upload refusal like any Graph error', async () => {
    const err = await client().uploadSample('999999999', TINY_PNG, 'image/png', 'x.png').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(GraphApiError);
    expect((err as GraphApiError).code).to.equal(100);
    expect((err as GraphApiError).subcode).to.equal(33);
  });
});
