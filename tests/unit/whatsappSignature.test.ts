// Webhook authenticity: only a body signed with one of our app secrets is accepted, over the
// exact bytes Meta sent (escaped JSON included), and the subscription check echoes the challenge.
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { answerSubscriptionChallenge, parseSignatureHeader, sign, verifySignature } from '../../server/whatsapp/signature';

const SECRET = 'f3b1c2d4e5a6978812345678abcdef01';
const OTHER = '0123456789abcdef0123456789abcdef';
// Meta escapes non-ASCII (and sometimes '/') in the JSON it signs: the bytes, not the text, count.
const ESCAPED = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"text":"Caf\\u00e9 \\ud83d\\udc4d","url":"https:\\/\\/x"}}]}]}');

describe('verifySignature', () => {
  it('accepts the HMAC-SHA256 of the raw bytes under the app secret and names that secret', () => {
    const header = sign(ESCAPED, SECRET);
    expect(header).to.match(/^sha256=[0-9a-f]{64}$/);
    expect(header).to.equal('sha256=' + createHmac('sha256', SECRET).update(ESCAPED).digest('hex'));
    expect(verifySignature(ESCAPED, header, [SECRET])).to.equal(SECRET);
  });

  it('verifies the escaped bytes, not a re-serialization of the parsed JSON', () => {
    const header = sign(ESCAPED, SECRET);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(ESCAPED.toString('utf8'))));
    expect(reserialized.equals(ESCAPED)).to.equal(false);
    expect(verifySignature(reserialized, header, [SECRET])).to.equal(null);
  });

  it('refuses a body changed by one byte, or signed with another secret', () => {
    const header = sign(ESCAPED, SECRET);
    const tampered = Buffer.from(ESCAPED);
    tampered[tampered.length - 3] ^= 0x01;
    expect(verifySignature(tampered, header, [SECRET])).to.equal(null);
    expect(verifySignature(ESCAPED, sign(ESCAPED, OTHER), [SECRET])).to.equal(null);
  });

  it('finds the right secret among several (one app per group of numbers)', () => {
    const secrets = ['a'.repeat(32), OTHER, SECRET];
    expect(verifySignature(ESCAPED, sign(ESCAPED, SECRET), secrets)).to.equal(SECRET);
    expect(verifySignature(ESCAPED, sign(ESCAPED, OTHER), secrets)).to.equal(OTHER);
    expect(verifySignature(ESCAPED, sign(ESCAPED, 'not configured'), secrets)).to.equal(null);
    expect(verifySignature(ESCAPED, sign(ESCAPED, SECRET), [])).to.equal(null);
  });

  it('ignores an empty secret, whose HMAC anyone can compute', () => {
    expect(verifySignature(ESCAPED, sign(ESCAPED, ''), [''])).to.equal(null);
    expect(verifySignature(ESCAPED, sign(ESCAPED, ''), ['', SECRET])).to.equal(null);
  });

  it('refuses missing and malformed headers without computing anything', () => {
    const hex = sign(ESCAPED, SECRET).slice('sha256='.length);
    const malformed = [
      undefined,
      '',
      hex, // no algorithm prefix
      `sha1=${hex.slice(0, 40)}`, // the legacy X-Hub-Signature
      `SHA256=${hex}`,
      `sha256=${hex.slice(0, 63)}`, // odd length: Buffer.from would silently drop a digit
      `sha256=${hex}00`,
      `sha256=${hex.slice(0, 62)}zz`,
      ` sha256=${hex}`,
      `sha256=${hex},sha256=${hex}`,
    ];
    for (const header of malformed) {
      expect(parseSignatureHeader(header), String(header)).to.equal(null);
      expect(verifySignature(ESCAPED, header, [SECRET]), String(header)).to.equal(null);
    }
  });

  it('accepts upper-case hex digits (the same digest)', () => {
    const header = sign(ESCAPED, SECRET);
    expect(verifySignature(ESCAPED, 'sha256=' + header.slice(7).toUpperCase(), [SECRET])).to.equal(SECRET);
  });

  it('takes the constant-time path: a digest differing only in its last byte is refused like any other', () => {
    const digest = parseSignatureHeader(sign(ESCAPED, SECRET))!;
    expect(digest.length).to.equal(32);
    for (const position of [0, 15, 31]) {
      const near = Buffer.from(digest);
      near[position] ^= 0x80;
      expect(verifySignature(ESCAPED, 'sha256=' + near.toString('hex'), [SECRET])).to.equal(null);
    }
  });

  it('property: any body signed with any listed secret verifies to that secret, and no other body does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }), fc.nat(), (bytes, secrets, pick) => {
        const body = Buffer.from(bytes);
        const secret = secrets[pick % secrets.length]!;
        const header = sign(body, secret);
        expect(verifySignature(body, header, secrets)).to.equal(secret);
        const other = Buffer.concat([body, Buffer.from([0])]);
        expect(verifySignature(other, header, secrets)).to.equal(null);
      }),
      { numRuns: 200 },
    );
  });
});

describe('answerSubscriptionChallenge', () => {
  it('echoes the challenge when the verify token matches', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-token', 'hub.challenge': '1158201444' };
    expect(answerSubscriptionChallenge(q, 'my-token')).to.equal('1158201444');
  });

  it('refuses a wrong token, another mode, a missing challenge or an unset token', () => {
    expect(answerSubscriptionChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }, 'my-token')).to.equal(null);
    expect(answerSubscriptionChallenge({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'my-token', 'hub.challenge': '1' }, 'my-token')).to.equal(null);
    expect(answerSubscriptionChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-token' }, 'my-token')).to.equal(null);
    expect(answerSubscriptionChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '1' }, '')).to.equal(null);
  });
});
