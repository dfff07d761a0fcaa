// The country of a contact, from the E.164 number in their wa_id (pricing and reports use it).
import { expect } from 'chai';
import { countryOfWaId } from '../../server/whatsapp/country';

describe('countryOfWaId', () => {
  it('names the ISO 3166-1 alpha-2 country of a wa_id, with or without +', () => {
    const cases: Array<[string, string]> = [
      ['16505551234', 'US'],
      ['14165551234', 'CA'], // +1 shared: told apart by area code (Toronto)
      ['18095551234', 'DO'],
      ['442071838750', 'GB'], // +44 shared with GG, IM, JE
      ['447911123456', 'GG'],
      ['33612345678', 'FR'],
      ['4915112345678', 'DE'],
      ['79161234567', 'RU'],
      ['77012345678', 'KZ'], // +7 shared with Russia
      ['5511987654321', 'BR'],
      ['8613800138000', 'CN'],
      ['919876543210', 'IN'],
      ['+390612345678', 'IT'],
    ];
    for (const [waId, country] of cases) {
      expect(countryOfWaId(waId), waId).to.equal(country);
    }
  });

  it('falls back to the only country of a calling code for ranges newer than the metadata', () => {
    expect(countryOfWaId('33999999999')).to.equal('FR');
  });

  it('answers null for malformed, non-geographic or unplaceable numbers', () => {
    for (const waId of ['', 'abc', '0044770090012', '12', '1234567890123456', '882123456789', '15550783881', '+1 650 555 1234']) {
      expect(countryOfWaId(waId), waId).to.equal(null);
    }
  });
});
