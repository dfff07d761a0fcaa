// Keyword matching for auto-reply rules: every rule compiled into one matcher, so a message is
// read once whatever the number of rules (an Aho-Corasick automaton over the normalised text for
// `contains` and `word`, a map for `exact`, and the few regular expressions run on bounded text).
// Pure and synchronous.

export type MatchMode = 'contains' | 'word' | 'exact' | 'regex';

/** What the matcher needs of a rule. */
export type MatchableRule = { id: string; priority: number; mode: MatchMode; keywords: string[] };

// Regular expressions read at most this much of a message (normalised), so that a costly
// pattern that slipped past the save-time check still ends quickly.
export const REGEX_INPUT_MAX = 1000;

// Scripts written without spaces between words: a keyword in them is a word wherever it occurs.
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// Letters that lower-casing and NFKD leave apart from their plain form; the Arabic tatweel
// (a stretching stroke) is dropped.
const FOLD: Record<string, string> = { ı: 'i', ß: 'ss', ſ: 's', œ: 'oe', æ: 'ae', ø: 'o', đ: 'd', ł: 'l', 'ـ': '' };

/** One character's normalised form: letters and digits, '' (a mark: dropped) or ' ' (a separator). */
function mapCharacter(ch: string): string {
  if (/^\p{M}$/u.test(ch)) {
    return '';
  }
  const folded = [...ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()].map((c) => FOLD[c] ?? c).join('');
  if (folded === '') {
    return '';
  }
  return /^[\p{L}\p{N}]+$/u.test(folded) ? folded : ' ';
}

// ASCII: one table lookup per character (the common case); other characters are mapped once and kept.
const ASCII: string[] = Array.from({ length: 128 }, (_, c) => mapCharacter(String.fromCharCode(c)));
const OTHER = new Map<number, string>();
// Characters seen are few, but a flood of random ones must not grow the cache without bound.
const OTHER_MAX = 100_000;

/**
 * A text as rules compare it: compatibility forms unfolded (full-width, ligatures), accents and
 * other combining marks removed (Arabic vowel marks too), case folded without a locale (the
 * Turkish İ and ı both read as i), and every run of other characters than letters and digits
 * made one space. Character by character, so a message costs a table lookup per character.
 */
export function normaliseForMatch(text: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    let mapped: string;
    if (code < 128) {
      mapped = ASCII[code]!;
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) {
        i += 1;
      }
      let known = OTHER.get(cp);
      if (known === undefined) {
        known = mapCharacter(String.fromCodePoint(cp));
        if (OTHER.size >= OTHER_MAX) {
          OTHER.clear();
        }
        OTHER.set(cp, known);
      }
      mapped = known;
    }
    if (mapped === ' ') {
      space = out.length > 0;
    } else if (mapped !== '') {
      out += space ? ` ${mapped}` : mapped;
      space = false;
    }
  }
  return out;
}

/**
 * A rule's regular expression, compared with normalised text and ignoring case as the other modes
 * do. Unicode mode only when the pattern needs it (characters beyond printable ASCII, \p{…}, \u{…}): with
 * case folding it costs ten times as much per message, and normalised text is plain letters.
 */
