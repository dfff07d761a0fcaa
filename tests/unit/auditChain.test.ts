// chainHash: the link that makes the audit log tamper-evident. Verification recomputes it from
// rows read back from Postgres (JSONB reorders keys), so it must depend on content, not layout.
import { expect } from 'chai';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { chainHash, GENESIS_HASH, type ChainedEvent } from '../../server/modules/audit/chain';

const EVENT: ChainedEvent = {
  seq: 42,
  at: '2025-03-01T09:30:00.000Z',
  actorType: 'user',
  actorId: '7d0f1c7e-5a2b-4c1e-9a57-3b8f0f0b7d11',
  action: 'user.disable',
  subjectType: 'User',
  subjectId: 'b3c1d2e4-0000-4000-8000-000000000001',
  ip: '203.0.113.7',
  requestId: 'req-123',
  details: { reason: 'left the company', previous: { status: 'active', roles: ['agent'] } },
};

const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const details = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }) as fc.Arbitrary<
  Record<string, unknown>
>;

const eventArb: fc.Arbitrary<ChainedEvent> = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  at: isoDate,
  actorType: fc.constantFrom('user', 'system', 'api_key'),
  actorId: nullable(fc.uuid()),
  action: fc.string({ minLength: 1, maxLength: 30 }),
  subjectType: nullable(fc.string({ maxLength: 20 })),
  subjectId: nullable(fc.string({ maxLength: 40 })),
  ip: nullable(fc.oneof(fc.ipV4(), fc.ipV6())),
  requestId: nullable(fc.string({ maxLength: 40 })),
  details,
});

/** One field of an event replaced by another value of the same shape. */
const mutationArb: fc.Arbitrary<Partial<ChainedEvent>> = fc.oneof(
  fc.record({ seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }),
  fc.record({ at: isoDate }),
  fc.record({ actorType: fc.string() }),
  fc.record({ actorId: nullable(fc.string()) }),
  fc.record({ action: fc.string() }),
  fc.record({ subjectType: nullable(fc.string()) }),
  fc.record({ subjectId: nullable(fc.string()) }),
  fc.record({ ip: nullable(fc.string()) }),
  fc.record({ requestId: nullable(fc.string()) }),
  fc.record({ details }),
);

/** The same JSON value with every object's keys in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(reverseKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

describe('chainHash', () => {
  it('is a SHA-256 hex digest, the same every time for the same event', () => {
    const hash = chainHash(GENESIS_HASH, EVENT);
    expect(hash).to.match(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, structuredClone(EVENT))).to.equal(hash);
  });

  it('chains from a genesis hash of 64 zeros', () => {
    expect(GENESIS_HASH).to.equal('0'.repeat(64));
  });

  it('does not depend on the key order of details, at any depth', () => {
    const reordered: ChainedEvent = {
      ...EVENT,
      details: { previous: { roles: ['agent'], status: 'active' }, reason: 'left the company' },
    };
    expect(chainHash(GENESIS_HASH, reordered)).to.equal(chainHash(GENESIS_HASH, EVENT));
  });

  it('does not depend on the key order of the event itself', () => {
    const reversed = reverseKeys(EVENT) as ChainedEvent;
    expect(Object.keys(reversed)[0]).to.equal('details');
    expect(chainHash(GENESIS_HASH, reversed)).to.equal(chainHash(GENESIS_HASH, EVENT));
  });

  it('distinguishes a null field from the string "null" and an array order change', () => {
    const base = chainHash(GENESIS_HASH, EVENT);
    expect(chainHash(GENESIS_HASH, { ...EVENT, ip: null })).not.to.equal(base);
    expect(chainHash(GENESIS_HASH, { ...EVENT, subjectId: 'null', subjectType: null })).not.to.equal(
      chainHash(GENESIS_HASH, { ...EVENT, subjectId: null, subjectType: null }),
    );
    expect(chainHash(GENESIS_HASH, { ...EVENT, details: { ...EVENT.details, previous: { status: 'active', roles: ['agent', 'admin'] } } })).not.to.equal(
      chainHash(GENESIS_HASH, { ...EVENT, details: { ...EVENT.details, previous: { status: 'active', roles: ['admin', 'agent'] } } }),
    );
  });

  it('depends on the previous hash, so a removed or reordered event breaks the chain', () => {
    const first = chainHash(GENESIS_HASH, EVENT);
    const second = chainHash(first, { ...EVENT, seq: 43 });
    expect(chainHash(GENESIS_HASH, { ...EVENT, seq: 43 })).not.to.equal(second);
    expect(chainHash('f'.repeat(64), EVENT)).not.to.equal(first);
  });

  it('property: key order never matters', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        expect(chainHash(GENESIS_HASH, reverseKeys(event) as ChainedEvent)).to.equal(chainHash(GENESIS_HASH, event));
      }),
    );
  });

  it('property: changing any field changes the hash', () => {
    fc.assert(
      fc.property(eventArb, mutationArb, (event, change) => {
        const tampered: ChainedEvent = { ...event, ...change };
        // Only changes that alter the content count (e.g. not 0 → -0, or a value replaced by itself).
        fc.pre(canonicalize(tampered) !== canonicalize(event));
        expect(chainHash(GENESIS_HASH, tampered)).not.to.equal(chainHash(GENESIS_HASH, event));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a different previous hash always gives a different hash', () => {
    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(eventArb, hex64, hex64, (event, a, b) => {
        fc.pre(a !== b);
        expect(chainHash(a, event)).not.to.equal(chainHash(b, event));
      }),
    );
  });
});
