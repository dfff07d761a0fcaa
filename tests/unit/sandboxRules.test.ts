// The sandbox's pure rules: rate limiters, Meta's JSON escaping and signature, wamids, the window, pricing, send validation.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { GraphError } from '../../server/sandbox/errors';
import { digitsOf, newWamid } from '../../server/sandbox/ids';
import { isAnimatedWebp, MediaStore } from '../../server/sandbox/media';
import { pairBucket, PAIR_BURST, TokenBucket } from '../../server/sandbox/rateLimits';
import type { ConversationState, MessageRecord } from '../../server/sandbox/state';
import { pricingFor, WINDOW_MS, windowOpen } from '../../server/sandbox/statuses';
import { placeholders, TemplateStore } from '../../server/sandbox/templates';
import { validateSend, type SendDeps } from '../../server/sandbox/validateMessage';
import { metaJson, signatureHeader } from '../../server/sandbox/webhooks';

/** The Meta error code a validation throws, or 'ok'. */
function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).to.be.instanceOf(GraphError);
    return (err as GraphError).code;
  }
}

describe('sandbox rules', () => {
  describe('TokenBucket', () => {
    it('allows a burst of its capacity, then one token per 1/rate seconds', () => {
      let now = 0;
      const bucket = new TokenBucket(80, 80, () => now);
      const burst = Array.from({ length: 100 }, () => bucket.tryTake()).filter(Boolean).length;
      expect(burst).to.equal(80);
      expect(bucket.waitMs()).to.equal(13);
      now += 12;
      expect(bucket.tryTake()).to.equal(false);
      now += 1;
      expect(bucket.tryTake()).to.equal(true);
    });

    it('never lets more than capacity + rate x elapsed through, whatever the timing (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }), (rate, gaps) => {
          let now = 0;
          const bucket = new TokenBucket(rate, rate, () => now);
          let passed = 0;
          for (const gap of gaps) {
            now += gap;
            passed += bucket.tryTake() ? 1 : 0;
          }
          return passed <= rate + (rate * now) / 1000 + 1e-6;
        }),
      );
    });

    it('pair rate: 45 messages to one user in a burst, then one per 6 seconds', () => {
      let now = 0;
      const pair = pairBucket(() => now);
      for (let i = 0; i < PAIR_BURST; i += 1) {
        expect(pair.tryTake()).to.equal(true);
      }
      expect(pair.tryTake()).to.equal(false);
      now += 5_999;
      expect(pair.tryTake()).to.equal(false);
      now += 1;
      expect(pair.tryTake()).to.equal(true);
      expect(pair.tryTake()).to.equal(false);
    });
  });

  describe('webhook bytes', () => {
    it('escapes every non-ASCII character and "/" like Meta, and still parses to the same value (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), (value, text) => {
          const body = metaJson({ value, text });
          return /^[\x20-\x7e]*$/.test(body) && !/[^\\]\//.test(body) && JSON.stringify(JSON.parse(body)) === JSON.stringify({ value, text });
        }),
      );
      expect(metaJson({ t: 'é/👍' })).to.equal('{"t":"\\u00e9\\/\\ud83d\\udc4d"}');
    });

    it('signs with HMAC-SHA256 of the exact bytes', () => {
      const body = metaJson({ hello: 'wörld' });
      expect(signatureHeader(body, 's3cret')).to.equal(`sha256=${createHmac('sha256', 's3cret').update(Buffer.from(body)).digest('hex')}`);
    });
  });

  it('makes distinct wamids shaped like Meta\'s, carrying the customer\'s wa_id', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newWamid('16505551234', 'out')));
    expect(ids.size).to.equal(1000);
    const [one] = ids;
    expect(one).to.match(/^wamid\.HBgL[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(one!.slice(6), 'base64').toString('latin1')).to.contain('16505551234');
    expect(digitsOf('+1 (650) 555-1234')).to.equal('16505551234');
  });

  it('keeps the customer service window open for 24 hours after the customer\'s last message', () => {
    const conv = { lastInboundAt: 1_000_000 } as ConversationState;
    expect(windowOpen(conv, 1_000_000 + WINDOW_MS - 1)).to.equal(true);
    expect(windowOpen(conv, 1_000_000 + WINDOW_MS)).to.equal(false);
    expect(windowOpen({} as ConversationState, 0)).to.equal(false);
  });

  it('prices free-form and utility-in-window messages as free customer service, other templates as regular', () => {
    const record = (category?: string) => ({ category }) as MessageRecord;
    expect(pricingFor(record('service'), false)).to.deep.equal({ billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' });
    expect(pricingFor(record('utility'), true).type).to.equal('free_customer_service');
    expect(pricingFor(record('utility'), false)).to.deep.include({ billable: true, type: 'regular' });
    expect(pricingFor(record('marketing'), true)).to.deep.include({ billable: true, category: 'marketing', type: 'regular' });
    expect(pricingFor(record('authentication'), false).billable).to.equal(true);
  });

  it('reads template variables and detects animated WebP stickers', () => {
    expect(placeholders('Hi {{1}}, your {{ 2 }} and {{1}}')).to.deep.equal(['1', '2']);
    expect(placeholders('Hi {{first_name}}')).to.deep.equal(['first_name']);
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0);
    webp.write('WEBPVP8X', 8);
    expect(isAnimatedWebp(webp)).to.equal(false);
    webp[20] = 0x02;
    expect(isAnimatedWebp(webp)).to.equal(true);
  });

  describe('send validation', () => {
    const deps: SendDeps = {
      phoneNumberId: '1',
      wabaId: 'w',
      media: new MediaStore(60_000),
      templates: new TemplateStore(['w'], []),
      knowsMessage: (_waId, wamid) => wamid === 'wamid.known',
    };
    const base = { messaging_product: 'whatsapp', to: '+44 7700 900123' };
    const check = (body: Record<string, unknown>) => codeOf(() => validateSend({ ...base, ...body }, deps));

    it('normalizes the recipient to digits and keeps the input as given', () => {
      const result = validateSend({ ...base, type: 'text', text: { body: 'hi' } }, deps);
      expect(result).to.deep.include({ to: '+44 7700 900123', waId: '447700900123', type: 'text' });
    });

    it('answers each kind of mistake with Meta\'s code', () => {
      expect(check({ type: 'text', text: { body: 'x', preview_url: 'yes' } })).to.equal(100);
      expect(check({ type: 'text', text: 'hello' })).to.equal(100);
      expect(check({ type: 'text' })).to.equal(131008);
      expect(check({ type: 'audio', audio: { link: 'https://a.test/a.ogg', caption: 'no captions on audio' } })).to.equal(100);
      expect(check({ type: 'document', document: { link: 'https://a.test/a.pdf', filename: 'a.pdf', caption: 'ok' } })).to.equal('ok');
      expect(check({ type: 'reaction', reaction: { message_id: 'wamid.known', emoji: '🇫🇷' } })).to.equal('ok');
      expect(check({ type: 'reaction', reaction: { message_id: 'wamid.known' } })).to.equal(131008);
      expect(check({ type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Visit' }, action: { name: 'cta_url', parameters: { display_text: 'Open the shop', url: 'https://shop.test' } } } })).to.equal('ok');
      expect(check({ type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Visit' }, action: { name: 'cta_url', parameters: { display_text: 'x'.repeat(21), url: 'https://shop.test' } } } })).to.equal(131009);
      expect(check({ type: 'interactive', interactive: { type: 'poll', action: {} } })).to.equal(100);
      expect(check({ type: 'text', text: { body: 'x' }, biz_opaque_callback_data: 'x'.repeat(513) })).to.equal(131009);
      expect(check({ type: 'text', text: { body: 'x' }, context: { message_id: 42 } })).to.equal(100);
      expect(check({ type: 'text', text: { body: 'x' }, recipient_type: 'group' })).to.equal(131009);
    });
  });
});
