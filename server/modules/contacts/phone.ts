// Phone numbers of contacts: typed in any usual form, stored as WhatsApp's wa_id (E.164 digits
// without '+'), shown masked to those who may not read them.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { countryOfWaId } from '../../whatsapp/country';

/**
 * The region of a number, where the number says one. libphonenumber-js has no geocoder, so this
 * is a small table of our own: the five zones of the French numbering plan (ARCEP, plan national
 * de numérotation: 01 Île-de-France, 02 Nord-Ouest, 03 Nord-Est, 04 Sud-Est, 05 Sud-Ouest) for
 * French fixed lines. Mobile and other numbers say nothing about where their holder lives: null.
 */
const FR_ZONES: Record<string, string> = { '1': 'Île-de-France', '2': 'Nord-Ouest', '3': 'Nord-Est', '4': 'Sud-Est', '5': 'Sud-Ouest' };

export type NormalisedPhone = { waId: string; country: string | null; region: string | null };

/** The number as WhatsApp names it, its country and region; null when it is not a valid number. */
export function normalisePhone(input: string, defaultCountry?: string): NormalisedPhone | null {
  const text = input.trim().replace(/^00/, '+');
  const phone = parsePhoneNumberFromString(text, defaultCountry as CountryCode | undefined);
  if (!phone || !phone.isValid()) {
    return null;
  }
  const waId = phone.number.slice(1);
  return { waId, country: countryOfWaId(waId), region: regionOf(waId) };
}

/** The region a number names (see FR_ZONES), or null. */
export function regionOf(waId: string): string | null {
  const phone = parsePhoneNumberFromString(`+${waId}`);
  if (!phone || phone.country !== 'FR' || phone.getType() !== 'FIXED_LINE') {
    return null;
  }
  return FR_ZONES[phone.nationalNumber.charAt(0)] ?? null;
}

/** What kind of number it is (mobile, fixed_line, voip...), lower-case; null when unknown. */
export function numberTypeOf(waId: string): string | null {
  return parsePhoneNumberFromString(`+${waId}`)?.getType()?.toLowerCase() ?? null;
}

const MASK = '•';

/**
 * The number with its middle hidden: the country code, the first national digit and the last two
 * stay ("+33 6 •• •• •• 78"), enough to tell two numbers of one customer apart on screen.
 */
export function maskPhone(waId: string): string {
  const phone = parsePhoneNumberFromString(`+${waId}`);
  const formatted = phone ? phone.formatInternational() : `+${waId}`;
  const prefix = phone ? `+${phone.countryCallingCode}` : '+';
  const rest = formatted.slice(prefix.length);
  const digits = rest.replace(/\D/g, '').length;
  let seen = 0;
  const masked = rest.replace(/\d/g, (d) => {
    seen += 1;
    return seen === 1 || seen > digits - 2 ? d : MASK;
  });
  return prefix + masked;
}
