import { isDeepStrictEqual } from 'node:util';
import { advisoryXactLock } from '../../db/locks';
import type { Actor } from '../../lib/actor';
import { type AppError, errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { loadBuiltinRoles } from './catalogue';
import { interpolateRules, validateRules } from './ability';
import { assertRoleRulesGrantable, type Grantor } from './grants';
import { deleteRole, findRole, findRoleByKey, findRoleByName, insertRole, ROLE_KEY_INDEX, ROLE_NAME_INDEX, updateRole, type Role } from './roleRepo';
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

/** The 409 for a role key or display name already in use, naming it (beside its field in the panel). */
function taken(field: 'key' | 'name', value: string, holder: Pick<Role, 'key'> | null): AppError {
  const message = field === 'key'
    ? `A role with the key "${value}" already exists.`
    : `A role named "${value}" already exists${holder ? ` (key ${holder.key})` : ''}; role names must differ, ignoring case.`;
  return errors.conflict(message, { fields: [{ path: `body.${field}`, message: `"${value}" is already taken`, code: 'taken', value }] });
}

/** Refuses a display name another role has (case-insensitive, built-in roles included). */
async function assertNameFree(trx: Parameters<typeof findRoleByName>[0], name: string, exceptId: string | null): Promise<void> {
  const other = await findRoleByName(trx, name);
  if (other && other.id !== exceptId) {
    throw taken('name', name, other);
  }
}

/**
 * Runs a write whose unique indexes may still refuse it (a concurrent request took the key or
 * name after the checks): the answer is the same 409 naming what is taken, not a bare conflict.
 */
async function uniquely<T>(write: () => Promise<T>, values: { key?: string; name?: string }): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const { code, constraint } = err as { code?: string; constraint?: string };
    if (code === '23505' && constraint === ROLE_NAME_INDEX && values.name !== undefined) {
      throw taken('name', values.name, null);
    }
    if (code === '23505' && constraint === ROLE_KEY_INDEX && values.key !== undefined) {
      throw taken('key', values.key, null);
    }
    throw err;
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
      throw taken('key', input.key, null);
    }
    await assertNameFree(trx, input.name, null);
    await uniquely(() => insertRole(trx, { id, ...input, builtin: false }), input);
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
    if (patch.name !== undefined) {
      await assertNameFree(trx, patch.name, id);
    }
    await uniquely(() => updateRole(trx, id, patch), { name: patch.name });
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

/**
 * A built-in role's name is fixed by policy, so a custom role already named like it (ignoring
 * case) yields: its key is appended (keys are unique). Audited, so its admins can tell why.
 */
async function yieldNameToBuiltin(s: Pick<Services, 'audit'>, trx: Parameters<typeof updateRole>[0], actor: Actor, name: string, builtinId: string | null): Promise<void> {
  const other = await findRoleByName(trx, name);
  if (!other || other.id === builtinId) {
    return;
  }
  const renamed = `${other.name.slice(0, 77 - other.key.length)} (${other.key})`;
  await updateRole(trx, other.id, { name: renamed });
  await s.audit.appendIn(trx, actor, [{ action: 'role.renamed', subjectType: 'Role', subjectId: other.id, details: { key: other.key, from: other.name, to: renamed, reason: 'builtin_name' } }]);
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
      if (!existing || existing.name !== role.name) {
        await yieldNameToBuiltin(s, trx, actor, role.name, existing?.id ?? null);
      }
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
