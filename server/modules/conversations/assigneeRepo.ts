import type { Db, Trx } from '../../db/knex';
import type { RawRuleInput } from '../authz/schema';

/** An active user with what their ability needs: their roles' rules and their teams. */
export type CandidateRow = { id: string; name: string; email: string; team_ids: string[]; rules: RawRuleInput[] };

/**
 * Active users with the rules of all their roles and their team ids, in one query (by name),
 * optionally only those named. Rules are combined in role-key order, as sessions do.
 */
export async function activeUsersWithRules(db: Db | Trx, onlyIds?: readonly string[]): Promise<CandidateRow[]> {
  const result = await db.raw<{ rows: CandidateRow[] }>(
    `SELECT u.id, u.name, u.email,
            COALESCE((SELECT array_agg(ut.team_id::text ORDER BY ut.team_id) FROM user_teams ut WHERE ut.user_id = u.id), '{}') AS team_ids,
            COALESCE((SELECT jsonb_agg(rule ORDER BY r.key, ord)
                        FROM user_roles ur JOIN roles r ON r.id = ur.role_id, jsonb_array_elements(r.rules) WITH ORDINALITY AS e(rule, ord)
                       WHERE ur.user_id = u.id), '[]'::jsonb) AS rules
       FROM users u
      WHERE u.status = 'active' AND (?::uuid[] IS NULL OR u.id = ANY(?::uuid[]))
      ORDER BY lower(u.name), u.id`,
    [onlyIds ? [...onlyIds] : null, onlyIds ? [...onlyIds] : null],
  );
  return result.rows;
}
