import { subject as asSubject } from '@casl/ability';
import type { Db, Trx } from '../../db/knex';
import { errors, RowDenied } from '../../lib/errors';
import type { AppAbility } from '../authz/ability';
import { findMacro, type MacroRow } from './repo';

/** A macro as CASL conditions name its fields: `ownerId` null for a shared one. */
export const macroSubject = (m: { id?: string; owner_id: string | null }) => asSubject('Macro', { id: m.id, ownerId: m.owner_id });

/** Whether the user may see this macro: CASL's rules, and never someone else's own one. */
export const visibleTo = (ability: AppAbility, userId: string, m: MacroRow) => (m.owner_id === null || m.owner_id === userId) && ability.can('read', macroSubject(m));

/** Loads a macro and checks an action on it: 404 when missing or not the user's to see, 403 when visible but not allowed. */
export async function loadMacro(db: Db | Trx, ability: AppAbility, userId: string, id: string, action: string): Promise<MacroRow> {
  const row = await findMacro(db, id);
  if (!row) {
    throw errors.notFound('Macro');
  }
  const visible = visibleTo(ability, userId, row);
  if (!visible || !ability.can(action, macroSubject(row))) {
    throw new RowDenied('Macro', visible ? action : 'read', row.id, visible);
  }
  return row;
}
