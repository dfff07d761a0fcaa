// accessibleCondition: the SQL twin of a CASL ability, used so lists never return rows the user may
// not see. Checked by shape on hand-picked rules, then against CASL itself on random rule sets
// through a small evaluator of the SQL grammar the translator emits (support/sqlConditionEvaluator).
import { expect } from 'chai';
import { createMongoAbility, subject } from '@casl/ability';
import fc from 'fast-check';
import knex from 'knex';
import { buildAbility, type AppAbility, type AppRawRule } from '../../server/modules/authz/ability';
import { loadBuiltinRoles } from '../../server/modules/authz/catalogue';
import { accessibleCondition, whereAccessible, type FieldMap } from '../../server/modules/authz/sql';
import { evaluateSql, type Row } from './support/sqlConditionEvaluator';

const DOC_FIELDS: FieldMap = { id: { column: 'id' }, status: { column: 'status' }, owner: { column: 'owner' }, tags: { arrayExpr: 'tags' } };

type Condition = ReturnType<typeof accessibleCondition>;

const ability = (rules: unknown[]): AppAbility => createMongoAbility(rules as AppRawRule[]);
const docCondition = (rules: unknown[]): Condition =>
  accessibleCondition(ability(rules), 'read', 'Doc', DOC_FIELDS);

/** Whether the SQL filter returns the row: NULL (unknown) drops it, as WHERE does. */
const admits = (cond: Condition, row: Row): boolean => cond !== null && evaluateSql(cond.sql, cond.bindings, row) === true;
const sqlAdmits = (rules: unknown[], row: Row): boolean => admits(docCondition(rules), row);
const caslAllows = (rules: unknown[], row: Row): boolean => ability(rules).can('read', subject('Doc', { ...row }));

