// Highlights of e-discovery results: ranges over the message's own text, from ts_debug's tokens.
import { expect } from 'chai';
import fc from 'fast-check';
import { fragmentsOf, highlightsOf, markedRanges, wantedLexemes, type Token } from '../../server/modules/discovery/highlights';

describe('e-discovery highlights', () => {
  it('reads the wanted words of a tsquery, leaving out the excluded ones', () => {
    expect([...wantedLexemes("'cafe' & !'lait' | 'the' <-> 'end'")]).to.have.members(['cafe', 'the', 'end']);
    expect([...wantedLexemes("'l''ete'")]).to.deep.equal(["l'ete"]);
  });

  it("marks the tokens whose lexemes are wanted, whatever their case or accents were", () => {
    const text = 'Le <b>Café</b> et le cafe';
    const tokens: Token[] = [['Le', ['le']], [' ', null], ['<b>', null], ['Café', ['Cafe']], ['</b>', null], [' ', null], ['et', ['et']], [' ', null], ['le', ['le']], [' ', null], ['cafe', ['cafe']]];
    const ranges = markedRanges(text, tokens, new Set(['cafe']));
    expect(ranges.map((r) => text.slice(r.start, r.end))).to.deep.equal(['Café', 'cafe']);
    expect(highlightsOf(text, tokens, new Set(['cafe']))).to.deep.equal([{ text, marks: ranges }]);
  });

  it('keeps every mark inside its fragment and on the marked text, for any text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 90 }), fc.nat(10)), { minLength: 1, maxLength: 8 }), (parts) => {
        let text = '';
        const ranges: Array<{ start: number; end: number }> = [];
        for (const [filler, len] of parts) {
          text += filler;
          const word = 'x'.repeat(len + 1);
          ranges.push({ start: text.length, end: text.length + word.length });
          text += `${word} `;
        }
        const fragments = fragmentsOf(text, ranges);
        const marked = fragments.flatMap((f) => f.marks.map((m) => f.text.slice(m.start, m.end)));
        expect(marked).to.deep.equal(ranges.map((r) => text.slice(r.start, r.end)));
        for (const f of fragments) {
          expect(text).to.contain(f.text);
        }
      }),
    );
  });
});
