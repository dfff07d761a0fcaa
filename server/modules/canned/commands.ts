import { isUniqueViolation } from '../../db/knex';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { deleteCannedRow, findCanned, insertCanned, SHORTCUT_INDEXES, updateCannedRow, type CannedRow } from './repo';
import type { CreateCannedInput, UpdateCannedInput } from './schema';

/** A shortcut is unique among one user's responses, and among the shared ones: say so beside it. */
function shortcutTaken(err: unknown): never {
  throw SHORTCUT_INDEXES.some((index) => isUniqueViolation(err, index))
    ? errors.taken('This shortcut is already used.', 'body.shortcut')
    : err;
}

// The audit names ids, the shortcut and whether it is shared: never the text (it may be about a customer).

/** Creates a canned response, the owner's own (ownerId) or shared (null); audited. */
export async function createCanned(s: Services, actor: Actor, ownerId: string | null, input: CreateCannedInput): Promise<CannedRow> {
  const id = newId();
  return s.db.transaction(async (trx) => {
    await insertCanned(trx, { id, owner_id: ownerId, shortcut: input.shortcut, title: input.title, body: input.body, created_by: actor.id }).catch(shortcutTaken);
    await s.audit.appendIn(trx, actor, [{ action: 'canned.created', subjectType: 'CannedResponse', subjectId: id, details: { shortcut: input.shortcut, shared: ownerId === null } }]);
    return (await findCanned(trx, id))!;
  });
}

/** Changes a canned response's shortcut, title or body; audited with the fields changed. */
export async function updateCanned(s: Services, actor: Actor, id: string, input: UpdateCannedInput): Promise<CannedRow> {
  return s.db.transaction(async (trx) => {
    await updateCannedRow(trx, id, input).catch(shortcutTaken);
    const row = await findCanned(trx, id);
    if (!row) {
      throw errors.notFound('Canned response');
    }
    await s.audit.appendIn(trx, actor, [
      { action: 'canned.updated', subjectType: 'CannedResponse', subjectId: id, details: { fields: Object.keys(input), shortcut: row.shortcut, shared: row.owner_id === null } },
    ]);
    return row;
  });
}

/** Deletes a canned response; audited. */
export async function deleteCanned(s: Services, actor: Actor, row: CannedRow): Promise<void> {
  await s.db.transaction(async (trx) => {
    await deleteCannedRow(trx, row.id);
    await s.audit.appendIn(trx, actor, [{ action: 'canned.deleted', subjectType: 'CannedResponse', subjectId: row.id, details: { shortcut: row.shortcut, shared: row.owner_id === null } }]);
  });
}