export function compileRegex(pattern: string): RegExp {
  const unicode = /[^ -~]|\\[pPu]\{/.test(pattern);
  return new RegExp(pattern, unicode ? 'iu' : 'i');
}

/** One compiled keyword: the rule it belongs to and how it must sit in the text. */
type Entry = { rule: number; length: number; word: boolean; openStart: boolean; openEnd: boolean };

/** All rules of a version, compiled once; `match` answers the matching rules, highest priority first. */
export class CompiledRules<R extends MatchableRule> {
  // The automaton, one slot per state in parallel arrays (most states have one child and no
  // output, so a Map or an array each would be garbage): the first child inline, others in a Map.
  private readonly firstChar: number[] = [-1];
  private readonly firstNext: number[] = [0];
  private readonly moreNext: Array<Map<number, number> | undefined> = [undefined];
  private readonly fail: number[] = [0];
  private readonly out: Array<number[] | undefined> = [undefined];
  private readonly entries: Entry[] = [];
  private readonly exact = new Map<string, number[]>();
  private readonly regexes: Array<{ rule: number; re: RegExp }> = [];

  /** Keywords that could not be compiled (a regular expression this engine refuses), by rule id: skipped, not fatal. */
  readonly skipped: string[] = [];

  constructor(readonly rules: readonly R[]) {
    rules.forEach((rule, index) => {
      for (const keyword of rule.keywords) {
        try {
          this.add(index, rule.mode, keyword);
        } catch {
          // Checked at save time; one that still fails (another engine version) must not stop every rule.
          this.skipped.push(rule.id);
        }
      }
    });
    this.link();
  }

  /** The rules the text matches, by priority (highest first), then by their order. */
  match(text: string): R[] {
    const normalised = normaliseForMatch(text);
    const hit = new Set<number>();
    for (const r of this.exact.get(normalised) ?? []) {
      hit.add(r);
    }
    let state = 0;
    for (let i = 0; i < normalised.length; i += 1) {
      const c = normalised.charCodeAt(i);
      let next = this.child(state, c);
      while (next < 0 && state !== 0) {
        state = this.fail[state]!;
        next = this.child(state, c);
      }
      state = next < 0 ? 0 : next;
      for (const e of this.out[state] ?? []) {
        const entry = this.entries[e]!;
        if (!hit.has(entry.rule) && (!entry.word || this.isWord(normalised, i + 1 - entry.length, i + 1, entry))) {
          hit.add(entry.rule);
        }
      }
    }
    if (this.regexes.length > 0) {
      const bounded = normalised.slice(0, REGEX_INPUT_MAX);
      for (const { rule, re } of this.regexes) {
        if (!hit.has(rule) && re.test(bounded)) {
          hit.add(rule);
        }
      }
    }
    return [...hit].sort((a, b) => this.rules[b]!.priority - this.rules[a]!.priority || a - b).map((i) => this.rules[i]!);
  }

  private isWord(text: string, start: number, end: number, entry: Entry): boolean {
    const before = start === 0 || text.charCodeAt(start - 1) === 0x20 || entry.openStart;
    const after = end === text.length || text.charCodeAt(end) === 0x20 || entry.openEnd;
    return before && after;
  }

  private add(rule: number, mode: MatchMode, keyword: string): void {
    if (mode === 'regex') {
      this.regexes.push({ rule, re: compileRegex(keyword) });
      return;
    }
    const normalised = normaliseForMatch(keyword);
    if (normalised === '') {
      return;
    }
    if (mode === 'exact') {
      this.exact.set(normalised, [...(this.exact.get(normalised) ?? []), rule]);
      return;
    }
    let state = 0;
    for (let i = 0; i < normalised.length; i += 1) {
      const c = normalised.charCodeAt(i);
      let next = this.child(state, c);
      if (next < 0) {
        next = this.fail.length;
        this.firstChar.push(-1);
        this.firstNext.push(0);
        this.moreNext.push(undefined);
        this.fail.push(0);
        this.out.push(undefined);
        if (this.firstChar[state] === -1) {
          this.firstChar[state] = c;
          this.firstNext[state] = next;
        } else {
          let more = this.moreNext[state];
          if (!more) {
            more = new Map();
            this.moreNext[state] = more;
          }
          more.set(c, next);
        }
      }
      state = next;
    }
    (this.out[state] ??= []).push(this.entries.length);
    const chars = [...normalised];
    this.entries.push({
      rule, length: normalised.length, word: mode === 'word',
      openStart: NO_SPACE_SCRIPT.test(chars[0]!), openEnd: NO_SPACE_SCRIPT.test(chars[chars.length - 1]!),
    });
  }

  /** The state reached from `state` on character `c`, or -1. */
  private child(state: number, c: number): number {
    if (this.firstChar[state] === c) {
      return this.firstNext[state]!;
    }
    return this.moreNext[state]?.get(c) ?? -1;
  }

  /** The children of a state, as [character, state] pairs. */
  private children(state: number): Array<[number, number]> {
    const first = this.firstChar[state]!;
    const list: Array<[number, number]> = first === -1 ? [] : [[first, this.firstNext[state]!]];
    for (const pair of this.moreNext[state] ?? []) {
      list.push(pair);
    }
    return list;
  }

  /** Failure links, breadth first; each state's outputs include those of its failure chain. */
  private link(): void {
    const queue = this.children(0).map(([, child]) => child);
    for (let head = 0; head < queue.length; head += 1) {
      const node = queue[head]!;
      for (const [c, child] of this.children(node)) {
        let f = this.fail[node]!;
        let target = this.child(f, c);
        while (target < 0 && f !== 0) {
          f = this.fail[f]!;
          target = this.child(f, c);
        }
        const fail = target >= 0 && target !== child ? target : 0;
        this.fail[child] = fail;
        const inherited = this.out[fail];
        if (inherited) {
          this.out[child] = [...(this.out[child] ?? []), ...inherited];
        }
        queue.push(child);
      }
    }
  }
}
