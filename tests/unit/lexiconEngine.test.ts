// The lexicon matcher: what it catches however the text is disguised (evasion), what it must not
// catch (a term inside a longer word), and, on random texts and terms, the same hits as a naive
// word-by-word reference matcher.
import { expect } from 'chai';
import fc from 'fast-check';
import { CompiledLexicon, verdictOf, type EngineTerm, type LexiconMatch } from '../../server/modules/lexicon/engine';
import { normalisedWords, normaliseTerm, termWords } from '../../server/modules/lexicon/normalise';

const term = (id: string, text: string, action: EngineTerm['action'] = 'block', locale = 'fr'): EngineTerm => ({ id, term: text, action, locale });
const LEXICON = new CompiledLexicon([
  term('gratuit', 'gratuit'),
  term('returns', 'guaranteed returns', 'flag', 'en'),
  term('insider', 'insider tip', 'block', 'en'),
  term('illegal', 'illegal', 'flag', 'en'),
  term('free', 'free', 'flag', 'en'),
]);
const hits = (text: string) => LEXICON.scan(text).map((m) => m.termId);
const spans = (text: string) => LEXICON.scan(text).map((m) => text.slice(m.start, m.end));

describe('the lexicon engine', () => {
  describe('evasion: a disguised term still matches', () => {
    const cases: Array<[string, string]> = [
      ['case', "C'est GRATUIT !"],
      ['mixed case', 'c’est GraTuiT'],
      ['accents (precomposed)', 'c’est grâtüit'],
      ['accents (combining marks)', 'c’est gra\u0302tuit'],
      ['Cyrillic а for Latin a', 'c’est gr\u0430tuit'],
      ['Cyrillic і and Greek ο', 'gratu\u0456t'],
      ['full-width forms', 'ｃ’ｅｓｔ ＧＲＡＴＵＩＴ'],
      ['mathematical bold letters', '𝐠𝐫𝐚𝐭𝐮𝐢𝐭'],
      ['leetspeak 4', 'c’est gr4tuit'],
      ['leetspeak 1 for i', 'gratu1t'],
      ['letters split by dots', 'c’est g.r.a.t.u.i.t'],
      ['letters split by spaces', 'c’est g r a t u i t'],
      ['letters split by spaced dashes', 'g - r - a - t - u - i - t'],
      ['letters split by underscores', 'g_r_a_t_u_i_t !'],
      ['a zero-width space inside the word', 'gra\u200btuit'],
      ['a soft hyphen inside the word', 'gra\u00adtuit'],
      ['everything at once', 'G.R.4.T.U.1.Т'],
    ];
    for (const [name, text] of cases) {
      it(name, () => {
        expect(hits(text), text).to.deep.equal(['gratuit']);
      });
    }

    it('reads 1 as i or l in the same word (1ll3g4l)', () => {
      expect(hits('totally 1ll3g4l')).to.deep.equal(['illegal']);
      expect(hits('totally i11egal')).to.deep.equal(['illegal']);
    });

    it('matches phrases across any run of spaces or punctuation, and phrases spelled out letter by letter', () => {
      expect(hits('Guaranteed   returns!')).to.deep.equal(['returns']);
      expect(hits('guaranteed-returns')).to.deep.equal(['returns']);
      expect(hits('guaranteed\nreturns')).to.deep.equal(['returns']);
      expect(hits('I have an 1ns1der t1p')).to.deep.equal(['insider']);
      expect(hits('i.n.s.i.d.e.r t.i.p')).to.deep.equal(['insider']);
    });

    it('gives the span of the original text that matched', () => {
      expect(spans('Ceci est g.r.a.t.u.i.t, vraiment')).to.deep.equal(['g.r.a.t.u.i.t']);
      expect(spans('a 𝐠𝐫𝐚𝐭𝐮𝐢𝐭 offer')).to.deep.equal(['𝐠𝐫𝐚𝐭𝐮𝐢𝐭']);
    });

    it('reads a term written in leetspeak or with accents like the text', () => {
      const lexicon = new CompiledLexicon([term('t', 'Fr33 M0ney'), term('u', 'Crédit Gratuit')]);
      expect(lexicon.scan('free money').map((m) => m.termId)).to.deep.equal(['t']);
      expect(lexicon.scan('CREDIT gratuit').map((m) => m.termId)).to.deep.equal(['u']);
    });
  });

  describe('false positives: a term inside a longer word does not match', () => {
    const clean = [
      'gratuitement',
      "C'est offert gratuitement.",
      'ingratitude',
      "Quelle ingratitude de sa part",
      'regratuit',
      'gratuits', // another word, as far as whole-word matching goes
      'carefree and freedom', // "free" inside words
      'freelance work',
      'illegally parked', // "illegal" inside "illegally"
      'guaranteed returnsless',
      'the insider tipped us', // the phrase's last word inside a longer one
      'g r a t u i t e m e n t', // spelled out, the word is still "gratuitement"
      'grat uit', // a split that does not spell the word out letter by letter
      'f r e e m o n e y', // one split word: "freemoney"
    ];
    for (const text of clean) {
      it(JSON.stringify(text), () => {
        expect(hits(text)).to.deep.equal([]);
      });
    }

    it('keeps words that merely share letters with a spelled-out run apart', () => {
      // "a" and "b" split by a space join ("ab"); "gratuit" next to them stays a word of its own.
      expect(hits('a b gratuit')).to.deep.equal(['gratuit']);
      expect(normalisedWords('f.r.e.e m.o.n.e.y').map((w) => w.word)).to.deep.equal(['free', 'money']);
    });
  });

  describe('terms and verdicts', () => {
    it('normalises a term to its words, "1" read as i', () => {
      expect(normaliseTerm('  Guaranteed   RETURNS! ')).to.equal('guaranteed returns');
      expect(normaliseTerm('Crédit gratuit')).to.equal('credit gratuit');
      expect(termWords('b1tcoin')).to.deep.equal(['bitcoin']);
      expect(normaliseTerm('!!!')).to.equal('');
    });

    it('leaves out terms without letters or digits, and says which', () => {
      const lexicon = new CompiledLexicon([term('a', '...'), term('b', 'ok')]);
      expect(lexicon.size).to.equal(1);
      expect(lexicon.skipped.map((t) => t.id)).to.deep.equal(['a']);
    });

    it('blocks when any matching term blocks, flags when all flag', () => {
      expect(verdictOf(LEXICON.scan('free, gratuit'))).to.equal('block');
      expect(verdictOf(LEXICON.scan('free stuff'))).to.equal('flag');
      expect(verdictOf(LEXICON.scan('nothing here'))).to.equal(null);
    });

    it('reports every term of a shared phrase prefix and overlapping phrases', () => {
      const lexicon = new CompiledLexicon([term('a', 'free'), term('b', 'free money'), term('c', 'money')]);
      expect(lexicon.scan('Free money!').map((m) => m.termId).sort()).to.deep.equal(['a', 'b', 'c']);
    });

    it('answers nothing with an empty lexicon', () => {
      expect(new CompiledLexicon([]).scan('gratuit')).to.deep.equal([]);
    });

    it('scans long texts with many words', () => {
      const text = `${'bonjour '.repeat(5000)}gratuit`;
      expect(hits(text)).to.deep.equal(['gratuit']);
    });
  });

  describe('against a naive reference matcher (property)', () => {
    /** Word-by-word: the text's word at each position equals the term's, "1" standing for i or l. */
    function reference(terms: EngineTerm[], text: string): string[] {
      const words = normalisedWords(text);
      const sameWord = (w: string, t: string) =>
        w.length === t.length && [...w].every((c, k) => c === t[k] || (c === '1' && (t[k] === 'i' || t[k] === 'l')));
      const out: string[] = [];
      for (const t of terms) {
        const tw = termWords(t.term);
        if (tw.length === 0) {
          continue;
        }
        for (let i = 0; i + tw.length <= words.length; i += 1) {
          if (tw.every((w, k) => sameWord(words[i + k]!.word, w))) {
            out.push(`${t.id}@${words[i]!.start}-${words[i + tw.length - 1]!.end}`);
          }
        }
      }
      return out.sort();
    }
    const key = (m: LexiconMatch) => `${m.termId}@${m.start}-${m.end}`;

    // A small alphabet so that terms and texts collide often, with the characters that matter.
    const char = fc.constantFrom('a', 'b', 'i', 'l', '1', 'A', 'á', '4', ' ', ' ', '.', '-', 'а', 'Ｂ');
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'i', 'l', '1'), minLength: 1, maxLength: 4 });
    const termText = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));

    it('finds exactly the reference hits on random terms and texts', () => {
      fc.assert(
        fc.property(fc.array(termText, { minLength: 1, maxLength: 12 }), fc.string({ unit: char, maxLength: 40 }), (texts, text) => {
          const terms = texts.map((t, i) => term(String(i), t));
          const got = new CompiledLexicon(terms).scan(text).map(key).sort();
          expect(got).to.deep.equal(reference(terms, text));
        }),
        { numRuns: 500 },
      );
    });

    // Words of two letters or more: one-letter words next to each other are, by design, read as a
    // word spelled out letter by letter ("a b" is "ab").
    const longWord = fc.string({ unit: fc.constantFrom('a', 'b', 'i', 'l', '1'), minLength: 2, maxLength: 5 });

    it('finds a term planted in a random text, whatever its case and split into letters', () => {
      fc.assert(
        fc.property(fc.array(longWord, { minLength: 1, maxLength: 3 }), longWord, longWord, (words, before, after) => {
          const text = words.join(' ');
          const lexicon = new CompiledLexicon([term('t', text)]);
          const spelled = words.map((w) => [...w].join('.')).join(' ');
          for (const variant of [text.toUpperCase(), spelled]) {
            const message = `${before}, ${variant} ; ${after}`;
            expect(lexicon.scan(message).map((m) => m.termId), message).to.include('t');
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
