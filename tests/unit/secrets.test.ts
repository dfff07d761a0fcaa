// encryptSecret / decryptSecret: how WhatsApp tokens and similar secrets rest in the database.
// A sealed value that was altered, moved to another record (AAD) or read with another key must
// never decrypt to anything.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decryptSecret, encryptSecret } from '../../server/lib/secrets';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);

type Part = 'iv' | 'tag' | 'ct';
const PART_INDEX: Record<Part, number> = { iv: 1, tag: 2, ct: 3 };

/** The sealed string with one part's bytes replaced. */
function withPart(sealed: string, part: Part, bytes: Buffer): string {
  const parts = sealed.split('.');
  parts[PART_INDEX[part]] = bytes.toString('base64url');
  return parts.join('.');
}

const partBytes = (sealed: string, part: Part): Buffer => Buffer.from(sealed.split('.')[PART_INDEX[part]] ?? '', 'base64url');

describe('encryptSecret / decryptSecret', () => {
  it('seals as v1.<iv>.<tag>.<ciphertext> without the plaintext showing', () => {
    const sealed = encryptSecret(KEY, 'EAAG-whatsapp-token');
    expect(sealed).to.match(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/);
    expect(partBytes(sealed, 'iv')).to.have.length(12);
    expect(partBytes(sealed, 'tag')).to.have.length(16);
    expect(sealed).not.to.include('whatsapp');
    expect(decryptSecret(KEY, sealed)).to.equal('EAAG-whatsapp-token');
  });

  it('round-trips the empty string', () => {
    expect(decryptSecret(KEY, encryptSecret(KEY, ''))).to.equal('');
  });

  it('property: any string, unicode included, round-trips (with and without AAD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 40 }), (plaintext, aad) => {
        expect(decryptSecret(KEY, encryptSecret(KEY, plaintext))).to.equal(plaintext);
        expect(decryptSecret(KEY, encryptSecret(KEY, plaintext, aad), aad)).to.equal(plaintext);
      }),
    );
  });

  it('property: the same plaintext seals differently each time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (plaintext) => {
        const a = encryptSecret(KEY, plaintext);
        const b = encryptSecret(KEY, plaintext);
        expect(a).not.to.equal(b);
        expect(partBytes(a, 'iv').equals(partBytes(b, 'iv'))).to.equal(false);
      }),
    );
  });

  it('property: flipping any bit of the IV, tag or ciphertext makes decryption throw', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
        fc.constantFrom<Part>('iv', 'tag', 'ct'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (plaintext, part, at, bit) => {
          const sealed = encryptSecret(KEY, plaintext);
          const bytes = Buffer.from(partBytes(sealed, part));
          const index = at % bytes.length;
          bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
          expect(() => decryptSecret(KEY, withPart(sealed, part, bytes))).to.throw();
        },
      ),
    );
  });

  it('refuses ciphertext that was truncated, extended or emptied', () => {
    const sealed = encryptSecret(KEY, 'a secret of some length');
    const ct = partBytes(sealed, 'ct');
    expect(() => decryptSecret(KEY, withPart(sealed, 'ct', ct.subarray(0, ct.length - 1)))).to.throw();
    expect(() => decryptSecret(KEY, withPart(sealed, 'ct', Buffer.concat([ct, Buffer.from([0])])))).to.throw();
    expect(() => decryptSecret(KEY, withPart(sealed, 'ct', Buffer.alloc(0)))).to.throw();
  });

  it('refuses values that are not sealed secrets', () => {
    const sealed = encryptSecret(KEY, 'token');
    const [, iv, tag, ct] = sealed.split('.');
    for (const bad of ['', 'token', `v2.${iv}.${tag}.${ct}`, `v1.${iv}.${tag}`, `v1..${tag}.${ct}`, `v1.${iv}..${ct}`]) {
      expect(() => decryptSecret(KEY, bad), bad).to.throw();
    }
  });

  it('property: another key never decrypts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (plaintext) => {
        expect(() => decryptSecret(OTHER_KEY, encryptSecret(KEY, plaintext))).to.throw();
      }),
    );
  });

  it('property: a value sealed for one record (AAD) does not open for another', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (plaintext, aad, otherAad) => {
        fc.pre(aad !== otherAad);
        expect(() => decryptSecret(KEY, encryptSecret(KEY, plaintext, aad), otherAad)).to.throw();
      }),
    );
  });

  it('refuses a truncated authentication tag (Node accepts 4..16-byte GCM tags unless authTagLength is set)', () => {
    // Accepting a 4-byte tag leaves 2^32 work to forge a value that decrypts.
    const sealed = encryptSecret(KEY, 'EAAG-whatsapp-token');
    const tag = partBytes(sealed, 'tag');
    for (const length of [4, 8, 12, 15]) {
      expect(() => decryptSecret(KEY, withPart(sealed, 'tag', tag.subarray(0, length))), `${length}-byte tag`).to.throw();
    }
  });

  it('refuses a sealed value with extra dot-separated parts', () => {
    const sealed = encryptSecret(KEY, 'token');
    expect(() => decryptSecret(KEY, `${sealed}.extra`)).to.throw();
  });
});
