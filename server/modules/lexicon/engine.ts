// The lexicon matcher: every term compiled once into a dictionary of normalised words (an
// open-addressing hash table over UTF-16 symbols) and a trie of phrases over word ids. A message
// is tokenised once (normalise.ts); each of its words costs one hash probe, and only a word that
// starts some term walks the trie. Matches therefore begin and end on whole words by
// construction: "gratuit" never matches inside "gratuitement" or "ingratitude".
import { ONE, termWords, tokenize, type Tokens } from './normalise';

export type LexiconAction = 'block' | 'flag';

/** A term as the engine needs it. */
export type EngineTerm = { id: string; term: string; action: LexiconAction; locale: string };

/** One hit: which term, and where in the original text (UTF-16 offsets, end exclusive). */
export type LexiconMatch = { termId: string; term: string; action: LexiconAction; locale: string; start: number; end: number };

// A word with more "1"s than this tries only the first ones as i/l (the rest read as i):
// 2^6 lookups at most, whatever a message holds.
const MAX_ONE_VARIANTS = 6;
const L = 0x6c;
const I = 0x69;

/** FNV-1a over a range of symbols. */
function hashRange(symbols: Uint16Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < to; k += 1) {
    h = Math.imul(h ^ symbols[k]!, 0x01000193);
  }
  return h >>> 0;
}

/** The distinct words of all terms, looked up by their symbols without building strings. */
class WordDictionary {
  private readonly pool: Uint16Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly hashes: Uint32Array;
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(words: string[]) {
    const total = words.reduce((n, w) => n + w.length, 0);
    this.pool = new Uint16Array(total);
    this.offsets = new Int32Array(words.length);
    this.lengths = new Int32Array(words.length);
    this.hashes = new Uint32Array(words.length);
    let size = 16;
    while (size < words.length * 2) {
      size <<= 1;
    }
    this.table = new Int32Array(size);
    this.mask = size - 1;
    let at = 0;
    words.forEach((w, id) => {
      this.offsets[id] = at;
      this.lengths[id] = w.length;
      for (let k = 0; k < w.length; k += 1) {
        this.pool[at + k] = w.charCodeAt(k);
      }
      this.hashes[id] = hashRange(this.pool, at, at + w.length);
      at += w.length;
      let slot = this.hashes[id]! & this.mask;
      while (this.table[slot] !== 0) {
        slot = (slot + 1) & this.mask;
      }
      this.table[slot] = id + 1;
    });
  }

  /** The id of the word symbols[from, to), or -1. */
  find(symbols: Uint16Array, from: number, to: number): number {
    return this.findHashed(symbols, from, to, hashRange(symbols, from, to));
  }

  /** The same, given the range's hash (the scan computes it on its way). */
  findHashed(symbols: Uint16Array, from: number, to: number, h: number): number {
    const length = to - from;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot]!;
      if (entry === 0) {
        return -1;
      }
      const id = entry - 1;
      if (this.hashes[id] === h && this.lengths[id] === length && this.equal(id, symbols, from)) {
        return id;
      }
    }
  }

  private equal(id: number, symbols: Uint16Array, from: number): boolean {
    const off = this.offsets[id]!;
    for (let k = 0; k < this.lengths[id]!; k += 1) {
      if (this.pool[off + k] !== symbols[from + k]) {
        return false;
      }
    }
    return true;
  }
}

const NONE = -1;
const SEVERAL = -2;

/** A lexicon compiled for scanning. Immutable: a changed lexicon is compiled anew. */
export class CompiledLexicon {
  private readonly dictionary: WordDictionary;
  private readonly wordCount: number;
  /** The trie node after a term's first word, by word id (-1: no term starts with it). */
  private readonly rootChild: Int32Array;
  /** node * wordCount + wordId -> node. */
  private readonly children = new Map<number, number>();
  /** The terms ending at each node. */
  private readonly ending: number[][] = [];
  private readonly terms: EngineTerm[];
  // Scan scratch (one scan at a time: scans are synchronous).
  private ids = new Int32Array(256);
  private readonly several = new Map<number, number[]>();
  private variant = new Uint16Array(64);
  private found: LexiconMatch[] = [];
  private tokens: Tokens | null = null;

  /** Terms whose text has no letters or digits cannot match anything and are left out (see `skipped`). */
  readonly skipped: EngineTerm[] = [];

  constructor(terms: readonly EngineTerm[]) {
    const wordIds = new Map<string, number>();
    const paths: number[][] = [];
    this.terms = [];
    for (const term of terms) {
      const words = termWords(term.term);
      if (words.length === 0) {
        this.skipped.push(term);
        continue;
      }
      this.terms.push(term);
      paths.push(words.map((w) => {
        let id = wordIds.get(w);
        if (id === undefined) {
          id = wordIds.size;
          wordIds.set(w, id);
        }
        return id;
      }));
    }
    this.wordCount = wordIds.size;
    this.dictionary = new WordDictionary([...wordIds.keys()]);
    this.rootChild = new Int32Array(this.wordCount).fill(-1);
    paths.forEach((path, termIndex) => {
      let node = this.rootChild[path[0]!]!;
      if (node < 0) {
        node = this.newNode();
        this.rootChild[path[0]!] = node;
      }
      for (let k = 1; k < path.length; k += 1) {
        const key = node * this.wordCount + path[k]!;
        let next = this.children.get(key);
        if (next === undefined) {
          next = this.newNode();
          this.children.set(key, next);
        }
        node = next;
      }
      this.ending[node]!.push(termIndex);
    });
  }

