// Secrets (the webhook verify token) compared without leaking their content or length through timing.
import { expect } from 'chai';
import fc from 'fast-check';
import { equalSecrets, matchesAnySecret } from '../../server/lib/constantTime';

describe('constant-time secret comparison', () => {
  it('agrees with plain equality, whatever the lengths', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(equalSecrets(a, b)).to.equal(a === b);
        expect(equalSecrets(a, a)).to.equal(true);
      }),
    );
  });

  it('finds a secret among several, and none in an empty list', () => {
    expect(matchesAnySecret('tok-2', ['tok-1', 'tok-2', 'tok-3'])).to.equal(true);
    expect(matchesAnySecret('tok-4', ['tok-1', 'tok-2', 'tok-3'])).to.equal(false);
    expect(matchesAnySecret('', [])).to.equal(false);
  });
});
