// "Grant only what you hold": the coverage check, on hand-picked cases and then against CASL's own
// evaluation on random rule sets (whatever a covered grant allows, the grantor's rules allow too).
import { expect } from 'chai';
import { createMongoAbility, subject, type MongoAbility } from '@casl/ability';
import fc from 'fast-check';
import type { AppRawRule } from '../../server/modules/authz/ability';
import { conditionsCovered, ruleCovered, uncoveredRules, type CoverageRule } from '../../server/modules/authz/coverage';

const ability = (rules: readonly CoverageRule[]): MongoAbility => createMongoAbility(rules as unknown as AppRawRule[]);

describe('coverage: what a user may grant', () => {
  describe('actions and subjects', () => {
    it('is covered by the same rule, by manage, and by all', () => {
      const granted = { action: 'read', subject: 'User' };
      expect(ruleCovered(granted, [{ action: 'read', subject: 'User' }])).to.equal(true);
      expect(ruleCovered(granted, [{ action: 'manage', subject: 'User' }])).to.equal(true);
      expect(ruleCovered(granted, [{ action: 'read', subject: 'all' }])).to.equal(true);
      expect(ruleCovered(granted, [{ action: 'manage', subject: 'all' }])).to.equal(true);
      expect(ruleCovered({ action: ['read', 'update'], subject: ['User', 'Team'] }, [{ action: ['read', 'update'], subject: ['Team', 'User'] }])).to.equal(true);
    });

    it('refuses another action, another subject, manage from a list of actions, and all from a list of subjects', () => {
      expect(ruleCovered({ action: 'update', subject: 'User' }, [{ action: 'read', subject: 'User' }])).to.equal(false);
      expect(ruleCovered({ action: 'read', subject: 'Role' }, [{ action: 'read', subject: 'User' }])).to.equal(false);
      expect(ruleCovered({ action: 'manage', subject: 'User' }, [{ action: ['read', 'update', 'create', 'delete'], subject: 'User' }])).to.equal(false);
      expect(ruleCovered({ action: 'read', subject: 'all' }, [{ action: 'read', subject: ['User', 'Role', 'Team'] }])).to.equal(false);
      expect(ruleCovered({ action: 'manage', subject: 'all' }, [{ action: 'update', subject: 'Role' }])).to.equal(false);
      expect(ruleCovered({ action: ['read', 'update'], subject: 'User' }, [{ action: 'read', subject: 'User' }])).to.equal(false);
    });

    it('always lets a cannot rule through (it only takes away)', () => {
      expect(ruleCovered({ action: 'manage', subject: 'all', inverted: true }, [])).to.equal(true);
    });
  });

  describe('conditions', () => {
    it('is covered by an unconditional rule, the same conditions, or narrower ones', () => {
      expect(conditionsCovered({ assigneeId: 'u1' }, undefined)).to.equal(true);
      expect(conditionsCovered({ assigneeId: 'u1' }, { assigneeId: 'u1' })).to.equal(true);
      expect(conditionsCovered({ assigneeId: 'u1', status: 'open' }, { assigneeId: 'u1' })).to.equal(true);
      expect(conditionsCovered({ teamId: { $in: ['t1'] } }, { teamId: { $in: ['t1', 't2'] } })).to.equal(true);
      expect(conditionsCovered({ teamId: 't1' }, { teamId: { $in: ['t1', 't2'] } })).to.equal(true);
      expect(conditionsCovered({ status: { $nin: ['a', 'b'] } }, { status: { $ne: 'a' } })).to.equal(true);
    });

    it('refuses broader, different or unprovable conditions', () => {
      expect(conditionsCovered(undefined, { assigneeId: 'u1' })).to.equal(false);
      expect(conditionsCovered({ assigneeId: 'u2' }, { assigneeId: 'u1' })).to.equal(false);
      expect(conditionsCovered({ status: 'open' }, { assigneeId: 'u1' })).to.equal(false);
      expect(conditionsCovered({ teamId: { $in: ['t1', 't3'] } }, { teamId: { $in: ['t1', 't2'] } })).to.equal(false);
      expect(conditionsCovered({ status: { $ne: 'a' } }, { status: { $nin: ['a', 'b'] } })).to.equal(false);
      expect(conditionsCovered({ n: { $gt: 5 } }, { n: { $gt: 1 } })).to.equal(false);
    });
  });

  describe('fields', () => {
    it('is covered by a rule on every field or on a superset of fields', () => {
      expect(ruleCovered({ action: 'read', subject: 'User', fields: ['name'] }, [{ action: 'read', subject: 'User' }])).to.equal(true);
      expect(ruleCovered({ action: 'read', subject: 'User', fields: ['name'] }, [{ action: 'read', subject: 'User', fields: ['name', 'email'] }])).to.equal(true);
    });

    it('refuses more fields, or every field from a field-limited rule', () => {
      expect(ruleCovered({ action: 'read', subject: 'User', fields: ['name', 'email'] }, [{ action: 'read', subject: 'User', fields: ['name'] }])).to.equal(false);
      expect(ruleCovered({ action: 'read', subject: 'User' }, [{ action: 'read', subject: 'User', fields: ['name'] }])).to.equal(false);
    });
  });

  describe('cannot rules of the grantor', () => {
    it('refuses what a later cannot rule takes away from the grantor', () => {
      const held = [{ action: 'manage', subject: 'all' }, { action: 'delete', subject: 'AuditEvent', inverted: true }];
      expect(ruleCovered({ action: 'delete', subject: 'AuditEvent' }, held)).to.equal(false);
      expect(ruleCovered({ action: 'manage', subject: 'all' }, held)).to.equal(false);
      expect(ruleCovered({ action: 'read', subject: 'AuditEvent' }, held)).to.equal(true);
    });

    it('ignores an earlier cannot rule, which the later can rule overrides in CASL', () => {
      const held = [{ action: 'delete', subject: 'AuditEvent', inverted: true }, { action: 'manage', subject: 'all' }];
      expect(ability(held).can('delete', 'AuditEvent')).to.equal(true);
      expect(ruleCovered({ action: 'delete', subject: 'AuditEvent' }, held)).to.equal(true);
    });
  });

  it('names the rules that are not covered', () => {
    const granted = [{ action: 'read', subject: 'User' }, { action: 'manage', subject: 'all' }];
    expect(uncoveredRules(granted, [{ action: 'read', subject: 'User' }])).to.deep.equal([{ action: 'manage', subject: 'all' }]);
  });

  describe('against CASL on random rule sets', () => {
    const ACTIONS = ['read', 'update', 'delete', 'manage'] as const;
    const SUBJECTS = ['Doc', 'Note', 'all'] as const;
    const FIELDS = ['title', 'body', 'owner', 'b*'] as const;
    const VALUES = ['a', 'b', 'c', null] as const;
    const value = fc.constantFrom(...VALUES);
    const values = fc.uniqueArray(value, { minLength: 1, maxLength: 3 });
    const fieldCondition = fc.oneof(
      value,
      value.map(($eq) => ({ $eq })),
      value.map(($ne) => ({ $ne })),
      values.map(($in) => ({ $in })),
      values.map(($nin) => ({ $nin })),
      fc.constant({ $gt: 'a' }),
    );
    const conditions = fc.dictionary(fc.constantFrom('status', 'owner', 'tags'), fieldCondition, { minKeys: 1, maxKeys: 2 });
    const oneOrMany = <T extends string>(items: readonly T[]) =>
      fc.oneof(fc.constantFrom(...items), fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 2 }));
    const rule: fc.Arbitrary<CoverageRule> = fc.record(
      {
        action: oneOrMany(ACTIONS),
        subject: oneOrMany(SUBJECTS),
        conditions,
        fields: fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 }),
        inverted: fc.boolean(),
      },
      { requiredKeys: ['action', 'subject'] },
    );
    /** A held rule made narrower (more conditions, fewer fields): what a careful grant looks like. */
    const narrowed = (base: CoverageRule): fc.Arbitrary<CoverageRule> =>
      fc.record({ extra: fc.option(conditions, { nil: undefined }), keepFields: fc.integer({ min: 1, max: 3 }) }).map(({ extra, keepFields }) => ({
        action: base.action,
        subject: base.subject,
        ...(base.conditions || extra ? { conditions: { ...(extra ?? {}), ...((base.conditions as object | undefined) ?? {}) } } : {}),
        ...(base.fields ? { fields: [...base.fields].slice(0, keepFields) } : {}),
      }));
    const scenario = fc
      .array(rule, { maxLength: 6 })
      .chain((held) =>
        fc.record({
          held: fc.constant(held),
          granted: fc.array(fc.oneof(rule, ...(held.length > 0 ? [fc.constantFrom(...held).chain(narrowed)] : [])), { minLength: 1, maxLength: 4 }),
        }),
      );
    const doc = fc.record({
      status: value,
      owner: value,
      tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    });
    const check = fc.record({
      action: fc.constantFrom('read', 'update', 'delete', 'archive'),
      type: fc.constantFrom('Doc', 'Note', 'Other'),
      object: fc.option(doc, { nil: undefined }),
      field: fc.option(fc.constantFrom('title', 'body', 'owner', 'status'), { nil: undefined }),
    });

    it('never lets a covered grant allow what the grantor cannot do', () => {
      let covered = 0;
      fc.assert(
        fc.property(scenario, fc.array(check, { minLength: 20, maxLength: 20 }), ({ held, granted }, checks) => {
          if (uncoveredRules(granted, held).length > 0) {
            return;
          }
          covered += 1;
          const grantedAbility = ability(granted);
          const heldAbility = ability(held);
          for (const c of checks) {
            const target = c.object ? subject(c.type, { ...c.object }) : c.type;
            if (grantedAbility.can(c.action, target, c.field)) {
              expect(heldAbility.can(c.action, target, c.field), JSON.stringify({ held, granted, c })).to.equal(true);
            }
          }
        }),
        { numRuns: 3000 },
      );
      // The property is not vacuous: plenty of random grants are judged covered.
      expect(covered).to.be.greaterThan(300);
    });

    it('covers a grant made of the grantor’s own can rules, when the grantor has no cannot rules', () => {
      fc.assert(
        fc.property(fc.array(rule.map((r) => ({ ...r, inverted: false })), { minLength: 1, maxLength: 6 }), (held) => {
          expect(uncoveredRules(held, held)).to.deep.equal([]);
        }),
      );
    });
  });
});
