// Text a database cannot keep, in parsed webhooks: replaced in the events, kept in `raw`.
import { expect } from 'chai';
import fc from 'fast-check';
import { parseWebhook, ParseError, type InboundMessage } from '../../server/whatsapp/webhookParse';
import { MAX_NESTING, storableJson, storableText, truncateText } from '../../server/whatsapp/webhookText';

// A surrogate that is not half of a pair (String.prototype.isWellFormed is newer than our lib).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
// What PostgreSQL refuses in text: U+0000 and lone surrogates.
const storable = (s: string) => !s.includes('\u0000') && wellFormed(s);

const notification = (message: Record<string, unknown>, name = 'Sheena Nelson') => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '419561257915477', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name }, wa_id: '16505551234' }],
    messages: [{ from: '16505551234', id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', timestamp: '1749416383', ...message }],
  } }] }],
});

describe('storable webhook text', () => {
  it('replaces U+0000 and lone surrogates only: pairs and every other character stay', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = storableText(s);
        expect(storable(out)).to.equal(true);
        expect(out.length).to.equal(s.length);
        expect(storableText(out)).to.equal(out);
        if (storable(s)) {
          expect(out).to.equal(s);
        }
      }),
    );
    expect(storableText('a\u0000b\ud800c\udc00d\u{1F69A}')).to.equal('a\ufffdb\ufffdc\ufffdd\u{1F69A}');
  });

  it('truncates without splitting a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(40), (s, max) => {
        const out = truncateText(s, max);
        expect(s.startsWith(out)).to.equal(true);
        expect(out.length).to.be.within(Math.min(s.length, Math.max(max - 1, 0)), max);
        expect(wellFormed(out)).to.equal(true);
      }),
    );
  });

  it('cleans keys and values at every depth, keeps __proto__ a key, and refuses nesting past the limit', () => {
    const clean = storableJson(JSON.parse('{"__proto__": {"k\\u0000": ["\\ud800"]}}')) as Record<string, unknown>;
    expect(Object.keys(clean)).to.deep.equal(['__proto__']);
    expect(clean.__proto__).to.deep.equal({ 'k\ufffd': ['\ufffd'] });
    const deep = (n: number): unknown => (n === 0 ? 'x' : [deep(n - 1)]);
    expect(() => storableJson(deep(MAX_NESTING - 1))).to.not.throw();
    expect(() => storableJson(deep(MAX_NESTING + 1))).to.throw(/nested more than/);
  });

  it('parses a message with such text into clean events and its exact raw copy', () => {
    const body = notification({ type: 'text', text: { body: 'a\u0000b\ud800' }, extra: { 'k\udfff': '\u0000' } }, 'Zo\u0000');
    const m = parseWebhook(body).events[0] as InboundMessage;
    expect(m.text).to.equal('a\ufffdb\ufffd');
    expect(m.content).to.deep.equal({ body: 'a\ufffdb\ufffd' });
    expect(m.profileName).to.equal('Zo\ufffd');
    expect(m.raw).to.deep.equal(body.entry[0]!.changes[0]!.value.messages[0]);
  });

  it('refuses (ParseError, so 400) ids too long to index and nesting past the limit', () => {
    expect(() => parseWebhook(notification({ type: 'text', text: { body: 'x' }, id: 'w'.repeat(129) }))).to.throw(ParseError);
    expect(() => parseWebhook(notification({ type: 'text', text: { body: 'x' }, from: '1'.repeat(129) }))).to.throw(ParseError);
    const deep = JSON.parse(`{"extra": ${'['.repeat(100)}${']'.repeat(100)}}`) as Record<string, unknown>;
    expect(() => parseWebhook(notification({ type: 'text', text: { body: 'x' }, ...deep }))).to.throw(ParseError, /nested more than/);
  });
});
