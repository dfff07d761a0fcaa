// What a sender does about each of Meta's error codes, and how long it waits.
import { expect } from 'chai';
import { backoffHintMs, classifyError, GraphApiError, isRetryable } from '../../server/whatsapp/errors';

describe('classifyError', () => {
  it('classifies by code whatever the HTTP status Meta pairs with it', () => {
    for (const status of [400, 401, 403, 404, 429, 500, 503]) {
      expect(classifyError(190, status), `190/${status}`).to.equal('token_invalid');
      expect(classifyError(131050, status), `131050/${status}`).to.equal('user_opted_out');
      expect(classifyError(131056, status), `131056/${status}`).to.equal('rate_limited');
      expect(classifyError(131016, status), `131016/${status}`).to.equal('retry');
    }
  });

  it('treats failures without an HTTP answer as retry (code 0)', () => {
    expect(classifyError(0, 0)).to.equal('retry');
    expect(classifyError(0, 503)).to.equal('retry');
    expect(classifyError(0, 403)).to.equal('invalid_request');
  });

  it('retries only what may succeed later without a change: never an opted-out user', () => {
    expect(isRetryable(classifyError(131050, 400))).to.equal(false);
    expect(isRetryable(classifyError(131047, 400))).to.equal(false);
    expect(isRetryable(classifyError(190, 401))).to.equal(false);
    expect(isRetryable(classifyError(130429, 400))).to.equal(true);
  });
});

describe('backoffHintMs', () => {
  it('follows Meta\'s 4^n seconds for the pair rate (131056)', () => {
    expect([1, 2, 3, 4].map((n) => backoffHintMs(131056, n))).to.deep.equal([4_000, 16_000, 64_000, 256_000]);
    expect(backoffHintMs(131056, 50)).to.equal(3_600_000);
  });

  it('waits about a minute during a throughput upgrade and doubles for management limits', () => {
    expect(backoffHintMs(131057)).to.equal(60_000);
    expect([1, 2, 3].map((n) => backoffHintMs(80007, n))).to.deep.equal([60_000, 120_000, 240_000]);
    expect(backoffHintMs(4, 1, 12)).to.equal(12 * 60_000);
  });

  it('gives no hint where waiting alone does not help', () => {
    for (const code of [131047, 131026, 190, 131048, 131050, 132001, 100]) {
      expect(backoffHintMs(code), String(code)).to.equal(null);
    }
  });

  it('is carried by GraphApiError for retryable errors only', () => {
    const pair = new GraphApiError({ httpStatus: 400, code: 131056, title: 'Pair rate limit hit', message: '(#131056) Pair rate limit hit' });
    expect(pair).to.deep.include({ classification: 'rate_limited', backoffMs: 4_000, retryable: true, subcode: null, details: null });
    const window = new GraphApiError({ httpStatus: 400, code: 131047, title: 'Re-engagement message', message: 'x' });
    expect(window).to.deep.include({ classification: 'window_closed', backoffMs: null, retryable: false });
    expect(window).to.be.instanceOf(Error);
    expect(window.name).to.equal('GraphApiError');
  });
});
