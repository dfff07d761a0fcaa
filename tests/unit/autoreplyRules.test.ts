// Auto-reply keyword matching: the four modes, case and accents in several scripts, priorities,
// number scope, the save-time regular-expression check, and (on random rules and texts) the same
// answers as a naive reference matcher.
import { expect } from 'chai';
import fc from 'fast-check';
import { scopedTo } from '../../server/modules/autoreply/cache';
import { CompiledRules, normaliseForMatch, type MatchableRule, type MatchMode } from '../../server/modules/autoreply/match';
import { checkRegex } from '../../server/modules/autoreply/safeRegex';

type Rule = MatchableRule & { channel_ids: string[] };
const rule = (id: string, mode: MatchMode, keywords: string[], priority = 0, channels: string[] = []): Rule => ({ id, mode, keywords, priority, channel_ids: channels });
const ids = (rules: CompiledRules<Rule>, text: string) => rules.match(text).map((r) => r.id);

describe('auto-reply rule matching', () => {
  it('normalises case, accents, compatibility forms and punctuation, in any script', () => {
    expect(normaliseForMatch('  Crème   BRÛLÉE !! ')).to.equal('creme brulee');
    expect(normaliseForMatch('ＦＵＬＬ－ｗｉｄｔｈ')).to.equal('full width');
    expect(normaliseForMatch('İSTANBUL ıstanbul Istanbul')).to.equal('istanbul istanbul istanbul');
    expect(normaliseForMatch('مَرْحَبًا')).to.equal('مرحبا');
    expect(normaliseForMatch('Straße')).to.equal('strasse');
    expect(normaliseForMatch('予約、お願いします。')).to.equal('予約 お願いします');
  });

  it('matches contains, whole word and exact as their names say', () => {
    const rules = new CompiledRules([
      rule('contains', 'contains', ['rembours']),
      rule('word', 'word', ['prix']),
      rule('exact', 'exact', ['bonjour']),
      rule('phrase', 'word', ['heures d’ouverture']),
    ]);
    expect(ids(rules, 'Je veux être REMBOURSÉE')).to.deep.equal(['contains']);
    expect(ids(rules, 'Quel est le prix ?')).to.deep.equal(['word']);
    expect(ids(rules, 'Les prixes')).to.deep.equal([]);
    expect(ids(rules, 'surprix')).to.deep.equal([]);
    expect(ids(rules, 'Bonjour !')).to.deep.equal(['exact']);
    expect(ids(rules, 'Bonjour, le prix ?')).to.deep.equal(['word']);
    expect(ids(rules, 'vos HEURES d’ouverture ?')).to.deep.equal(['phrase']);
    expect(ids(rules, 'vos heures douverture')).to.deep.equal([]);
  });

  it('works in Arabic, Japanese (no spaces) and Turkish (dotted and dotless i)', () => {
    const rules = new CompiledRules([
      rule('ar', 'word', ['مرحبا']),
      rule('ja', 'word', ['予約']),
      rule('tr', 'word', ['ışık']),
      rule('tr2', 'contains', ['izmir']),
    ]);
    expect(ids(rules, 'مَرْحَبًا يا صديقي')).to.deep.equal(['ar']);
    expect(ids(rules, 'مرحباتكم')).to.deep.equal([]);
    expect(ids(rules, '明日予約したいです')).to.deep.equal(['ja']);
    expect(ids(rules, 'IŞIK yanmıyor')).to.deep.equal(['tr']);
    expect(ids(rules, 'İZMİR’e gidiyorum')).to.deep.equal(['tr2']);
  });

  it('runs regular expressions on the normalised text, ignoring case', () => {
    const rules = new CompiledRules([rule('order', 'regex', ['\\bcommande n?\\s?\\d{5}\\b'])]);
    expect(ids(rules, 'Ma COMMANDE n° 12345 ?')).to.deep.equal(['order']);
    expect(ids(rules, 'commande 1234')).to.deep.equal([]);
  });

  it('orders matches by priority, then as listed; and keeps only those scoped to the number', () => {
    const rules = new CompiledRules([
      rule('low', 'contains', ['colis'], 1),
      rule('high', 'word', ['colis'], 10),
      rule('same', 'contains', ['colis'], 1),
      rule('elsewhere', 'contains', ['colis'], 99, ['number-b']),
    ]);
    expect(ids(rules, 'mon colis')).to.deep.equal(['elsewhere', 'high', 'low', 'same']);
    expect(scopedTo(rules.match('mon colis'), 'number-a').map((r) => r.id)).to.deep.equal(['high', 'low', 'same']);
    expect(scopedTo(rules.match('mon colis'), 'number-b').map((r) => r.id)[0]).to.equal('elsewhere');
  });

  it('finds the same rules as a naive reference on random keywords and texts', () => {
    const letters = fc.constantFrom('a', 'b', 'é', 'c', ' ', 'A', '-');
    const word = fc.string({ unit: letters, minLength: 1, maxLength: 6 }).filter((w) => normaliseForMatch(w) !== '');
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom<MatchMode>('contains', 'word', 'exact'), word), { minLength: 1, maxLength: 12 }),
      fc.string({ unit: letters, maxLength: 30 }),
      (specs, text) => {
        const rules = specs.map(([mode, keyword], i) => rule(`r${i}`, mode, [keyword]));
        const t = normaliseForMatch(text);
        const expected = rules.filter((r) => {
          const k = normaliseForMatch(r.keywords[0]!);
          return r.mode === 'exact' ? t === k : r.mode === 'contains' ? t.includes(k) : ` ${t} `.includes(` ${k} `);
        }).map((r) => r.id);
        expect(ids(new CompiledRules(rules), text)).to.deep.equal(expected);
      },
    ), { numRuns: 300 });
  });
});

describe('the save-time check of regular expressions', () => {
  it('accepts ordinary patterns', () => {
    for (const p of ['^bonjour$', '\\bcommande \\d{5}\\b', '(prix|tarif)s?', '[a-z]+@[a-z]+\\.[a-z]{2,}']) {
      expect(checkRegex(p), p).to.deep.equal({ ok: true });
    }
  });

  it('refuses invalid patterns, nested quantifiers and patterns slow on crafted input', () => {
    expect(checkRegex('(unclosed')).to.include({ ok: false, reason: 'invalid' });
    expect(checkRegex('(a+)+$')).to.include({ ok: false, reason: 'nested_quantifier' });
    expect(checkRegex('(\\w*)*x')).to.include({ ok: false, reason: 'nested_quantifier' });
    expect(checkRegex('x'.repeat(501))).to.include({ ok: false, reason: 'too_long' });
    // No nested quantifier, but overlapping alternatives under one: exponential backtracking.
    expect(checkRegex('(x|xx)+y')).to.include({ ok: false });
    expect(checkRegex('(a|a)*b')).to.include({ ok: false, reason: 'too_slow' });
  });
});
