// Term lists as files: an uploaded import (plain text, one term per line, or CSV with term, action
// and locale columns) and the default lists in policies/lexicon/ ("block <term>" per line).
// Read line by line as the file arrives; each row is checked here, and a rejected row is reported
// with its line number and why.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LexiconAction } from './engine';
import { normaliseTerm } from './normalise';
import { LOCALE_PATTERN, TERM_MAX_LENGTH } from './schema';

export type RejectReason = 'empty' | 'no_letters' | 'too_long' | 'bad_locale' | 'bad_action' | 'malformed' | 'duplicate_in_file' | 'exists' | 'too_many_rows';
export type ParsedTerm = { line: number; term: string; normalized: string; locale: string; action: LexiconAction };
export type Rejected = { line: number; text: string; reason: RejectReason };
export type ParsedFile = { terms: ParsedTerm[]; rejected: Rejected[] };

/** Rows an import may hold: tens of thousands of terms, with room to spare. */
export const IMPORT_MAX_ROWS = 200_000;
// A rejected row's text is echoed back cut to this length.
const ECHO_MAX = 200;

/** The fields of one CSV line (RFC 4180 quoting, on one line), or null when the quoting is broken. */
export function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          return null;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') {
        return null;
      }
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) {
      return fields;
    }
    i += 1; // the comma
  }
}

type Columns = { term: number; action: number | null; locale: number | null };

/** Checks one row's values; the term's normalised form is what must be unique per locale. */
function checkRow(line: number, text: string, term: string, action: string, locale: string): ParsedTerm | Rejected {
  const trimmed = term.trim();
  if (trimmed === '') {
    return { line, text, reason: 'empty' };
  }
  if (trimmed.length > TERM_MAX_LENGTH) {
    return { line, text, reason: 'too_long' };
  }
  if (action !== 'block' && action !== 'flag') {
    return { line, text, reason: 'bad_action' };
  }
  if (!LOCALE_PATTERN.test(locale)) {
    return { line, text, reason: 'bad_locale' };
  }
  const normalized = normaliseTerm(trimmed);
  if (normalized === '') {
    return { line, text, reason: 'no_letters' };
  }
  return { line, term: trimmed, normalized, locale, action };
}

/**
 * Reads an import file. `csv` says whether its rows are CSV (a first row naming the columns
 * `term`, `action`, `locale` in any order is a header; otherwise they come in that order);
 * values a row does not give come from `defaults`.
 */
export async function readImportFile(file: Readable, csv: boolean, defaults: { locale: string; action: LexiconAction }): Promise<ParsedFile> {
  const out: ParsedFile = { terms: [], rejected: [] };
  const seen = new Set<string>();
  let columns: Columns = { term: 0, action: 1, locale: 2 };
  let line = 0;
  for await (const raw of createInterface({ input: file, crlfDelay: Infinity })) {
    line += 1;
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (text === '' || (!csv && text.startsWith('#'))) {
      continue;
    }
    const echo = text.slice(0, ECHO_MAX);
    if (out.terms.length >= IMPORT_MAX_ROWS) {
      out.rejected.push({ line, text: echo, reason: 'too_many_rows' });
      continue;
    }
    let row: ParsedTerm | Rejected;
    if (csv) {
      const fields = csvFields(text);
      if (!fields) {
        out.rejected.push({ line, text: echo, reason: 'malformed' });
        continue;
      }
      const names = fields.map((f) => f.trim().toLowerCase());
      if (line === 1 && names.includes('term')) {
        const at = (name: string) => (names.includes(name) ? names.indexOf(name) : null);
        columns = { term: names.indexOf('term'), action: at('action'), locale: at('locale') };
        continue;
      }
      const pick = (i: number | null, fallback: string) => (i === null || fields[i] === undefined || fields[i]!.trim() === '' ? fallback : fields[i]!.trim());
      row = checkRow(line, echo, fields[columns.term] ?? '', pick(columns.action, defaults.action).toLowerCase(), pick(columns.locale, defaults.locale));
    } else {
      row = checkRow(line, echo, text, defaults.action, defaults.locale);
    }
    if ('reason' in row) {
      out.rejected.push(row);
      continue;
    }
    const key = `${row.locale}\u0000${row.normalized}`;
    if (seen.has(key)) {
      out.rejected.push({ line, text: echo, reason: 'duplicate_in_file' });
      continue;
    }
    seen.add(key);
    out.terms.push(row);
  }
  return out;
}

/** Reads a default list ("block <term>" or "flag <term>" per line, # comments) of one locale. */
export function readDefaultList(content: string, locale: string): ParsedFile {
  const out: ParsedFile = { terms: [], rejected: [] };
  content.split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) {
      return;
    }
    const m = /^(\S+)\s+(.+)$/.exec(text);
    const row = m ? checkRow(index + 1, text, m[2]!, m[1]!, locale) : ({ line: index + 1, text, reason: 'malformed' } as const);
    if ('reason' in row) {
      out.rejected.push(row);
    } else {
      out.terms.push(row);
    }
  });
  return out;
}