describe('accessibleCondition', () => {
  describe('no grant and unconditional grants', () => {
    it('is null when nothing is granted for the action and subject', () => {
      expect(docCondition([])).to.equal(null);
      expect(docCondition([{ action: 'read', subject: 'Other' }])).to.equal(null);
      expect(docCondition([{ action: 'update', subject: 'Doc' }])).to.equal(null);
      expect(docCondition([{ action: 'read', subject: 'Doc', inverted: true }])).to.equal(null);
      expect(docCondition([{ action: 'read', subject: 'Doc' }, { action: 'read', subject: 'Doc', inverted: true }])).to.equal(null);
    });

    it('is TRUE for an unconditional grant, including manage and all', () => {
      for (const rule of [
        { action: 'read', subject: 'Doc' },
        { action: 'manage', subject: 'Doc' },
        { action: 'read', subject: 'all' },
        { action: 'manage', subject: 'all' },
      ]) {
        expect(docCondition([rule]), JSON.stringify(rule)).to.deep.equal({ sql: 'TRUE', bindings: [] });
      }
    });

    it('lets an unconditional grant win over an earlier conditional one', () => {
      expect(
        docCondition([
          { action: 'read', subject: 'Doc', conditions: { owner: 'u1' } },
          { action: 'read', subject: 'Doc' },
        ]),
      ).to.deep.equal({ sql: 'TRUE', bindings: [] });
    });
  });

  describe('shape of conditions', () => {
    it('binds an equality instead of inlining the value', () => {
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { id: "x' OR 1=1 --" } }])).to.deep.equal({
        sql: 'id = ?',
        bindings: ["x' OR 1=1 --"],
      });
    });

    it('turns $in and $nin into ANY over a text[] binding', () => {
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { status: { $in: ['a', 'b'] } } }])).to.deep.equal({
        sql: 'status::text = ANY(?::text[])',
        bindings: [['a', 'b']],
      });
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { status: { $nin: ['a'] } } }])).to.deep.equal({
        sql: 'NOT (status::text = ANY(?::text[]))',
        bindings: [['a']],
      });
    });

    it('uses array overlap for array fields', () => {
      const expected = { sql: '(tags) && ?::text[]', bindings: [['t1', 't2']] };
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { tags: { $in: ['t1', 't2'] } } }])).to.deep.equal(expected);
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { tags: 't1' } }])).to.deep.equal({
        sql: '(tags) && ?::text[]',
        bindings: [['t1']],
      });
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { tags: { $nin: ['t1'] } } }])).to.deep.equal({
        sql: 'NOT ((tags) && ?::text[])',
        bindings: [['t1']],
      });
    });

    it('turns comparisons and null into SQL operators', () => {
      const cond = docCondition([{ action: 'read', subject: 'Doc', conditions: { status: { $gte: 'b', $ne: 'c' } } }]);
      expect(cond).to.deep.equal({ sql: '(status >= ? AND status <> ?)', bindings: ['b', 'c'] });
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { owner: null } }])).to.deep.equal({
        sql: 'owner IS NULL',
        bindings: [],
      });
    });

    it('ORs separate grants and ANDs the fields of one grant, keeping bindings in placeholder order', () => {
      const cond = docCondition([
        { action: 'read', subject: 'Doc', conditions: { status: 'a', owner: 'u1' } },
        { action: 'read', subject: 'Doc', conditions: { owner: 'u2' } },
      ]);
      expect(cond).to.deep.equal({ sql: '(owner = ? OR (status = ? AND owner = ?))', bindings: ['u2', 'a', 'u1'] });
    });

    it('turns an inverted rule into NOT', () => {
      const cond = docCondition([
        { action: 'read', subject: 'Doc' },
        { action: 'read', subject: 'Doc', conditions: { status: 'a' }, inverted: true },
      ]);
      expect(cond).to.deep.equal({ sql: 'NOT (status = ?)', bindings: ['a'] });
    });

    it('fails closed (FALSE) on a field the list cannot filter on, or an operator it cannot express', () => {
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { secret: false } }])).to.deep.equal({ sql: 'FALSE', bindings: [] });
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { status: { $exists: true } } }])).to.deep.equal({
        sql: 'FALSE',
        bindings: [],
      });
      expect(docCondition([{ action: 'read', subject: 'Doc', conditions: { tags: { $lt: 't' } } }])).to.deep.equal({ sql: 'FALSE', bindings: [] });
    });

    it("gives an agent's user list exactly their own row", () => {
      const agent = loadBuiltinRoles().find((r) => r.key === 'agent');
      const me = buildAbility(agent?.rules ?? [], { user: { id: 'u-1', teamIds: ['t-1'], email: 'a@example.com' } });
      expect(accessibleCondition(me, 'read', 'User', { id: { column: 'users.id' } })).to.deep.equal({ sql: 'users.id = ?', bindings: ['u-1'] });
      expect(accessibleCondition(me, 'read', 'Team', { id: { column: 'teams.id' } })).to.deep.equal({
        sql: 'teams.id::text = ANY(?::text[])',
        bindings: [['t-1']],
      });
    });
  });

  describe('whereAccessible', () => {
    const db = knex({ client: 'pg' });
    after(() => db.destroy());

    it('returns no rows at all when nothing is granted', () => {
      const query = whereAccessible(db('docs').select('id'), ability([]), 'read', 'Doc', DOC_FIELDS).toSQL().toNative();
      expect(query).to.deep.equal({ sql: 'select "id" from "docs" where FALSE', bindings: [] });
    });

    it('passes the condition and its bindings to the query', () => {
      const rules = [{ action: 'read', subject: 'Doc', conditions: { status: { $in: ['a'] }, owner: 'u1' } }];
      const query = whereAccessible(db('docs').select('id'), ability(rules), 'read', 'Doc', DOC_FIELDS).toSQL().toNative();
      expect(query).to.deep.equal({
        sql: 'select "id" from "docs" where (status::text = ANY($1::text[]) AND owner = $2)',
        bindings: [['a'], 'u1'],
      });
    });
  });

  describe('agreement with CASL (property-based)', () => {
    const STATUSES = ['a', 'b', 'c'] as const;
    const OWNERS = ['u1', 'u2'] as const;
    const TAGS = ['t1', 't2'] as const;

    /** A condition on one scalar field: a literal, or one or more supported operators. */
    const scalarCondition = (values: readonly string[]): fc.Arbitrary<unknown> => {
      const value = fc.constantFrom(...values);
      const list = fc.subarray([...values]);
      return fc.oneof(
        value,
        fc
          .record(
            { $eq: value, $ne: value, $in: list, $nin: list, $lt: value, $lte: value, $gt: value, $gte: value },
            { requiredKeys: [], noNullPrototype: true },
          )
          .filter((ops) => Object.keys(ops).length > 0),
      );
    };

    /** A condition on the array field: membership operators with scalar or list values. */
    const arrayCondition = fc.oneof(
      fc.constantFrom(...TAGS),
      fc
        .record({ $eq: fc.constantFrom(...TAGS), $ne: fc.constantFrom(...TAGS), $in: fc.subarray([...TAGS]), $nin: fc.subarray([...TAGS]) }, { requiredKeys: [], noNullPrototype: true })
        .filter((ops) => Object.keys(ops).length > 0),
    );

    const conditions = fc.record(
      { status: scalarCondition(STATUSES), owner: scalarCondition(OWNERS), tags: arrayCondition },
      { requiredKeys: [], noNullPrototype: true },
    );

    const rule = fc.record(
      {
        action: fc.constantFrom('read', 'read', 'update', 'manage'),
        subject: fc.constantFrom('Doc', 'Doc', 'Other', 'all'),
        conditions,
        inverted: fc.boolean(),
      },
      { requiredKeys: ['action', 'subject'], noNullPrototype: true },
    );

    const rules = fc.array(rule, { maxLength: 6 });

    /** Every record of the tiny schema: 3 statuses x 2 owners x 4 tag sets. */
    const ALL_ROWS: Row[] = STATUSES.flatMap((status) =>
      OWNERS.flatMap((owner) => [[], ['t1'], ['t2'], ['t1', 't2']].map((tags): Row => ({ status, owner, tags }))),
    );

    it('the SQL filter returns exactly the records CASL allows', () => {
      fc.assert(
        fc.property(rules, (ruleSet) => {
          const casl = ability(ruleSet);
          const cond = accessibleCondition(casl, 'read', 'Doc', DOC_FIELDS);
          for (const row of ALL_ROWS) {
            const allowed = casl.can('read', subject('Doc', { ...row }));
            expect(admits(cond, row), `${JSON.stringify(ruleSet)} on ${JSON.stringify(row)}: ${cond?.sql}`).to.equal(allowed);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('with NULL columns, the SQL filter never returns a record CASL denies', () => {
      const nullableRow = fc.record({
        status: fc.option(fc.constantFrom(...STATUSES), { nil: null }),
        owner: fc.option(fc.constantFrom(...OWNERS), { nil: null }),
        tags: fc.subarray([...TAGS]),
      });
      const withNullChecks = fc.array(
        fc.oneof(rule, fc.record({ action: fc.constant('read'), subject: fc.constant('Doc'), conditions: fc.constant({ owner: null }), inverted: fc.boolean() })),
        { maxLength: 6 },
      );
      fc.assert(
        fc.property(withNullChecks, fc.array(nullableRow, { minLength: 1, maxLength: 8 }), (ruleSet, rows) => {
          for (const row of rows) {
            if (sqlAdmits(ruleSet, row)) {
              expect(caslAllows(ruleSet, row), `${JSON.stringify(ruleSet)} on ${JSON.stringify(row)}`).to.equal(true);
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('fails closed where SQL cannot express a rule', () => {
    const row: Row = { status: 'a', owner: 'u1', tags: ['t1'] };

    it('an inverted rule on a field the list cannot filter on must not reveal the rows it forbids', () => {
      // "can read Doc; cannot read Doc where secret = true": the FALSE for the unknown field is
      // negated into TRUE, so the list shows every row, secret ones included.
      const rules = [
        { action: 'read', subject: 'Doc' },
        { action: 'read', subject: 'Doc', conditions: { secret: true }, inverted: true },
      ];
      expect(ability(rules).can('read', subject('Doc', { ...row, secret: true }))).to.equal(false);
      const cond = docCondition(rules);
      expect(cond === null || evaluateSql(cond.sql, cond.bindings, row) !== true, `SQL: ${cond?.sql}`).to.equal(true);
    });

    it('an inverted rule with an operator SQL cannot express on an array field must not reveal those rows', () => {
      // validateRules accepts $gt on any field; on an array field it becomes FALSE, negated into TRUE.
      const rules = [
        { action: 'read', subject: 'Doc' },
        { action: 'read', subject: 'Doc', conditions: { tags: { $gt: 't0' } }, inverted: true },
      ];
      expect(caslAllows(rules, row)).to.equal(false);
      expect(sqlAdmits(rules, row), `SQL: ${docCondition(rules)?.sql}`).to.equal(false);
    });

    it('equality with a list on an array field (e.g. teamIds: ${user.teamIds}) must not grant more than CASL', () => {
      // CASL never matches this condition; the SQL matches any overlap, so the list shows records
      // the same user is refused when opening them one by one.
      const rules = [{ action: 'read', subject: 'Doc', conditions: { tags: ['t1', 't2'] } }];
      for (const tags of [['t1'], ['t1', 't2']]) {
        const r: Row = { ...row, tags };
        expect(sqlAdmits(rules, r), JSON.stringify(tags)).to.equal(caslAllows(rules, r));
      }
    });
  });
});
