// Every action the server records reads as a sentence on the Audit page, in English and French,
// and has a translated name for the action filter. The actions are found in the source itself,
// so a new `action: 'x.y'` without its sentences fails here.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { auditSentence } from '../../admin-ui/src/auditSentence';
import { en } from '../../admin-ui/src/i18n/en';
import { fr } from '../../admin-ui/src/i18n/fr';
import type { AuditEvent } from '../../admin-ui/src/types';
import { projectRoot } from '../../server/lib/paths';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * The audit actions written in server/: the `family.verb` literals on a line that sets or types
 * an `action` (`action: 'user.created'`, `action: ok ? 'a.b' : 'a.c'`, `action: 'a.b' | 'a.c'`).
 */
function recordedActions(): string[] {
  const found = new Set<string>();
  for (const file of tsFiles(path.join(projectRoot, 'server'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // The expression after `action:` up to the next comma or brace (not a nested object's fields).
      for (const expr of line.matchAll(/\baction\??\s*:\s*([^,{}]*)/g)) {
        for (const m of expr[1]!.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) {
          found.add(m[1]!);
        }
      }
    }
  }
  return [...found].sort();
}

const dictionaries = { en: en as Record<string, string>, fr: fr as Record<string, string> };
const tr = (dict: Record<string, string>) => (key: string, vars?: Record<string, string | number>) =>
  key in dict ? dict[key]!.replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m)) : null;

const event = (action: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  seq: 7, at: '2026-12-02T10:00:00.000Z', actorType: 'user', actorId: '0193aaaa-0000-7000-8000-000000000001', actorEmail: 'amelie@example.test',
  actorName: 'Amélie Martin', action, subjectType: 'Conversation', subjectId: '0193aaaa-0000-7000-8000-000000000002', ip: null, requestId: null,
  details: { toAssigneeId: '0193aaaa-0000-7000-8000-000000000003' }, hash: 'x', ...over,
});
const names = {
  'Conversation:0193aaaa-0000-7000-8000-000000000002': 'Jean Dupont',
  'User:0193aaaa-0000-7000-8000-000000000003': 'Sam',
};

describe('audit sentences', () => {
  const actions = recordedActions();

  it('finds the actions the server records, including those chosen at run time', () => {
    expect(actions.length).to.be.greaterThan(40);
    expect(actions).to.include.members(['conversation.assigned', 'conversation.transferred', 'user.disabled', 'user.enabled', 'conversation.viewed', 'audit.exported', 'sandbox.control']);
  });

  for (const lang of ['en', 'fr'] as const) {
    it(`has a name and a sentence in ${lang} for every recorded action, with no placeholder left unfilled`, () => {
      const dict = dictionaries[lang];
      const missing = actions.flatMap((a) => [`audit.action.${a}`, `audit.sentence.${a}`]).filter((key) => !(key in dict));
      expect(missing).to.deep.equal([]);
      for (const action of actions) {
        const sentence = auditSentence(event(action), names, tr(dict));
        expect(sentence, action).not.to.match(/\{\w+\}/);
        expect(sentence, action).not.to.contain(action);
      }
    });
  }

  it('tells an assignment with the names read now, in both languages', () => {
    expect(auditSentence(event('conversation.assigned'), names, tr(dictionaries.en))).to.equal('Amélie Martin assigned the conversation with Jean Dupont to Sam');
    expect(auditSentence(event('conversation.assigned'), names, tr(dictionaries.fr))).to.equal('Amélie Martin a attribué la conversation avec Jean Dupont à Sam');
  });

  it('still reads an action the panel does not know, and names the system as the actor', () => {
    const unknown = auditSentence(event('future.thing', { actorType: 'system', actorId: null, actorName: null, actorEmail: null }), names, tr(dictionaries.en));
    expect(unknown).to.equal('System: future.thing on Jean Dupont');
  });
});
