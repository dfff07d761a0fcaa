// Highlights as plain text with ranges: the panel draws the marks itself, so nothing in a message
// can become markup. The database says which of a message's tokens stand for which lexemes
// (ts_debug, with the search configuration, for the page's rows only); a token is marked when one
// of its lexemes is a word the query looks for. ts_headline is not used: it drops anything that
// looks like an HTML tag from its excerpt, so it would misquote a message. Pure, unit-tested.

export type Fragment = { text: string; marks: Array<{ start: number; end: number }> };
/** One token of the text as ts_debug gives it, in order: its text and its lexemes (null for spaces, punctuation, tags). */
export type Token = [string, string[] | null];

/** Characters of context kept on each side of a mark (the panel shows the whole text beside it). */
const CONTEXT = 60;

/** The words a tsquery (as text, e.g. `'cafe' & !'lait' | 'the' <-> 'end'`) looks for: its lexemes not negated. */
export function wantedLexemes(tsquery: string): Set<string> {
  const wanted = new Set<string>();
  for (const m of tsquery.matchAll(/(!\s*)?'((?:[^']|'')*)'/g)) {
    if (!m[1]) {
      wanted.add(m[2]!.replace(/''/g, "'"));
    }
  }
  return wanted;
}

/** The [start, end) ranges (UTF-16 code units) of the tokens of `text` whose lexemes are wanted. */
export function markedRanges(text: string, tokens: Token[], wanted: Set<string>): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  let at = 0;
  for (const [token, lexemes] of tokens) {
    const start = text.indexOf(token, at);
    if (start < 0) {
      continue;
    }
    at = start + token.length;
    // ts_debug reports the first dictionary's output: unaccent's, not yet lower-cased by simple.
    if (lexemes?.some((l) => wanted.has(l.toLowerCase()))) {
      ranges.push({ start, end: at });
    }
  }
  return ranges;
}

/** Excerpts around the marked ranges (overlapping windows merged), each with its marks relative to it. */
export function fragmentsOf(text: string | null, ranges: Array<{ start: number; end: number }>): Fragment[] {
  if (!text || ranges.length === 0) {
    return [];
  }
  const windows: Array<{ start: number; end: number; marks: Array<{ start: number; end: number }> }> = [];
  for (const r of ranges) {
    const start = Math.max(0, r.start - CONTEXT);
    const end = Math.min(text.length, r.end + CONTEXT);
    const last = windows[windows.length - 1];
    if (last && start <= last.end) {
      last.end = Math.max(last.end, end);
      last.marks.push(r);
    } else {
      windows.push({ start, end, marks: [r] });
    }
  }
  return windows.map((w) => ({
    text: text.slice(w.start, w.end),
    marks: w.marks.map((m) => ({ start: m.start - w.start, end: m.end - w.start })),
  }));
}

/** The highlights of one message: excerpts with marks, or none when nothing is marked. */
export function highlightsOf(text: string | null, tokens: Token[] | null, wanted: Set<string>): Fragment[] {
  if (!text || !tokens || wanted.size === 0) {
    return [];
  }
  return fragmentsOf(text, markedRanges(text, tokens, wanted));
}
