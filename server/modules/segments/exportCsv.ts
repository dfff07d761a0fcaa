import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Services } from '../../services';
import { attributeKeys, labelNames, segmentContactsAfter } from './repo';
import type { SegmentFilter } from './schema';

// A cell a spreadsheet would run as a formula is written with a leading quote (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const cell = (value: string | null | undefined) => (value && FORMULA_START.test(value) ? `'${value}` : value ?? '');
// Contacts per query: pages keep memory flat for any segment size.
const PAGE = 2000;

/**
 * A segment's contacts as CSV, streamed row by row from the database (constant memory):
 * phone (E.164, only when `withPhone`), name, country, language, labels (names, ";"-separated),
 * opt-in state, last inbound time, then one column per attribute definition. The columns are
 * those the importer reads, so an export imports back.
 */
export async function segmentCsv(s: Services, filter: SegmentFilter, withPhone: boolean): Promise<Readable> {
  const [keys, labels] = await Promise.all([attributeKeys(s.db), labelNames(s.db)]);
  const header = [...(withPhone ? ['phone'] : []), 'name', 'country', 'language', 'labels', 'opt_state', 'last_inbound_at', ...keys.map((k) => `attribute:${k}`)];
  const now = s.clock();
  async function* records() {
    let after: string | null = null;
    for (;;) {
      const page = await segmentContactsAfter(s.db, filter, now, after, PAGE);
      for (const row of page) {
        yield [
          ...(withPhone ? [`+${row.wa_id}`] : []),
          cell(row.profile_name), row.country ?? '', row.language ?? '',
          row.label_ids.map((id) => labels.get(id) ?? id).map((n) => cell(n)).join(';'),
          row.opt_state, row.last_inbound_at ? new Date(row.last_inbound_at).toISOString() : '',
          ...keys.map((k) => (row.attributes[k] === undefined || row.attributes[k] === null ? '' : cell(String(row.attributes[k])))),
        ];
      }
      if (page.length < PAGE) {
        return;
      }
      after = page[page.length - 1]!.id;
    }
  }
  return Readable.from(records()).pipe(stringify({ header: true, columns: header }));
}
