// All SQL of canned responses.
import type { Db, Trx } from '../../db/knex';

export type CannedRow = {
  id: string;
  owner_id: string | null;
  shortcut: string;
  title: string;
  body: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

/** The unique indexes on shortcuts (migrations/20261203060100_canned_responses.ts). */
export const SHORTCUT_INDEXES = ['canned_responses_personal_shortcut', 'canned_responses_shared_shortcut'];

export async function insertCanned(trx: Trx, row: Pick<CannedRow, 'id' | 'owner_id' | 'shortcut' | 'title' | 'body' | 'created_by'>): Promise<void> {
  await trx('canned_responses').insert(row);
}

export async function updateCannedRow(trx: Trx, id: string, patch: Partial<Pick<CannedRow, 'shortcut' | 'title' | 'body'>>): Promise<void> {
  await trx('canned_responses').where({ id }).update({ ...patch, updated_at: trx.fn.now() });
}

export async function deleteCannedRow(trx: Trx, id: string): Promise<void> {
  await trx('canned_responses').where({ id }).delete();
}

export function findCanned(db: Db | Trx, id: string): Promise<CannedRow | undefined> {
  return db<CannedRow>('canned_responses').where({ id }).first();
}

/** The user's own responses and the shared ones (never another user's own), shared first, by shortcut. */
export function listUsableCanned(db: Db | Trx, userId: string): Promise<CannedRow[]> {
  return db<CannedRow>('canned_responses')
    .where((q) => q.where('owner_id', userId).orWhereNull('owner_id'))
    .orderByRaw('owner_id IS NOT NULL, shortcut');
}

/** A user's display name (the {{agent.name}} of what they send). */
export async function userName(db: Db | Trx, userId: string): Promise<string | null> {
  const row = await db('users').where({ id: userId }).first('name');
  return (row?.name as string | undefined) ?? null;
}
