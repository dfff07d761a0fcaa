import type { Db, Trx } from '../../db/knex';
import type { RawRuleInput } from './schema';

export type Role = {
  id: string;
  key: string;
  name: string;
  description: string;
  builtin: boolean;
  rules: RawRuleInput[];
  userCount: number;
};

type RoleRow = { id: string; key: string; name: string; description: string; builtin: boolean; rules: RawRuleInput[]; user_count: number };
const toRole = (r: RoleRow): Role => ({ id: r.id, key: r.key, name: r.name, description: r.description, builtin: r.builtin, rules: r.rules, userCount: r.user_count });

function selectRoles(db: Db | Trx) {
  return db('roles').select('roles.*', db.raw('(SELECT count(*) FROM user_roles ur WHERE ur.role_id = roles.id)::int AS user_count'));
}

export async function listRoles(db: Db): Promise<Role[]> {
  return ((await selectRoles(db).orderBy([{ column: 'builtin', order: 'desc' }, { column: 'name' }])) as RoleRow[]).map(toRole);
}

export async function findRole(db: Db | Trx, id: string): Promise<Role | undefined> {
  const row = (await selectRoles(db).where('roles.id', id).first()) as RoleRow | undefined;
  return row ? toRole(row) : undefined;
}

export async function findRoleByKey(db: Db | Trx, key: string): Promise<Role | undefined> {
  const row = (await selectRoles(db).where('roles.key', key).first()) as RoleRow | undefined;
  return row ? toRole(row) : undefined;
}

/** The role with this display name, compared as the unique index does (case-insensitive). */
export async function findRoleByName(db: Db | Trx, name: string): Promise<Role | undefined> {
  const row = (await selectRoles(db).whereRaw('lower(roles.name) = lower(?)', [name]).first()) as RoleRow | undefined;
  return row ? toRole(row) : undefined;
}

/** The unique index on `lower(name)` (migration role_names_unique). */
export const ROLE_NAME_INDEX = 'roles_name_lower_unique';
/** The unique constraint on `key` (knex's default name). */
export const ROLE_KEY_INDEX = 'roles_key_unique';

export async function insertRole(trx: Trx, r: { id: string; key: string; name: string; description: string; builtin: boolean; rules: RawRuleInput[] }): Promise<void> {
  await trx('roles').insert({ ...r, rules: JSON.stringify(r.rules) });
}

export async function updateRole(trx: Trx, id: string, patch: { name?: string; description?: string; rules?: RawRuleInput[]; builtin?: boolean }): Promise<void> {
  const { rules, ...rest } = patch;
  await trx('roles').where({ id }).update({ ...rest, ...(rules ? { rules: JSON.stringify(rules) } : {}), updated_at: trx.fn.now() });
}

export async function deleteRole(trx: Trx, id: string): Promise<void> {
  await trx('roles').where({ id }).delete();
}

/** The rules of the given roles, in the order a user's ability combines them (by role key). */
export async function rulesOfRoles(db: Db | Trx, roleIds: readonly string[]): Promise<RawRuleInput[]> {
  if (roleIds.length === 0) {
    return [];
  }
  const rows = (await db('roles').select('rules').whereIn('id', roleIds).orderBy('key')) as Array<{ rules: RawRuleInput[] }>;
  return rows.flatMap((r) => r.rules);
}

/** Who holds a role, with what its rules' placeholders need (`${user.id}`, `${user.teamIds}`, `${user.email}`). */
export async function roleHolders(db: Db | Trx, roleId: string): Promise<Array<{ id: string; email: string; teamIds: string[] }>> {
  const result = await db.raw<{ rows: Array<{ id: string; email: string; team_ids: string[] }> }>(
    `SELECT u.id, u.email,
            COALESCE((SELECT array_agg(ut.team_id::text ORDER BY ut.team_id) FROM user_teams ut WHERE ut.user_id = u.id), '{}') AS team_ids
       FROM user_roles ur JOIN users u ON u.id = ur.user_id
      WHERE ur.role_id = ?`,
    [roleId],
  );
  return result.rows.map((r) => ({ id: r.id, email: r.email, teamIds: r.team_ids }));
}
