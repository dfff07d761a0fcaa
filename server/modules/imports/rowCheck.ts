import { isUtf8 } from 'node:buffer';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { newId } from '../../lib/ids';
import type { ImportOptions, RejectReason } from './schema';

// A name as WhatsApp shows it is short; a longer cell is a mapping mistake.
const NAME_MAX = 200;
const TEXT_ATTRIBUTE_MAX = 500;
const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'oui', 'vrai']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'non', 'faux']);

export type AttributeDef = { type: 'text' | 'number' | 'date' | 'boolean' | 'choice'; options: string[] };

/** What the checks need to know of the base: labels by lower-cased name, attribute definitions. */
export type RowContext = {
  options: ImportOptions;
  headerLength: number;
  labels: Map<string, string>;
  attributes: Map<string, AttributeDef>;
  /** Labels this run would create (option createLabels), by lower-cased name: filled as rows name them. */
  newLabels: Map<string, { id: string; name: string }>;
};

export type StagedContact = {
  wa_id: string;
  profile_name: string | null;
  country: string | null;
  language: string | null;
  label_ids: string[];
  attributes: Record<string, string | number | boolean>;
};

export type Checked = { ok: true; contact: StagedContact } | { ok: false; reason: RejectReason; detail: string | null };

const reject = (reason: RejectReason, detail: string | null = null): Checked => ({ ok: false, reason, detail });

/** A valid calendar date written YYYY-MM-DD. */
function isDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return DATE.test(text) && !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

/** An attribute cell as the value stored, or null when it does not fit the definition. */
function attributeValue(def: AttributeDef, text: string): string | number | boolean | null {
  switch (def.type) {
    case 'number': {
      const n = Number(text.replace(',', '.'));
      return /^[-+]?\d+([.,]\d+)?$/.test(text) && Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return TRUE_WORDS.has(text.toLowerCase()) ? true : FALSE_WORDS.has(text.toLowerCase()) ? false : null;
    case 'date':
      return isDate(text) ? text : null;
    case 'choice':
      return def.options.includes(text) ? text : null;
    case 'text':
      return text.length <= TEXT_ATTRIBUTE_MAX ? text : null;
  }
}

/** A phone number as WhatsApp's wa_id (E.164 digits without "+"), or null when it is not a valid number. */
export function waIdOf(text: string, defaultCountry: string): string | null {
  const phone = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  return phone && phone.isValid() ? phone.number.slice(1) : null;
}

/**
 * Checks one record (cells as raw bytes, read as Latin-1 so that no byte is lost) and turns it
 * into the contact it would stage, or the reason it is rejected. The file must be UTF-8.
 */
export function checkRow(cells: string[], ctx: RowContext): Checked {
  if (cells.length !== ctx.headerLength) {
    return reject('wrong_column_count', `${cells.length} columns, the header has ${ctx.headerLength}`);
  }
  const text: string[] = [];
  for (const raw of cells) {
    const bytes = Buffer.from(raw, 'latin1');
    if (!isUtf8(bytes)) {
      return reject('bad_encoding', 'not UTF-8');
    }
    text.push(bytes.toString('utf8').trim());
  }
  const { options } = ctx;
  const contact: StagedContact = { wa_id: '', profile_name: null, country: null, language: null, label_ids: [], attributes: {} };
  let phone = '';
  for (let i = 0; i < text.length; i++) {
    const target = options.columns[i] ?? 'ignore';
    const value = text[i]!;
    if (target === 'phone') {
      phone = value;
    } else if (value === '' || target === 'ignore') {
      continue;
    } else if (target === 'name') {
      if (value.length > NAME_MAX) {
        return reject('name_too_long');
      }
      contact.profile_name = value;
    } else if (target === 'country') {
      if (!COUNTRY.test(value)) {
        return reject('bad_country', value.slice(0, 20));
      }
      contact.country = value.toUpperCase();
    } else if (target === 'language') {
      if (!LANGUAGE.test(value)) {
        return reject('bad_language', value.slice(0, 20));
      }
      contact.language = value;
    } else if (target === 'labels') {
      for (const name of value.split(options.labelSeparator).map((n) => n.trim()).filter((n) => n !== '')) {
        const key = name.toLowerCase();
        let id = ctx.labels.get(key) ?? ctx.newLabels.get(key)?.id;
        if (!id && options.createLabels) {
          id = newId();
          ctx.newLabels.set(key, { id, name: name.slice(0, 80) });
        }
        if (!id) {
          return reject('unknown_label', name.slice(0, 80));
        }
        if (!contact.label_ids.includes(id)) {
          contact.label_ids.push(id);
        }
      }
    } else {
      const key = target.slice('attribute:'.length);
      const def = ctx.attributes.get(key);
      const stored = def ? attributeValue(def, value) : null;
      if (stored === null) {
        return reject('bad_attribute', key);
      }
      contact.attributes[key] = stored;
    }
  }
  if (phone === '') {
    return reject('missing_phone');
  }
  const waId = waIdOf(phone, options.defaultCountry);
  if (!waId) {
    return reject('bad_phone');
  }
  contact.wa_id = waId;
  return { ok: true, contact };
}
