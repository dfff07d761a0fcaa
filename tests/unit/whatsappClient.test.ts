// The Cloud API client against a real local HTTP server: the URLs, token and bodies it sends,
// what it makes of the answers, and how each of Meta's error codes is classified.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Agent } from 'undici';
import { CloudApiClient } from '../../server/whatsapp/client';
import { classifyError, GraphApiError, MediaTooLargeError, type ErrorClassification } from '../../server/whatsapp/errors';
import { textMessage } from '../../server/whatsapp/messages';

const TOKEN = 'EAAG-test-token';
const PHONE_ID = '106540352242922';
const WABA_ID = '419561257915477';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer };
type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let pool: Agent;
let handler: Handler;
let seen: Seen[];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(overrides: Partial<ConstructorParameters<typeof CloudApiClient>[0]> = {}): CloudApiClient {
  return new CloudApiClient({ baseUrl, version: 'v23.0', accessToken: TOKEN, phoneNumberId: PHONE_ID, wabaId: WABA_ID, timeoutMs: 2_000, pool, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<GraphApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(GraphApiError);
    return err as GraphApiError;
  }
  throw new Error('expected a GraphApiError');
}

function graphError(code: number, extra: Record<string, unknown> = {}) {
  return { error: { message: `(#${code}) Something about ${code}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: `details of ${code}` }, fbtrace_id: 'AbCdEfGh123', ...extra } };
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  pool = new Agent({ keepAliveTimeout: 1_000 });
});

after(async () => {
  await pool.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 500, { error: 'no handler' });
});

describe('CloudApiClient: requests', () => {
  it('sendMessage posts the body to /{version}/{phone-number-id}/messages with the Bearer token', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: '+16505551234', wa_id: '16505551234' }], messages: [{ id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTRCMEM4RjA2NzY4RTlBNAA=' }] });
    const body = textMessage('+16505551234', 'Hello', { replyTo: 'wamid.in' });
    const result = await client().sendMessage(body);
    expect(result).to.deep.equal({ wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTRCMEM4RjA2NzY4RTlBNAA=', waId: '16505551234' });
    expect(seen).to.have.length(1);
    expect(seen[0]!.method).to.equal('POST');
    expect(seen[0]!.url).to.equal(`/v23.0/${PHONE_ID}/messages`);
    expect(seen[0]!.headers.authorization).to.equal(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers['content-type']).to.equal('application/json');
    expect(JSON.parse(seen[0]!.body.toString())).to.deep.equal(body);
  });

  it('reports message_status for paced templates', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: '447700900123', wa_id: '447700900123' }], messages: [{ id: 'wamid.t', message_status: 'held_for_quality_assessment' }] });
    expect(await client().sendMessage({ messaging_product: 'whatsapp', to: '447700900123', type: 'template' })).to.deep.equal({ wamid: 'wamid.t', waId: '447700900123', messageStatus: 'held_for_quality_assessment' });
  });

  it('markRead posts status read for the wamid, with a typing indicator when asked', async () => {
    handler = (_req, res) => json(res, 200, { success: true });
    await client().markRead('wamid.in1');
    await client().markRead('wamid.in2', { typingIndicator: true });
    expect(seen.map((s) => [s.method, s.url])).to.deep.equal([['POST', `/v23.0/${PHONE_ID}/messages`], ['POST', `/v23.0/${PHONE_ID}/messages`]]);
    expect(JSON.parse(seen[0]!.body.toString())).to.deep.equal({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.in1' });
    expect(JSON.parse(seen[1]!.body.toString())).to.deep.include({ typing_indicator: { type: 'text' } });
  });

  it('uploadMedia sends multipart form data (messaging_product, type, file) and returns the id', async () => {
    handler = (_req, res) => json(res, 200, { id: '4490709327384033' });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    expect(await client().uploadMedia(bytes, 'image/png', 'pixel.png')).to.equal('4490709327384033');
    const req = seen[0]!;
    expect(req.url).to.equal(`/v23.0/${PHONE_ID}/media`);
    expect(req.headers.authorization).to.equal(`Bearer ${TOKEN}`);
    const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1];
    expect(req.headers['content-type']).to.match(/^multipart\/form-data; boundary=/);
    const text = req.body.toString('latin1');
    expect(text).to.match(/name="messaging_product"\r\n\r\nwhatsapp\r\n/);
    expect(text).to.match(/name="type"\r\n\r\nimage\/png\r\n/);
    expect(text).to.include('name="file"; filename="pixel.png"');
    const fileStart = req.body.indexOf(Buffer.from('\r\n\r\n', 'latin1'), req.body.indexOf(Buffer.from('filename="pixel.png"'))) + 4;
    expect(req.body.subarray(fileStart, fileStart + bytes.length).equals(bytes)).to.equal(true);
    expect(text.trimEnd().endsWith(`--${boundary}--`)).to.equal(true);
  });

  it('getMedia asks for the media id scoped to the number and normalizes the answer', async () => {
    handler = (_req, res) => json(res, 200, { url: `${baseUrl}media/abc?ext=1`, mime_type: 'image/jpeg', sha256: 'SfInY0gG', file_size: '303833', id: '2621233374848975', messaging_product: 'whatsapp' });
    const info = await client().getMedia('2621233374848975');
    expect(info).to.deep.equal({ url: `${baseUrl}media/abc?ext=1`, mimeType: 'image/jpeg', sha256: 'SfInY0gG', fileSize: 303833 });
    expect(seen[0]!.method).to.equal('GET');
    expect(seen[0]!.url).to.equal(`/v23.0/2621233374848975?phone_number_id=${PHONE_ID}`);
  });

  it('downloadMedia streams the bytes with the Bearer token and refuses more than maxBytes', async () => {
    const payload = Buffer.alloc(64 * 1024, 7);
    handler = (req, res) => {
      if (req.url.startsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no content-length
        res.write(payload);
        res.end(payload);
        return;
      }
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(payload.length) });
      res.end(payload);
    };
    const bytes = await client().downloadMedia(`${baseUrl}media/abc?ext=1`, payload.length);
    expect(bytes.equals(payload)).to.equal(true);
    expect(seen[0]!.url).to.equal('/media/abc?ext=1');
    expect(seen[0]!.headers.authorization).to.equal(`Bearer ${TOKEN}`);

    let announced: unknown = null;
    await client().downloadMedia(`${baseUrl}media/abc`, payload.length - 1).catch((e: unknown) => (announced = e));
    expect(announced).to.be.instanceOf(MediaTooLargeError);
    expect((announced as MediaTooLargeError).announcedBytes).to.equal(payload.length);

    let streamed: unknown = null;
    await client().downloadMedia(`${baseUrl}chunked`, payload.length + 10).catch((e: unknown) => (streamed = e));
    expect(streamed).to.be.instanceOf(MediaTooLargeError);
    expect((streamed as MediaTooLargeError).announcedBytes).to.equal(null);
  });

  it('downloadMedia turns an expired URL (Graph error) into a GraphApiError', async () => {
    handler = (_req, res) => json(res, 404, graphError(100, { message: 'Unsupported get request' }));
    const e = await failure(client().downloadMedia(`${baseUrl}media/expired`, 1000));
    expect(e).to.deep.include({ httpStatus: 404, code: 100, classification: 'invalid_request' });
  });

  it('deleteMedia sends DELETE on the media id', async () => {
    handler = (_req, res) => json(res, 200, { success: true });
    await client().deleteMedia('1003383421387256');
    expect([seen[0]!.method, seen[0]!.url]).to.deep.equal(['DELETE', `/v23.0/1003383421387256?phone_number_id=${PHONE_ID}`]);
  });

  it('listTemplates pages through the WABA\'s templates with the after cursor', async () => {
    handler = (req, res) => {
      const after = new URL(req.url, baseUrl).searchParams.get('after');
      if (!after) {
        json(res, 200, {
          data: [{ id: '1192339204654487', name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello' }] }],
          paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' }, next: `${baseUrl}v23.0/${WABA_ID}/message_templates?after=MjQZD` },
        });
        return;
      }
      json(res, 200, { data: [{ id: 920070352646140, name: '2023_april_promo', language: 'en_US', status: 'REJECTED', category: 'MARKETING', rejected_reason: 'INVALID_FORMAT' }], paging: { cursors: { before: 'x', after: 'y' } } });
    };
    const first = await client().listTemplates();
    expect(first.nextCursor).to.equal('MjQZD');
    expect(first.templates).to.deep.equal([{ id: '1192339204654487', name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello' }], rejectedReason: null }]);
    const url = new URL(seen[0]!.url, baseUrl);
    expect(url.pathname).to.equal(`/v23.0/${WABA_ID}/message_templates`);
    expect(url.searchParams.get('fields')).to.include('status');
    expect(url.searchParams.get('limit')).to.equal('100');
    const second = await client().listTemplates(first.nextCursor!);
    expect(new URL(seen[1]!.url, baseUrl).searchParams.get('after')).to.equal('MjQZD');
    expect(second.nextCursor).to.equal(null);
    expect(second.templates[0]).to.deep.include({ id: '920070352646140', rejectedReason: 'INVALID_FORMAT', components: [] });
  });

  it('createTemplate posts the definition to the WABA', async () => {
    handler = (_req, res) => json(res, 200, { id: '594425479261596', status: 'PENDING', category: 'MARKETING' });
    const def = { name: 'seasonal_promotion', language: 'en_US', category: 'MARKETING' as const, components: [{ type: 'BODY', text: 'Shop now' }] };
    expect(await client().createTemplate(def)).to.deep.equal({ id: '594425479261596', status: 'PENDING', category: 'MARKETING' });
    expect([seen[0]!.method, seen[0]!.url]).to.deep.equal(['POST', `/v23.0/${WABA_ID}/message_templates`]);
    expect(JSON.parse(seen[0]!.body.toString())).to.deep.equal(def);
  });

  it('getPhoneNumber asks for the fields it reports', async () => {
    handler = (_req, res) => json(res, 200, { verified_name: "Jasper's Market", display_phone_number: '+1 631-555-5555', quality_rating: 'GREEN', throughput: { level: 'STANDARD' }, messaging_limit_tier: 'TIER_1K', id: PHONE_ID });
    expect(await client().getPhoneNumber()).to.deep.equal({ verifiedName: "Jasper's Market", displayPhoneNumber: '+1 631-555-5555', qualityRating: 'GREEN', throughputLevel: 'STANDARD', messagingLimitTier: 'TIER_1K' });
    const url = new URL(seen[0]!.url, baseUrl);
    expect(url.pathname).to.equal(`/v23.0/${PHONE_ID}`);
    expect(url.searchParams.get('fields')!.split(',')).to.include.members(['verified_name', 'display_phone_number', 'quality_rating', 'throughput', 'messaging_limit_tier']);
  });

  it('keeps connections alive: many calls reuse a few sockets', async () => {
    handler = (_req, res) => json(res, 200, { success: true });
    const sockets = new Set<string>();
    const onConnection = (socket: { remotePort?: number }) => sockets.add(String(socket.remotePort));
    server.on('connection', onConnection);
    const c = client();
    for (let i = 0; i < 20; i++) {
      await c.markRead(`wamid.${i}`);
    }
    server.off('connection', onConnection);
    expect(seen).to.have.length(20);
    expect(sockets.size).to.be.at.most(1);
  });
});

describe('CloudApiClient: errors', () => {
  const table: Array<[number, number, ErrorClassification, number | null]> = [
    [131000, 500, 'retry', 1_000],
    [131016, 503, 'retry', 1_000],
    [2, 503, 'retry', 1_000],
    [130429, 400, 'rate_limited', 1_000],
    [131056, 400, 'rate_limited', 4_000], // pair rate: 4^1 s before the first retry
    [131057, 400, 'rate_limited', 60_000],
    [4, 400, 'rate_limited', 60_000],
    [80007, 400, 'rate_limited', 60_000],
    [131047, 400, 'window_closed', null],
    [131026, 400, 'undeliverable', null],
    [190, 401, 'token_invalid', null],
    [131048, 400, 'spam_limited', null],
    [131050, 400, 'user_opted_out', null],
    [131049, 400, 'marketing_limit', 24 * 3_600_000],
    [132000, 400, 'template_error', null],
    [132001, 404, 'template_error', null],
    [132016, 400, 'template_error', null],
    [100, 400, 'invalid_request', null],
    [131008, 400, 'invalid_request', null],
    [131009, 400, 'invalid_request', null],
    [133010, 400, 'invalid_request', null],
  ];
  for (const [code, status, classification, backoffMs] of table) {
    it(`code ${code} (HTTP ${status}) is ${classification}`, async () => {
      handler = (_req, res) => json(res, status, graphError(code, { error_subcode: 2494010 }));
      const e = await failure(client().sendMessage(textMessage('+16505551234', 'x')));
      expect(e).to.deep.include({ httpStatus: status, code, subcode: 2494010, classification, backoffMs, fbtraceId: 'AbCdEfGh123', details: `details of ${code}`, outcomeUnknown: false });
      expect(e.message).to.equal(`(#${code}) Something about ${code}`);
      expect(e.retryable).to.equal(classification === 'retry' || classification === 'rate_limited');
    });
  }

  it('decides by code, not by HTTP status', async () => {
    handler = (_req, res) => json(res, 500, graphError(131047));
    expect((await failure(client().sendMessage({ to: '1' }))).classification).to.equal('window_closed');
    handler = (_req, res) => json(res, 400, graphError(131000));
    expect((await failure(client().sendMessage({ to: '1' }))).classification).to.equal('retry');
    handler = (_req, res) => json(res, 500, graphError(131050));
    expect((await failure(client().sendMessage({ to: '1' }))).retryable).to.equal(false);
    expect(classifyError(99999, 503)).to.equal('retry');
    expect(classifyError(99999, 429)).to.equal('rate_limited');
    expect(classifyError(99999, 400)).to.equal('invalid_request');
    expect(classifyError(99999, 400, true)).to.equal('retry');
  });

  it('uses Meta\'s own estimate for management rate limits (x-business-use-case-usage)', async () => {
    const usage = { [WABA_ID]: [{ type: 'whatsapp_business_management', call_count: 100, total_cputime: 5, total_time: 5, estimated_time_to_regain_access: 7 }] };
    handler = (_req, res) => json(res, 400, graphError(80007), { 'x-business-use-case-usage': JSON.stringify(usage) });
    const e = await failure(client().listTemplates());
    expect(e).to.deep.include({ classification: 'rate_limited', backoffMs: 7 * 60_000 });
  });

  it('an HTTP error without a Graph body: 5xx retry, 4xx invalid request, code 0', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    };
    expect(await failure(client().getPhoneNumber())).to.deep.include({ httpStatus: 502, code: 0, classification: 'retry' });
    handler = (_req, res) => {
      res.writeHead(404);
      res.end('not here');
    };
    expect(await failure(client().getPhoneNumber())).to.deep.include({ httpStatus: 404, code: 0, classification: 'invalid_request' });
  });

  it('a 200 whose body is not what Meta documents: the send may have happened', async () => {
    handler = (_req, res) => json(res, 200, { messaging_product: 'whatsapp', messages: [] });
    expect(await failure(client().sendMessage({ to: '1' }))).to.deep.include({ httpStatus: 200, code: 0, title: 'unexpected_response', classification: 'retry', outcomeUnknown: true });
  });

  it('connection refused: retry, code 0, and certainly not sent', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const e = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).sendMessage({ to: '1' }));
    expect(e).to.deep.include({ httpStatus: 0, code: 0, classification: 'retry', title: 'network_error', outcomeUnknown: false });
  });

  it('timeout: retry, code 0, and the send may have happened', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const e = await failure(client({ timeoutMs: 150 }).sendMessage({ to: '1' }));
    expect(e).to.deep.include({ httpStatus: 0, code: 0, classification: 'retry', title: 'timeout', outcomeUnknown: true });
    expect(Date.now() - started).to.be.below(1_500);
  });

  it('a connection reset mid-request: retry, code 0, outcome unknown', async () => {
    handler = (_req, res) => res.socket?.destroy();
    const e = await failure(client().sendMessage({ to: '1' }));
    expect(e).to.deep.include({ httpStatus: 0, code: 0, classification: 'retry', outcomeUnknown: true });
  });
});
