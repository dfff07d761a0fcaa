// Term lists as files: CSV rows, plain text, and the default lists shipped in policies/lexicon/.
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { loadDefaultLexicon } from '../../server/modules/lexicon/defaults';
import { csvFields, readDefaultList, readImportFile } from '../../server/modules/lexicon/termFile';

const file = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

describe('lexicon term files', () => {
  it('splits CSV lines with quoted fields, doubled quotes and empty fields; refuses broken quoting', () => {
    expect(csvFields('a,b,c')).to.deep.equal(['a', 'b', 'c']);
    expect(csvFields('"free, really",flag,en')).to.deep.equal(['free, really', 'flag', 'en']);
    expect(csvFields('"say ""free""",,fr')).to.deep.equal(['say "free"', '', 'fr']);
    expect(csvFields('a,')).to.deep.equal(['a', '']);
    expect(csvFields('"open,flag')).to.equal(null);
    expect(csvFields('"closed"x,flag')).to.equal(null);
  });

  it('reads a CSV whose header names the columns in any order; missing values come from the defaults', async () => {
    const parsed = await readImportFile(file('\uFEFFlocale,term\r\nfr,Crédit Facile\r\n,easy money\r\n'), true, { locale: 'en', action: 'flag' });
    expect(parsed.rejected).to.deep.equal([]);
    expect(parsed.terms.map((t) => [t.line, t.term, t.normalized, t.locale, t.action])).to.deep.equal([
      [2, 'Crédit Facile', 'credit facile', 'fr', 'flag'],
      [3, 'easy money', 'easy money', 'en', 'flag'],
    ]);
  });

  it('reads plain text one term per line (commas included), skipping blank lines and # comments', async () => {
    const parsed = await readImportFile(file('# list\n\nfree, fast money\n  GRATUIT  \ngr4tuit\n'), false, { locale: 'fr', action: 'block' });
    expect(parsed.terms.map((t) => t.normalized)).to.deep.equal(['free fast money', 'gratuit']);
    expect(parsed.rejected).to.deep.equal([{ line: 5, text: 'gr4tuit', reason: 'duplicate_in_file' }]);
  });

  it('reads a default list and names a malformed line', () => {
    const parsed = readDefaultList('# c\nblock guaranteed returns\nflag act now\nnonsense\nshout loud\n', 'en');
    expect(parsed.terms.map((t) => [t.action, t.normalized])).to.deep.equal([['block', 'guaranteed returns'], ['flag', 'act now']]);
    expect(parsed.rejected.map((r) => [r.line, r.reason])).to.deep.equal([[4, 'malformed'], [5, 'bad_action']]);
  });

  it('ships default lists in English and French that parse without a rejected line', () => {
    const terms = loadDefaultLexicon();
    expect(new Set(terms.map((t) => t.locale))).to.deep.equal(new Set(['en', 'fr']));
    expect(terms.find((t) => t.normalized === 'guaranteed returns')?.action).to.equal('block');
    expect(terms.find((t) => t.normalized === 'gratuit')?.locale).to.equal('fr');
  });
});
