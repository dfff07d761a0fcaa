import { stringify } from 'csv-stringify/sync';
import type { SpendReport } from './schema';

// A cell a spreadsheet would run as a formula is written with a leading quote (CSV injection):
// numbers' names are typed by admins.
const FORMULA_START = /^[=+\-@\t\r]/;
const cell = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** A month's spend as CSV: one line per grouping (number, category, country, broadcast), key and currency. */
export function spendCsv(report: SpendReport): string {
  const groups: Array<[string, SpendReport['byNumber']]> = [
    ['number', report.byNumber], ['category', report.byCategory], ['country', report.byCountry], ['broadcast', report.byBroadcast],
  ];
  const rows = groups.flatMap(([dimension, lines]) =>
    lines.map((l) => [report.month, dimension, l.key, cell(l.label), l.currency ?? '', l.currency ? l.amount.toFixed(6) : '', l.messages, l.unpriced, l.free]),
  );
  return stringify([['month', 'by', 'key', 'label', 'currency', 'amount', 'messages', 'unpriced', 'free'], ...rows]);
}
