// Role rules as an administrator writes them: placeholders filled per user, and custom rules
// checked against the permission catalogue before they can be saved.
import { expect } from 'chai';
import { subject } from '@casl/ability';
import { buildAbility, interpolateRules, validateRules, type RuleContext } from '../../server/modules/authz/ability';
import { loadBuiltinRoles } from '../../server/modules/authz/catalogue';
import type { RawRuleInput } from '../../server/modules/authz/schema';

const ME = 'u-1111';
const CTX: RuleContext = { user: { id: ME, teamIds: ['t-sales', 't-support'], email: 'agent@example.com' } };

const agentRules = (): RawRuleInput[] => {
  const agent = loadBuiltinRoles().find((r) => r.key === 'agent');
  if (!agent) {
    throw new Error('policies/roles/agent.yaml is missing');
  }
  return agent.rules;
};

describe('interpolateRules', () => {
  it('fills ${user.id} with the signed-in user id', () => {
    const [rule] = interpolateRules([{ action: 'read', subject: 'User', conditions: { id: '${user.id}' } }], CTX);
    expect(rule?.conditions).to.deep.equal({ id: ME });
  });

  it('keeps ${user.teamIds} an array so it works with $in', () => {
    const [rule] = interpolateRules([{ action: 'read', subject: 'Team', conditions: { id: { $in: '${user.teamIds}' } } }], CTX);
    expect(rule?.conditions).to.deep.equal({ id: { $in: ['t-sales', 't-support'] } });
  });

  it('fills placeholders embedded in a longer string and inside arrays', () => {
    const [rule] = interpolateRules(
      [{ action: 'read', subject: 'AuditEvent', conditions: { subjectId: { $in: ['user:${user.id}', '${user.email}'] } } }],
      CTX,
    );
    expect(rule?.conditions).to.deep.equal({ subjectId: { $in: [`user:${ME}`, 'agent@example.com'] } });
  });

  it('leaves rules without conditions and plain values alone', () => {
    const rules: RawRuleInput[] = [
      { action: 'read', subject: 'Team' },
      { action: 'read', subject: 'User', conditions: { status: 'active' }, inverted: true, reason: 'why' },
    ];
    expect(interpolateRules(rules, CTX)).to.deep.equal(rules);
  });

  it('does not modify the stored rules, so the next user gets their own values', () => {
    const rules: RawRuleInput[] = [{ action: 'read', subject: 'User', conditions: { id: '${user.id}' } }];
    interpolateRules(rules, CTX);
    const other = interpolateRules(rules, { user: { id: 'u-2222', teamIds: [], email: 'b@example.com' } });
    expect(rules[0]?.conditions).to.deep.equal({ id: '${user.id}' });
    expect(other[0]?.conditions).to.deep.equal({ id: 'u-2222' });
  });

  it('throws on a variable it does not know, whole or embedded', () => {
    for (const template of ['${user.name}', '${org.id}', 'x-${user.nope}', '${user.id.length}', '${user.constructor}']) {
      expect(() => interpolateRules([{ action: 'read', subject: 'User', conditions: { id: template } }], CTX), template).to.throw(
        /unknown rule variable/,
      );
    }
  });
});

describe('buildAbility', () => {
  it("lets an agent read their own user record and not someone else's", () => {
    const ability = buildAbility(agentRules(), CTX);
    expect(ability.can('read', subject('User', { id: ME }))).to.equal(true);
    expect(ability.can('read', subject('User', { id: 'u-2222' }))).to.equal(false);
    expect(ability.can('update', subject('User', { id: ME }))).to.equal(false);
  });

  it("lets an agent read their teams and not other teams", () => {
    const ability = buildAbility(agentRules(), CTX);
    expect(ability.can('read', subject('Team', { id: 't-support' }))).to.equal(true);
    expect(ability.can('read', subject('Team', { id: 't-finance' }))).to.equal(false);
  });

  it('gives an agent with no team no team at all', () => {
    const ability = buildAbility(agentRules(), { user: { ...CTX.user, teamIds: [] } });
    expect(ability.can('read', subject('Team', { id: 't-support' }))).to.equal(false);
  });

  it('lets an inverted rule carve out an exception to a broader grant', () => {
    const ability = buildAbility(
      [
        { action: 'read', subject: 'User' },
        { action: 'read', subject: 'User', conditions: { status: 'disabled' }, inverted: true },
      ],
      CTX,
    );
    expect(ability.can('read', subject('User', { id: 'x', status: 'active' }))).to.equal(true);
    expect(ability.can('read', subject('User', { id: 'x', status: 'disabled' }))).to.equal(false);
  });
});

describe('validateRules', () => {
  it('accepts every built-in role', () => {
    const roles = loadBuiltinRoles();
    expect(roles.map((r) => r.key)).to.include.members(['admin', 'agent', 'auditor', 'supervisor']);
    for (const role of roles) {
      expect(validateRules(role.rules), role.key).to.deep.equal([]);
    }
  });

  it('accepts catalogued actions, manage, all, and the supported operators', () => {
    const rules: RawRuleInput[] = [
      { action: ['read', 'update'], subject: 'User', conditions: { status: { $ne: 'disabled' }, id: { $nin: ['a'] } } },
      { action: 'manage', subject: 'Team' },
      { action: 'read', subject: 'all' },
      { action: 'read', subject: 'AuditEvent', conditions: { actorId: { $in: ['a'] }, subjectId: { $eq: 'b' } } },
    ];
    expect(validateRules(rules)).to.deep.equal([]);
  });

  it('reports an unknown subject, naming the rule and the subject', () => {
    const problems = validateRules([
      { action: 'read', subject: 'User' },
      { action: 'read', subject: 'Spaceship' },
    ]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include('rules[1]').and.to.include('Spaceship');
  });

  it('reports an action the catalogue does not have, for a subject and for all', () => {
    const problems = validateRules([
      { action: ['read', 'teleport'], subject: ['User', 'Team'] },
      { action: 'teleport', subject: 'all' },
    ]);
    expect(problems).to.have.length(3);
    expect(problems.filter((p) => p.includes('User:teleport'))).to.have.length(1);
    expect(problems.filter((p) => p.includes('Team:teleport'))).to.have.length(1);
    expect(problems.filter((p) => p.startsWith('rules[1]') && p.includes('teleport'))).to.have.length(1);
  });

  it('reports operators the SQL filter cannot express', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ $where: 'this.id == 1' }, '$where'],
      [{ $or: [{ id: 'a' }, { id: 'b' }] }, '$or'],
      [{ email: { $regex: '@example\\.com$' } }, '$regex'],
      [{ teamIds: { $elemMatch: { $eq: 't' } } }, '$elemMatch'],
      [{ email: { $exists: true } }, '$exists'],
    ];
    for (const [conditions, operator] of cases) {
      const problems = validateRules([{ action: 'read', subject: 'User', conditions }]);
      expect(problems, operator).to.have.length(1);
      expect(problems[0], operator).to.include(operator);
    }
  });

  it('reports every problem of every rule, not just the first', () => {
    const problems = validateRules([
      { action: 'read', subject: 'Ghost' },
      { action: 'fly', subject: 'User', conditions: { $and: [], email: { $regex: 'x' } } },
    ]);
    expect(problems).to.have.length(4);
  });
});
