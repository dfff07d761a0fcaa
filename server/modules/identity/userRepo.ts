import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';

/** A user as the domain sees it (and as CASL conditions name its fields). */
export type User = {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  locale: 'en' | 'fr';
  mustChangePassword: boolean;
  roleIds: string[];
  teamIds: string[];
  lastLoginAt: Date | null;
  createdAt: Date;
};

export type UserAuthRow = {
  id: string;
  email: string;
  password_hash: string;
  status: 'active' | 'disabled';
  temporary_password_expires_at: Date | null;
};

const TEAM_IDS = `COALESCE((SELECT array_agg(ut.team_id::text ORDER BY ut.team_id) FROM user_teams ut WHERE ut.user_id = users.id), '{}')`;
const ROLE_IDS = `COALESCE((SELECT array_agg(ur.role_id::text ORDER BY ur.role_id) FROM user_roles ur WHERE ur.user_id = users.id), '{}')`;

/** How CASL conditions on User translate to SQL for lists. */
export const USER_FIELDS: FieldMap = {
  id: { column: 'users.id' },
  email: { column: 'users.email' },
  status: { column: 'users.status' },
  locale: { column: 'users.locale' },
  teamIds: { arrayExpr: TEAM_IDS },
  roleIds: { arrayExpr: ROLE_IDS },
};

function selectUsers(db: Db | Trx): Knex.QueryBuilder {
  return db('users').select(
    'users.id',
    'users.email',
    'users.name',
    'users.status',
    'users.locale',
    'users.must_change_password',
    'users.last_login_at',
    'users.created_at',
    db.raw(`${TEAM_IDS} AS team_ids`),
    db.raw(`${ROLE_IDS} AS role_ids`),
  );
}

type UserRow = {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  locale: 'en' | 'fr';
  must_change_password: boolean;
  last_login_at: Date | null;
  created_at: Date;
  team_ids: string[];
  role_ids: string[];
};

function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    locale: r.locale,
    mustChangePassword: r.must_change_password,
    roleIds: r.role_ids,
    teamIds: r.team_ids,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
  };
}

export async function findUser(db: Db | Trx, id: string): Promise<User | undefined> {
  const row = (await selectUsers(db).where('users.id', id).first()) as UserRow | undefined;
  return row ? toUser(row) : undefined;
}

export type UserListFilter = { q?: string; status?: 'active' | 'disabled'; cursor?: string; limit: number };

/** Users ordered by email, keyset-paged; `narrow` applies the caller's access conditions. */
export async function listUsers(
  db: Db,
  filter: UserListFilter,
  narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<User[]> {
  const q = selectUsers(db).orderByRaw('lower(users.email)').limit(filter.limit);
  if (filter.q) {
    const like = `%${filter.q.replace(/[%_\\]/g, '\\$&')}%`;
    q.where((w) => w.whereILike('users.email', like).orWhereILike('users.name', like));
  }
  if (filter.status) {
    q.where('users.status', filter.status);
  }
  if (filter.cursor) {
    q.whereRaw('lower(users.email) > lower(?)', [filter.cursor]);
  }
  const rows = (await narrow(q)) as UserRow[];
  return rows.map(toUser);
}

export async function findAuthByEmail(db: Db | Trx, email: string): Promise<UserAuthRow | undefined> {
  return db('users')
    .select('id', 'email', 'password_hash', 'status', 'temporary_password_expires_at')
    .whereRaw('lower(email) = lower(?)', [email])
    .first();
}

export async function findPasswordHash(db: Db | Trx, id: string): Promise<string | undefined> {
  const row = (await db('users').select('password_hash').where({ id }).first()) as { password_hash: string } | undefined;
  return row?.password_hash;
}

export async function insertUser(
  trx: Trx,
  u: { id: string; email: string; name: string; passwordHash: string; mustChangePassword: boolean; locale?: string },
): Promise<void> {
  await trx('users').insert({
    id: u.id,
    email: u.email,
    name: u.name,
    password_hash: u.passwordHash,
    must_change_password: u.mustChangePassword,
    locale: u.locale ?? 'en',
  });
}

export async function updateUser(trx: Trx, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('users').where({ id }).update({ ...patch, updated_at: trx.fn.now() });
}

/** Replaces a user's roles (or teams) with the given set. */
export async function setMemberships(trx: Trx, table: 'user_roles' | 'user_teams', userId: string, ids: string[]): Promise<void> {
  const column = table === 'user_roles' ? 'role_id' : 'team_id';
  await trx(table).where({ user_id: userId }).delete();
  if (ids.length > 0) {
    await trx(table).insert(ids.map((id) => ({ user_id: userId, [column]: id })));
  }
}

export async function countUsers(db: Db | Trx): Promise<number> {
  const row = (await db('users').count<{ count: number }[]>('* as count'))[0];
  return Number(row?.count ?? 0);
}

export async function existingIds(db: Db | Trx, table: 'roles' | 'teams', ids: string[]): Promise<string[]> {
  if (ids.length === 0) {
    return [];
  }
  const rows = (await db(table).select('id').whereIn('id', ids)) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** Whether `id` names a user who may work (exists and is not disabled). */
export async function isActiveUser(db: Db | Trx, id: string): Promise<boolean> {
  const row = (await db('users').select('status').where({ id }).first()) as { status: string } | undefined;
  return row?.status === 'active';
}

/** A user's stored preferences, as saved (keys never set are missing). */
export async function findPreferences(db: Db | Trx, id: string): Promise<Record<string, unknown> | undefined> {
  const row = (await db('users').select('preferences').where({ id }).first()) as { preferences: Record<string, unknown> } | undefined;
  return row?.preferences;
}

/** Sets the given preferences, keeping the others (jsonb `||` merges the top-level keys). */
export async function mergePreferences(trx: Trx, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('users').where({ id }).update({ preferences: trx.raw('preferences || ?::jsonb', [JSON.stringify(patch)]), updated_at: trx.fn.now() });
}
