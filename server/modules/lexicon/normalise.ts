// How the lexicon reads text: the same normaliser for terms and messages, so that a term matches
// a message however the message disguises it (case, accents, look-alike letters, full-width forms,
// leetspeak, letters split by spaces or punctuation). Pure and synchronous; the scan reuses one
// buffer, so nothing here allocates per character.

/** What a text becomes: its words, normalised, with where each came from in the original. */
export type Tokens = {
  /** The normalised symbols (UTF-16 code units) of every word, back to back, separators dropped. */
  symbols: Uint16Array;
  count: number;
  /** Word `i` is symbols[starts[i], ends[i]), from original[origStarts[i], origEnds[i]). */
  starts: Int32Array;
  ends: Int32Array;
  origStarts: Int32Array;
  origEnds: Int32Array;
};

/**
 * The digit one stays itself in normalised text: in leetspeak it stands for "i" or "l", so the
 * matcher tries both (a term reads "1" as "i").
 */
export const ONE = 0x31;
const I = 0x69;

// Separator runs up to this long between single letters join them into a word ("g . r . a").
const MAX_SPLIT_GAP = 3;

const SEP = -1;
const SKIP = -2;

// Leetspeak, as agents type it to slip past filters: 4→a 3→e 0→o 5→s 7→t @→a $→s (1 is ONE).
const LEET: Record<string, string> = { '4': 'a', '3': 'e', '0': 'o', '5': 's', '7': 't', '@': 'a', $: 's' };

/**
 * Look-alike letters of other scripts (Unicode's confusables for the Latin alphabet, the common
 * ones), after lower-casing: Cyrillic and Greek letters that render as Latin ones.
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y', ь: 'b',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w', μ: 'u', ς: 's', σ: 'o',
  // Latin letters NFKD leaves whole, and the ligatures French writes
  ß: 'ss', œ: 'oe', æ: 'ae', ø: 'o', đ: 'd', ł: 'l', ı: 'i', ħ: 'h', þ: 'th', ð: 'd',
};

const WORD_CHAR = /[\p{L}\p{N}]/u;
const INVISIBLE = /^[\p{Cf}\p{M}]$/u;

/** One character's normalised form: its symbols, SEP (it separates words) or SKIP (it is invisible). */
function mapCharacter(ch: string): number[] | typeof SEP | typeof SKIP {
  if (INVISIBLE.test(ch)) {
    // Zero-width spaces, soft hyphens, a combining accent typed on its own: not a separator.
    return SKIP;
  }
  const folded = ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const out: number[] = [];
  for (const c of folded) {
    const mapped = LEET[c] ?? CONFUSABLES[c] ?? c;
    for (const m of mapped) {
      if (WORD_CHAR.test(m)) {
        for (let k = 0; k < m.length; k += 1) {
          out.push(m.charCodeAt(k));
        }
      }
    }
  }
  return out.length > 0 ? out : SEP;
}

// ASCII: one table lookup per character (the common case). Values: a symbol, SEP or SKIP.
const ASCII = new Int32Array(128);
for (let c = 0; c < 128; c += 1) {
  const m = mapCharacter(String.fromCharCode(c));
  ASCII[c] = typeof m === 'number' ? m : m[0]!;
}

// Everything else, computed once per character seen and kept (the set of characters is small).
const OTHER = new Map<number, number[] | number>();
const OTHER_MAX = 65_536;

function mapCodePoint(cp: number): number[] | number {
  let m = OTHER.get(cp);
  if (m === undefined) {
    m = mapCharacter(String.fromCodePoint(cp));
    if (OTHER.size < OTHER_MAX) {
      OTHER.set(cp, m);
    }
  }
  return m;
}

/** A reusable token buffer, grown as needed. */
function emptyTokens(words: number, symbols: number): Tokens {
  return {
    symbols: new Uint16Array(symbols), count: 0,
    starts: new Int32Array(words), ends: new Int32Array(words), origStarts: new Int32Array(words), origEnds: new Int32Array(words),
  };
}

function grow(t: Tokens, words: number, symbols: number): Tokens {
  if (words > t.starts.length) {
    // Word arrays are sized before a text is read: nothing in them is kept.
    t.starts = new Int32Array(words);
    t.ends = new Int32Array(words);
    t.origStarts = new Int32Array(words);
    t.origEnds = new Int32Array(words);
  }
  if (symbols > t.symbols.length) {
    const bigger = new Uint16Array(symbols);
    bigger.set(t.symbols);
    t.symbols = bigger;
  }
  return t;
}

