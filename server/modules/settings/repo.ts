import type { Db, Trx } from '../../db/knex';

export async function readSettings(db: Db | Trx): Promise<Record<string, unknown>> {
  const rows = (await db('settings').select('key', 'value')) as Array<{ key: string; value: unknown }>;
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function writeSettings(trx: Trx, values: Record<string, unknown>, userId: string | null): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await trx('settings')
      .insert({ key, value: JSON.stringify(value), updated_by: userId, updated_at: trx.fn.now() })
      .onConflict('key')
      .merge();
  }
}
