// All SQL of macros.
import type { Db, Trx } from '../../db/knex';
import type { MacroAction } from './schema';

export type MacroRow = {
  id: string;
  owner_id: string | null;
  name: string;
  actions: MacroAction[];
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export async function insertMacro(trx: Trx, row: Pick<MacroRow, 'id' | 'owner_id' | 'name' | 'actions' | 'created_by'>): Promise<void> {
  await trx('macros').insert({ ...row, actions: JSON.stringify(row.actions) });
}

export async function updateMacroRow(trx: Trx, id: string, patch: { name?: string; actions?: MacroAction[] }): Promise<void> {
  const values: Record<string, unknown> = { updated_at: trx.fn.now() };
  if (patch.name !== undefined) {
    values.name = patch.name;
  }
  if (patch.actions !== undefined) {
    values.actions = JSON.stringify(patch.actions);
  }
  await trx('macros').where({ id }).update(values);
}

export async function deleteMacroRow(trx: Trx, id: string): Promise<void> {
  await trx('macros').where({ id }).delete();
}

export function findMacro(db: Db | Trx, id: string): Promise<MacroRow | undefined> {
  return db<MacroRow>('macros').where({ id }).first();
}

/** The user's own macros and the shared ones (never another user's own), shared first, by name. */
export function listUsableMacros(db: Db | Trx, userId: string): Promise<MacroRow[]> {
  return db<MacroRow>('macros').where((q) => q.where('owner_id', userId).orWhereNull('owner_id')).orderByRaw('owner_id IS NOT NULL, lower(name)');
}

/**
 * The ids a macro's steps name that do not exist: labels, teams, and canned responses that the
 * macro's users could not use (a shared macro may only send a shared response).
 */
export async function missingReferences(db: Db | Trx, actions: MacroAction[], ownerId: string | null): Promise<string[]> {
  const wanted = (type: MacroAction['type'], key: 'labelId' | 'teamId' | 'cannedId') =>
    actions.flatMap((a) => (a.type === type && key in a ? [(a as Record<string, string>)[key]!] : []));
  const labels = [...wanted('add_label', 'labelId'), ...wanted('remove_label', 'labelId')];
  const teams = wanted('assign_team', 'teamId');
  const canned = wanted('send_canned', 'cannedId');
  const found = new Set<string>();
  const add = (rows: Array<{ id: string }>) => rows.forEach((r) => found.add(r.id));
  add(labels.length ? await db('labels').whereIn('id', labels).select('id') : []);
  add(teams.length ? await db('teams').whereIn('id', teams).select('id') : []);
  add(canned.length ? await db('canned_responses').whereIn('id', canned).where((q) => (ownerId ? q.whereNull('owner_id').orWhere('owner_id', ownerId) : q.whereNull('owner_id'))).select('id') : []);
  return [...labels, ...teams, ...canned].filter((id) => !found.has(id));
}
