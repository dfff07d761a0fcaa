// The country of a WhatsApp user, from the E.164 number in their wa_id. Meta prices template
// messages by the recipient's country code, and contacts carry it for filtering and reports.
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

// wa_id: the E.164 number without '+' (7 to 15 digits, no leading zero).
const WA_ID = /^\+?([1-9]\d{5,14})$/;

let countriesByCallingCode: Map<string, CountryCode[]> | null = null;

function countriesFor(callingCode: string): CountryCode[] {
  if (!countriesByCallingCode) {
    countriesByCallingCode = new Map();
    for (const country of getCountries()) {
      const code = getCountryCallingCode(country);
      const list = countriesByCallingCode.get(code) ?? [];
      list.push(country);
      countriesByCallingCode.set(code, list);
    }
  }
  return countriesByCallingCode.get(callingCode) ?? [];
}

/**
 * The ISO 3166-1 alpha-2 country of an E.164 number (wa_id, with or without '+'), or null when
 * the number is malformed, non-geographic (+800, +882...) or its calling code is shared by
 * several countries (+1, +7, +44...) and the number matches none of their ranges.
 */
export function countryOfWaId(waId: string): string | null {
  const m = WA_ID.exec(waId.trim());
  if (!m) {
    return null;
  }
  const phone = parsePhoneNumberFromString(`+${m[1]}`);
  if (!phone) {
    return null;
  }
  if (phone.country) {
    return phone.country;
  }
  // A range newer than the metadata: still priced by its calling code when only one country uses it.
  const candidates = countriesFor(phone.countryCallingCode);
  return candidates.length === 1 ? (candidates[0] ?? null) : null;
}
