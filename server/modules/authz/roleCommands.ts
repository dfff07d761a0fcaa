import { isDeepStrictEqual } from 'node:util';
import { advisoryXactLock } from '../../db/locks';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { loadBuiltinRoles } from './catalogue';
import { interpolateRules, validateRules } from './ability';
import { assertRoleRulesGrantable, type Grantor } from './grants';
import { deleteRole, findRole, findRoleByKey, insertRole, updateRole, type Role } from './roleRepo';
import type { RawRuleInput } from './schema';

/** Placeholders a rule may use; anything else would break every holder's sign-in. */
const PROBE_CONTEXT = { user: { id: 'probe', teamIds: [], email: 'probe@example.invalid' } };

function checkRules(rules: RawRuleInput[]): void {
  const problems = validateRules(rules);
  try {
    interpolateRules(rules, PROBE_CONTEXT);
  } catch (err) {
    problems.push(`rules: ${(err as Error).message}`);
  }
  if (problems.length > 0) {
    throw errors.validation(`Invalid rules: ${problems.join('; ')}`, {
      fields: problems.map((p) => ({ path: `body.${p.split(':')[0]}`, message: p })),
    });
  }
}

/** Creates a custom role from CASL rules checked against the catalogue and held by its author. */
export async function createRole(
  s: Services,
  grantor: Grantor,
  input: { key: string; name: string; description: string; rules: RawRuleInput[] },
): Promise<Role> {
  const { actor } = grantor;
  checkRules(input.rules);
  const id = newId();
  return s.db.transaction(async (trx) => {
    await assertRoleRulesGrantable(s, trx, grantor, input.rules, null);
    if (await findRoleByKey(trx, input.key)) {
      throw errors.conflict(`A role with key ${input.key} already exists.`, { fields: [{ path: 'body.key', message: 'taken' }] });
    }
    await insertRole(trx, { id, ...input, builtin: false });
    await s.audit.appendIn(trx, actor, [{ action: 'role.created', subjectType: 'Role', subjectId: id, details: { key: input.key, rules: input.rules } }]);
    return (await findRole(trx, id))!;
  });
}

/**
 * Edits a custom role; its users get the new rules on their next request. New rules must be
 * held by the editor, as they apply to the editor and to each user who holds the role.
 */
export async function editRole(
  s: Services,
  grantor: Grantor,
  id: string,
  patch: { name?: string; description?: string; rules?: RawRuleInput[] },
): Promise<Role> {
  if (patch.rules) {
    checkRules(patch.rules);
  }
  const { actor } = grantor;
  return s.db.transaction(async (trx) => {
    const before = await findRole(trx, id);
    if (!before) {
      throw errors.notFound('Role');
    }
    if (before.builtin) {
      throw errors.builtinRoleReadonly();
    }
    if (patch.rules) {
      await assertRoleRulesGrantable(s, trx, grantor, patch.rules, id);
    }
    await updateRole(trx, id, patch);
    await s.audit.appendIn(trx, actor, [
      { action: 'role.updated', subjectType: 'Role', subjectId: id, details: { fields: Object.keys(patch), ...(patch.rules ? { rulesBefore: before.rules, rulesAfter: patch.rules } : {}) } },
    ]);
    await s.sessions.invalidateEverywhere(trx, `role:${id}`);
    return (await findRole(trx, id))!;
  });
}

/** Deletes a custom role that nobody holds. */
export async function removeRole(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const role = await findRole(trx, id);
    if (!role) {
      throw errors.notFound('Role');
    }
    if (role.builtin) {
      throw errors.builtinRoleReadonly();
    }
    if (role.userCount > 0) {
      throw errors.roleInUse(role.userCount);
    }
    await deleteRole(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'role.deleted', subjectType: 'Role', subjectId: id, details: { key: role.key } }]);
  });
}

// Serialises seeding across processes booting at once (any constant unique to this lock).
const SEED_LOCK = 0x5b0a4d03;

/**
 * Brings the built-in roles in line with policies/roles/*.yaml (at boot). Changes are
 * audited as the system's, and holders of a changed role pick it up on their next request.
 */
export async function seedBuiltinRoles(s: Pick<Services, 'db' | 'audit' | 'sessions'>, actor: Actor): Promise<void> {
  const shipped = loadBuiltinRoles();
  for (const role of shipped) {
    const problems = validateRules(role.rules);
    if (problems.length > 0) {
      throw new Error(`policies/roles/${role.key}.yaml: ${problems.join('; ')}`);
    }
  }
  await s.db.transaction(async (trx) => {
    await advisoryXactLock(trx, SEED_LOCK);
    for (const role of shipped) {
      const existing = await findRoleByKey(trx, role.key);
      if (!existing) {
        const id = newId();
        await insertRole(trx, { id, key: role.key, name: role.name, description: role.description, rules: role.rules, builtin: true });
        await s.audit.appendIn(trx, actor, [{ action: 'role.seeded', subjectType: 'Role', subjectId: id, details: { key: role.key } }]);
      } else if (!isDeepStrictEqual(existing.rules, role.rules) || existing.name !== role.name || existing.description !== role.description) {
        await updateRole(trx, existing.id, { name: role.name, description: role.description, rules: role.rules, builtin: true });
        await s.audit.appendIn(trx, actor, [{ action: 'role.reseeded', subjectType: 'Role', subjectId: existing.id, details: { key: role.key } }]);
        await s.sessions.invalidateEverywhere(trx, `role:${existing.id}`);
      }
    }
  });
}
