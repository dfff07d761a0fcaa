// The sandbox's own gate and parameter decoding: loopback-only operator routes without a host gate,
// JSON-encoded parameters decoded as Graph does, customers' files held to Meta's media types.
import { expect } from 'chai';
import fc from 'fast-check';
import type Koa from 'koa';
import { GraphError } from '../../server/sandbox/errors';
import { decodeJsonParams } from '../../server/sandbox/http';
import { MediaStore } from '../../server/sandbox/media';
import { fromLoopback, loopbackGate } from '../../server/sandbox/operator';

function contextFrom(remoteAddress: string): Koa.Context {
  return { req: { socket: { remoteAddress } }, status: 404, body: undefined } as unknown as Koa.Context;
}

describe('sandbox operator gate without a host gate', () => {
  it('lets loopback clients through, IPv4, IPv6 and IPv4-mapped', async () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      let passed = false;
      await loopbackGate.guard(contextFrom(address), async () => {
        passed = true;
      });
      expect(passed, address).to.equal(true);
    }
  });

  it('answers 403 to any other client, and never calls the route', async () => {
    for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '2001:db8::1', '', '128.0.0.1', '1127.0.0.1']) {
      const ctx = contextFrom(address);
      let passed = false;
      await loopbackGate.guard(ctx, async () => {
        passed = true;
      });
      expect(passed, address).to.equal(false);
      expect(ctx.status, address).to.equal(403);
      expect(fromLoopback(ctx)).to.equal(false);
    }
  });
});

describe('Graph parameters as JSON-encoded strings', () => {
  const json = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));

  it('decodes any object or array parameter sent as its JSON text, and leaves the others alone', () => {
    fc.assert(
      fc.property(json, fc.string(), (value, other) => {
        const decoded = decodeJsonParams({ template: JSON.stringify(value), to: other, biz_opaque_callback_data: JSON.stringify(value) }, ['template']);
        expect(decoded.template).to.deep.equal(JSON.parse(JSON.stringify(value)));
        expect(decoded.to).to.equal(other);
        expect(decoded.biz_opaque_callback_data).to.equal(JSON.stringify(value));
      }),
    );
  });

  it('keeps a string that is not JSON, for the validator to refuse', () => {
    expect(decodeJsonParams({ text: '{"body": ' }, ['text']).text).to.equal('{"body": ');
    expect(decodeJsonParams({ text: 'hello' }, ['text']).text).to.equal('hello');
  });
});

describe("customers' files", () => {
  const store = new MediaStore(60_000);
  const put = (mimeType: string, as: string) => store.put({ phoneNumberId: '1', mimeType, bytes: Buffer.from('<html><script>x</script>'), inbound: true, as });

  it('refuses HTML, scripts, SVG and unknown types, whatever message type they travel as', () => {
    for (const mimeType of ['text/html', 'application/xhtml+xml', 'text/javascript', 'application/javascript', 'image/svg+xml', 'application/octet-stream', 'text/xml']) {
      for (const as of ['document', 'image']) {
        expect(() => put(mimeType, as), `${mimeType} as ${as}`).to.throw(GraphError);
      }
    }
  });

  it("takes Meta's types, any of them as a document", () => {
    expect(put('application/pdf', 'document').mimeType).to.equal('application/pdf');
    expect(put('image/png', 'document').mimeType).to.equal('image/png');
    expect(put('text/plain; charset=utf-8', 'document').mimeType).to.equal('text/plain');
  });
});
