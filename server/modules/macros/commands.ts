import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { Trx } from '../../db/knex';
import { deleteMacroRow, findMacro, insertMacro, missingReferences, updateMacroRow, type MacroRow } from './repo';
import type { CreateMacroInput, MacroAction, UpdateMacroInput } from './schema';

// The audit names the macro and its step types: never a step's text (it may be about a customer).
const stepTypes = (actions: MacroAction[]) => actions.map((a) => a.type);

/** Refuses (400 naming body.actions) steps that name a label, team or canned response that is not there. */
async function assertReferences(trx: Trx, actions: MacroAction[], ownerId: string | null): Promise<void> {
  const missing = await missingReferences(trx, actions, ownerId);
  if (missing.length > 0) {
    throw errors.validation('A step names a label, team or canned response that does not exist (or that this macro cannot use).', {
      fields: [{ path: 'body.actions', message: 'unknown ids', code: 'not_found' }],
      missing,
    });
  }
}

/** Creates a macro, the owner's own (ownerId) or shared (null); audited. */
export async function createMacro(s: Services, actor: Actor, ownerId: string | null, input: CreateMacroInput): Promise<MacroRow> {
  const id = newId();
  return s.db.transaction(async (trx) => {
    await assertReferences(trx, input.actions, ownerId);
    await insertMacro(trx, { id, owner_id: ownerId, name: input.name, actions: input.actions, created_by: actor.id });
    await s.audit.appendIn(trx, actor, [{ action: 'macro.created', subjectType: 'Macro', subjectId: id, details: { shared: ownerId === null, steps: stepTypes(input.actions) } }]);
    return (await findMacro(trx, id))!;
  });
}

/** Renames a macro or replaces its steps; audited with the fields changed. */
export async function updateMacro(s: Services, actor: Actor, before: MacroRow, input: UpdateMacroInput): Promise<MacroRow> {
  return s.db.transaction(async (trx) => {
    if (input.actions) {
      await assertReferences(trx, input.actions, before.owner_id);
    }
    await updateMacroRow(trx, before.id, input);
    const after = (await findMacro(trx, before.id))!;
    await s.audit.appendIn(trx, actor, [
      { action: 'macro.updated', subjectType: 'Macro', subjectId: before.id, details: { fields: Object.keys(input), shared: before.owner_id === null, steps: stepTypes(after.actions) } },
    ]);
    return after;
  });
}

/** Deletes a macro; audited. */
export async function deleteMacro(s: Services, actor: Actor, row: MacroRow): Promise<void> {
  await s.db.transaction(async (trx) => {
    await deleteMacroRow(trx, row.id);
    await s.audit.appendIn(trx, actor, [{ action: 'macro.deleted', subjectType: 'Macro', subjectId: row.id, details: { shared: row.owner_id === null } }]);
  });
}
