import { expect } from 'chai';
import fc from 'fast-check';
import { checkMapping, renderFor, templateSlots, valueFor } from '../../server/modules/broadcasts/mapping';
import type { VariableMapping } from '../../server/modules/broadcasts/schema';

const components = [
  { type: 'HEADER', format: 'TEXT', text: 'News for {{1}}' },
  { type: 'BODY', text: 'Hi {{1}}, your {{2}} plan renews soon.' },
  { type: 'FOOTER', text: 'Reply STOP to opt out' },
  { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }, { type: 'URL', text: 'Renew', url: 'https://x.example/r/{{1}}' }] },
];
const mapping: VariableMapping[] = [
  { component: 'header', index: 1, source: { kind: 'field', field: 'country' }, fallback: 'you' },
  { component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: 'friend' },
  { component: 'body', index: 2, source: { kind: 'attribute', key: 'plan' }, fallback: 'current' },
  { component: 'button', index: 1, source: { kind: 'text', text: 'spring' }, fallback: '' },
];
const contact = { waId: '33612345678', name: 'Ann', country: 'FR', language: 'fr', attributes: { plan: 'Pro' } };

describe('broadcast template mapping', () => {
  it('lists the variables of header, body and URL buttons', () => {
    expect(templateSlots(components)).to.deep.equal([
      { component: 'header', index: 1 }, { component: 'body', index: 1 }, { component: 'body', index: 2 }, { component: 'button', index: 1 },
    ]);
  });

  it('refuses a mapping that misses, repeats or invents a variable', () => {
    expect(() => checkMapping(components, mapping)).not.to.throw();
    expect(() => checkMapping(components, mapping.slice(1))).to.throw(/header variable 1 needs a source/);
    expect(() => checkMapping(components, [...mapping, mapping[1]!])).to.throw(/mapped twice/);
    expect(() => checkMapping(components, [...mapping, { ...mapping[1]!, index: 3 }])).to.throw(/no body variable 3/);
    // A media header takes a file (the draft's headerMediaId), not a variable: nothing to map.
    expect(() => checkMapping([{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'x' }], [])).not.to.throw();
  });

  it('renders the texts and the send components from the same values', () => {
    const { components: send, rendered } = renderFor(components, mapping, contact);
    expect(rendered).to.deep.equal({
      header: 'News for FR', body: 'Hi Ann, your Pro plan renews soon.', footer: 'Reply STOP to opt out', buttons: ['Thanks', 'Renew (https://x.example/r/spring)'],
    });
    expect(send).to.deep.equal([
      { type: 'header', parameters: [{ type: 'text', text: 'FR' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: 'Pro' }] },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'spring' }] },
    ]);
  });

  it('never gives WhatsApp an empty value or a newline: the fallback stands in', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), (name, fallback) => {
        const m: VariableMapping = { component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: fallback.trim() };
        const value = valueFor(m, { ...contact, name });
        expect(value.length).to.be.greaterThan(0);
        expect(value).not.to.match(/[\n\t]/);
      }),
    );
  });
});
