import type { Db, Trx } from '../../db/knex';

export type TemplateRow = { id: string; waba_id: string; name: string; language: string; category: string | null; status: string; components: unknown };

export async function findTemplate(db: Db | Trx, id: string): Promise<TemplateRow | undefined> {
  return db('templates').where({ id }).first();
}