  /** How many terms can match. */
  get size(): number {
    return this.terms.length;
  }

  private newNode(): number {
    this.ending.push([]);
    return this.ending.length - 1;
  }

  /** Every term in `text`, in order of position. */
  scan(text: string): LexiconMatch[] {
    const t = tokenize(text);
    if (t.count === 0 || this.wordCount === 0) {
      return [];
    }
    if (this.ids.length < t.count) {
      this.ids = new Int32Array(t.count * 2);
    }
    if (this.several.size > 0) {
      // Map.clear() reallocates the table even when empty: a cost per message otherwise.
      this.several.clear();
    }
    let any = false;
    for (let w = 0; w < t.count; w += 1) {
      const id = this.lookupWord(t, w);
      this.ids[w] = id;
      any ||= id !== NONE;
    }
    if (!any) {
      return [];
    }
    this.found = [];
    this.tokens = t;
    for (let w = 0; w < t.count; w += 1) {
      this.walkFrom(w, t.count);
    }
    this.tokens = null;
    return this.found;
  }

  /** Whether `text` holds any term (what the hot paths ask). */
  test(text: string): boolean {
    return this.scan(text).length > 0;
  }

  /** The id of word `w`, NONE, or SEVERAL (a word with "1"s may read as several term words). */
  private lookupWord(t: Tokens, w: number): number {
    const from = t.starts[w]!;
    const to = t.ends[w]!;
    // One pass: the hash (as hashRange computes it) and whether the word holds a "1".
    const symbols = t.symbols;
    let h = 0x811c9dc5;
    let one = -1;
    for (let k = from; k < to; k += 1) {
      const s = symbols[k]!;
      if (s === ONE && one < 0) {
        one = k;
      }
      h = Math.imul(h ^ s, 0x01000193);
    }
    if (one < 0) {
      return this.dictionary.findHashed(symbols, from, to, h >>> 0);
    }
    const ones: number[] = [];
    for (let k = one; k < to && ones.length < MAX_ONE_VARIANTS; k += 1) {
      if (t.symbols[k] === ONE) {
        ones.push(k - from);
      }
    }
    // "1" stands for "i" or "l": try each reading (terms hold no "1": they read it as "i").
    const length = to - from;
    if (this.variant.length < length) {
      this.variant = new Uint16Array(length * 2);
    }
    const v = this.variant;
    for (let k = 0; k < length; k += 1) {
      const s = t.symbols[from + k]!;
      v[k] = s === ONE ? I : s;
    }
    const hits: number[] = [];
    for (let combo = 0; combo < 1 << ones.length; combo += 1) {
      ones.forEach((at, bit) => {
        v[at] = (combo >> bit) & 1 ? L : I;
      });
      const id = this.dictionary.find(v, 0, length);
      if (id !== NONE && !hits.includes(id)) {
        hits.push(id);
      }
    }
    if (hits.length <= 1) {
      return hits[0] ?? NONE;
    }
    this.several.set(w, hits);
    return SEVERAL;
  }

  private walkFrom(w: number, count: number): void {
    const id = this.ids[w]!;
    if (id === NONE) {
      return;
    }
    for (const first of id === SEVERAL ? this.several.get(w)! : [id]) {
      const node = this.rootChild[first]!;
      if (node >= 0) {
        this.visit(node, w, w + 1, count);
      }
    }
  }

  /** At `node`, having read words [start, next): record the terms ending here, then go deeper. */
  private visit(node: number, start: number, next: number, count: number): void {
    const t = this.tokens!;
    for (const termIndex of this.ending[node]!) {
      const term = this.terms[termIndex]!;
      this.found.push({ termId: term.id, term: term.term, action: term.action, locale: term.locale, start: t.origStarts[start]!, end: t.origEnds[next - 1]! });
    }
    if (next >= count) {
      return;
    }
    const id = this.ids[next]!;
    if (id === NONE) {
      return;
    }
    for (const word of id === SEVERAL ? this.several.get(next)! : [id]) {
      const child = this.children.get(node * this.wordCount + word);
      if (child !== undefined) {
        this.visit(child, start, next + 1, count);
      }
    }
  }
}

/** The strongest action among matches: one block blocks the message. */
export function verdictOf(matches: readonly LexiconMatch[]): LexiconAction | null {
  if (matches.length === 0) {
    return null;
  }
  return matches.some((m) => m.action === 'block') ? 'block' : 'flag';
}
