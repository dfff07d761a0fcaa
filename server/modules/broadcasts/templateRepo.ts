import type { Db, Trx } from '../../db/knex';

export type BroadcastTemplate = { id: string; waba_id: string; name: string; language: string; category: string | null; status: string; components: unknown };

export async function findBroadcastTemplate(db: Db | Trx, id: string): Promise<BroadcastTemplate | undefined> {
  return (await db('templates').where({ id }).first('id', 'waba_id', 'name', 'language', 'category', 'status', 'components')) as BroadcastTemplate | undefined;
}
