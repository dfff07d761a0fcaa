// Secrets (the CSRF token, the webhook verify token) compared without leaking their content or length through timing.
import { expect } from 'chai';
import fc from 'fast-check';
import { equalSecrets } from '../../server/lib/constantTime';
import { answerSubscriptionChallenge } from '../../server/whatsapp/signature';

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
    const asked = (token: string) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '42' });
    expect(answerSubscriptionChallenge(asked('tok-2'), ['tok-1', 'tok-2', 'tok-3'])).to.equal('42');
    expect(answerSubscriptionChallenge(asked('tok-4'), ['tok-1', 'tok-2', 'tok-3'])).to.equal(null);
    expect(answerSubscriptionChallenge(asked(''), [])).to.equal(null);
  });
});
