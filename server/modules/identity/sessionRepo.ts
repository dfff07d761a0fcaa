import type { Db, Trx } from '../../db/knex';
import type { RawRuleInput } from '../authz/schema';

export type PrincipalRow = {
  session_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  email: string;
  name: string;
  locale: 'en' | 'fr';
  status: 'active' | 'disabled';
  must_change_password: boolean;
  team_ids: string[];
  roles: Array<{ id: string; rules: RawRuleInput[] }>;
};

/** The session, its user, the user's teams and every rule of every role, in one round trip. */
export async function loadPrincipal(db: Db, sessionId: string): Promise<PrincipalRow | undefined> {
  const result = await db.raw<{ rows: PrincipalRow[] }>(
    `SELECT s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
            u.id AS user_id, u.email, u.name, u.locale, u.status, u.must_change_password,
            COALESCE((SELECT array_agg(ut.team_id::text ORDER BY ut.team_id) FROM user_teams ut WHERE ut.user_id = u.id), '{}') AS team_ids,
            COALESCE((SELECT json_agg(json_build_object('id', r.id, 'rules', r.rules) ORDER BY r.key)
                        FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '[]') AS roles
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ?`,
    [sessionId],
  );
  return result.rows[0];
}

export async function insertSession(
  trx: Trx | Db,
  row: { id: string; userId: string; csrfToken: string; ip: string | null; userAgent: string | null; now: Date; expiresAt: Date },
): Promise<void> {
  await trx('sessions').insert({
    id: row.id,
    user_id: row.userId,
    csrf_token: row.csrfToken,
    ip: row.ip,
    user_agent: row.userAgent?.slice(0, 512) ?? null,
    created_at: row.now,
    last_seen_at: row.now,
    expires_at: row.expiresAt,
  });
}

export async function touchSession(db: Db, sessionId: string, at: Date): Promise<void> {
  await db('sessions').where({ id: sessionId }).update({ last_seen_at: at });
}

export async function deleteSession(db: Db | Trx, sessionId: string): Promise<void> {
  await db('sessions').where({ id: sessionId }).delete();
}

/** Ends every session of a user (disable, password change), optionally sparing one. */
export async function deleteUserSessions(trx: Db | Trx, userId: string, except?: string): Promise<void> {
  const q = trx('sessions').where({ user_id: userId });
  if (except) {
    q.whereNot({ id: except });
  }
  await q.delete();
}

/** Removes sessions past their absolute or idle limit. */
export async function purgeExpiredSessions(db: Db, idleCutoff: Date, now: Date): Promise<number> {
  return db('sessions').where('expires_at', '<', now).orWhere('last_seen_at', '<', idleCutoff).delete();
}