let shared = emptyTokens(256, 4096);

/** Whether text[a, a+length) and text[b, b+length) are the same characters. */
function sameSpan(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k += 1) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) {
      return false;
    }
  }
  return true;
}

/**
 * Splits `text` into normalised words. Runs of single letters split by one and the same short
 * separator ("g.r.a.t.u.i.t", "g r a t u i t", "g - r - a") become one word; a different
 * separator ends the run, so "f.r.e.e m.o.n.e.y" is two words. Other words stay apart. The result
 * is a shared buffer, valid until the next call (the scan is synchronous): copy what must outlive it.
 */
export function tokenize(text: string): Tokens {
  const n = text.length;
  // Words need a separator between them: at most (n + 1) / 2. Symbols grow when NFKD expands.
  const t = grow(shared, (n >> 1) + 2, n * 2 + 16);
  shared = t;
  const { starts, ends, origStarts, origEnds } = t;
  let symbols = t.symbols;
  let sym = 0;
  let count = 0;
  let wordStart = -1; // symbol index of the current word, -1 between words
  let origStart = 0;
  let origEnd = 0;
  let letters = 0; // characters (not symbols) of the current word
  let gapStart = 0; // where the separators before the current word began, and how many
  let gapChars = 0;
  let runOpen = false; // the last word is one letter, or a run of them, that may grow
  let runSepStart = -1; // the separator its letters are split by (-1: not known yet)
  let runSepLength = 0;
  for (let i = 0; i <= n; ) {
    let m: number | number[] = SEP;
    let width = 1;
    if (i < n) {
      const unit = text.charCodeAt(i);
      if (unit < 128) {
        m = ASCII[unit]!;
      } else {
        let cp = unit;
        if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
          const low = text.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            cp = ((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
            width = 2;
          }
        }
        m = mapCodePoint(cp);
      }
    }
    if (m === SEP) {
      if (wordStart >= 0) {
        const gapLength = origStart - gapStart;
        const joins = letters === 1 && runOpen && gapChars <= MAX_SPLIT_GAP &&
          (runSepStart < 0 || (gapLength === runSepLength && sameSpan(text, runSepStart, gapStart, gapLength)));
        if (joins) {
          // The run's symbols are contiguous with this letter's: extend the previous word.
          if (runSepStart < 0) {
            runSepStart = gapStart;
            runSepLength = gapLength;
          }
          ends[count - 1] = sym;
          origEnds[count - 1] = origEnd;
        } else {
          starts[count] = wordStart;
          ends[count] = sym;
          origStarts[count] = origStart;
          origEnds[count] = origEnd;
          count += 1;
          runOpen = letters === 1;
          runSepStart = -1;
        }
        wordStart = -1;
        letters = 0;
        gapChars = 0;
        gapStart = i;
      }
      gapChars += 1;
    } else if (m !== SKIP) {
      if (wordStart < 0) {
        wordStart = sym;
        origStart = i;
      }
      if (typeof m === 'number') {
        if (sym >= symbols.length) {
          symbols = grow(t, 0, symbols.length * 2).symbols;
        }
        symbols[sym++] = m;
      } else {
        if (sym + m.length > symbols.length) {
          symbols = grow(t, 0, (sym + m.length) * 2).symbols;
        }
        for (const s of m) {
          symbols[sym++] = s;
        }
      }
      letters += 1;
      origEnd = i + width;
    }
    i += width;
  }
  t.count = count;
  return t;
}

/** The normalised words of a text, as strings (terms, the "test a message" box, tests). */
export function normalisedWords(text: string): Array<{ word: string; start: number; end: number }> {
  const t = tokenize(text);
  const words: Array<{ word: string; start: number; end: number }> = [];
  for (let w = 0; w < t.count; w += 1) {
    words.push({ word: String.fromCharCode(...t.symbols.subarray(t.starts[w], t.ends[w])), start: t.origStarts[w]!, end: t.origEnds[w]! });
  }
  return words;
}

/** A term's words as the matcher stores them: normalised, with "1" read as "i". */
export function termWords(term: string): string[] {
  return normalisedWords(term).map((w) => w.word.replaceAll(String.fromCharCode(ONE), String.fromCharCode(I)));
}

/** The normalised form of a term: its words joined by one space (unique per locale). */
export function normaliseTerm(term: string): string {
  return termWords(term).join(' ');
}
