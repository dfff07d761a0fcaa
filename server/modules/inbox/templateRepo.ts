import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';

/** Applies a message_template_status_update: the template's status (and reason) by WABA, name and language. */
export async function upsertTemplateStatus(
  db: Db | Trx,
  t: { wabaId: string; templateId: string; name: string; language: string; status: string; reason: string | null },
): Promise<void> {
  await db.raw(
    `INSERT INTO templates (id, waba_id, meta_template_id, name, language, status, status_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (waba_id, name, language) DO UPDATE
       SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason,
           meta_template_id = COALESCE(templates.meta_template_id, EXCLUDED.meta_template_id), updated_at = now()
       -- A repeated webhook (Meta retries) is not a change: updated_at stays when the template changed.
       WHERE (templates.status, templates.status_reason) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.status_reason)
          OR templates.meta_template_id IS NULL`,
    [newId(), t.wabaId, t.templateId, t.name, t.language, t.status, t.reason],
  );
}
