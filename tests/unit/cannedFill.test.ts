// The one fill function of canned responses and macros: what a customer reads never shows a known
// placeholder, the names go in as given (no re-filling of braces a name might hold), and the shortcut
// detection of the composer finds a `/word` only at a word start.
import { expect } from 'chai';
import fc from 'fast-check';
import { fillVariables } from '../../server/modules/canned/fill';
import { shortcutAt } from '../../admin-ui/src/cannedShortcut';

const KNOWN = /\{\{\s*(contact\.name|contact\.first_name|agent\.name)\s*\}\}/;

describe('canned responses: filling variables and finding shortcuts', () => {
  it('fills every known variable, keeps other text as written, and never re-reads a filled name', () => {
    const piece = fc.oneof(fc.constantFrom('{{contact.name}}', '{{ contact.first_name }}', '{{agent.name}}', '{{other}}', '{', '}}'), fc.string({ maxLength: 12 }));
    const name = fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('{{agent.name}}')), { nil: null });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), name, name, (pieces, contactName, agentName) => {
        const body = pieces.join('');
        const filled = fillVariables(body, { contactName, agentName });
        // Known placeholders never survive, unless a name itself spelled one (it is not filled again).
        if (!KNOWN.test(contactName ?? '') && !KNOWN.test(agentName ?? '')) {
          expect(filled).not.to.match(KNOWN);
        }
        expect(fillVariables(body.replace(new RegExp(KNOWN, 'g'), ''), { contactName, agentName })).to.equal(body.replace(new RegExp(KNOWN, 'g'), ''));
      }),
    );
    expect(fillVariables('Hi {{contact.first_name}} ({{contact.name}}), {{agent.name}}', { contactName: '  Jean  Dupont ', agentName: 'Sam' })).to.equal('Hi Jean (Jean  Dupont), Sam');
  });

  it('finds the `/word` being typed only at the start of the text or after a space', () => {
    expect(shortcutAt('/he', 3)).to.deep.equal({ start: 0, query: 'he' });
    expect(shortcutAt('Hi /BY', 6)).to.deep.equal({ start: 3, query: 'by' });
    expect(shortcutAt('Hi\n/', 4)).to.deep.equal({ start: 3, query: '' });
    expect(shortcutAt('http://x', 8)).to.equal(null);
    expect(shortcutAt('a/b', 3)).to.equal(null);
    expect(shortcutAt('/he llo', 7)).to.equal(null);
    // Only what is before the caret counts.
    expect(shortcutAt('/hello world', 3)).to.deep.equal({ start: 0, query: 'he' });
  });
});
