import { subject as asSubject } from '@casl/ability';
import type { Db, Trx } from '../../db/knex';
import { errors, RowDenied } from '../../lib/errors';
import type { AppAbility } from '../authz/ability';
import { findCanned, type CannedRow } from './repo';

/** A canned response as CASL conditions name its fields: `ownerId` null for a shared one. */
export const cannedSubject = (r: { id?: string; owner_id: string | null }) => asSubject('CannedResponse', { id: r.id, ownerId: r.owner_id });

/** Whether the user may see this response: CASL's rules, and never someone else's own one. */
export const usableBy = (ability: AppAbility, userId: string, r: CannedRow) => (r.owner_id === null || r.owner_id === userId) && ability.can('read', cannedSubject(r));

/**
 * Loads a canned response and checks an action on it: 404 when missing or not the user's to see
 * (another agent's own responses are invisible, whatever their role), 403 when visible but not theirs to change.
 */
export async function loadCanned(db: Db | Trx, ability: AppAbility, userId: string, id: string, action: string): Promise<CannedRow> {
  const row = await findCanned(db, id);
  if (!row) {
    throw errors.notFound('Canned response');
  }
  const visible = usableBy(ability, userId, row);
  if (!visible || !ability.can(action, cannedSubject(row))) {
    throw new RowDenied('CannedResponse', visible ? action : 'read', row.id, visible);
  }
  return row;
}
