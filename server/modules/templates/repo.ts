import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';

/** A row of `templates`: the local copy of a WABA's message template. */
export type TemplateRecord = {
  id: string;
  waba_id: string;
  meta_template_id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: string;
  status_reason: string | null;
  components: unknown;
  created_at: Date;
  updated_at: Date;
};

/** The template of a WABA with this name and language, if there is one. */
export async function findTemplateByKey(db: Db | Trx, wabaId: string, name: string, language: string): Promise<TemplateRecord | undefined> {
  return db<TemplateRecord>('templates').where({ waba_id: wabaId, name, language }).first();
}

/** The templates of a WABA, by name then language. */
export async function listTemplatesOfWaba(db: Db | Trx, wabaId: string): Promise<TemplateRecord[]> {
  return db<TemplateRecord>('templates').where({ waba_id: wabaId }).orderBy([{ column: 'name' }, { column: 'language' }]);
}

/**
 * Records a template Meta just accepted for review. The verdict's webhook may have arrived
 * first (and inserted the row): the status is kept when the row already names the same Meta
 * template, and reset when it named an older one (deleted on Meta's side and re-created).
 */
export async function upsertSubmittedTemplate(
  trx: Trx,
  t: { wabaId: string; metaTemplateId: string; name: string; language: string; category: string; status: string; components: unknown },
): Promise<TemplateRecord> {
  const result = await trx.raw<{ rows: TemplateRecord[] }>(
    `INSERT INTO templates (id, waba_id, meta_template_id, name, language, category, status, status_reason, components)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?::jsonb)
     ON CONFLICT (waba_id, name, language) DO UPDATE
       SET category = EXCLUDED.category, components = EXCLUDED.components,
           status = CASE WHEN templates.meta_template_id = EXCLUDED.meta_template_id THEN templates.status ELSE EXCLUDED.status END,
           status_reason = CASE WHEN templates.meta_template_id = EXCLUDED.meta_template_id THEN templates.status_reason END,
           meta_template_id = EXCLUDED.meta_template_id, updated_at = now()
     RETURNING *`,
    [newId(), t.wabaId, t.metaTemplateId, t.name, t.language, t.category, t.status, JSON.stringify(t.components)],
  );
  return result.rows[0]!;
}

/**
 * Copies one template from Meta's list. A list without a rejection reason keeps the reason
 * the status webhook gave, as long as the status is unchanged (the sandbox, like some Graph
 * versions, lists no `rejected_reason`).
 */
export async function upsertListedTemplate(
  db: Db | Trx,
  t: { wabaId: string; metaTemplateId: string; name: string; language: string; category: string | null; status: string; reason: string | null; components: unknown },
): Promise<void> {
  await db.raw(
    `INSERT INTO templates (id, waba_id, meta_template_id, name, language, category, status, status_reason, components)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (waba_id, name, language) DO UPDATE
       SET status = EXCLUDED.status,
           status_reason = COALESCE(EXCLUDED.status_reason, CASE WHEN templates.status = EXCLUDED.status THEN templates.status_reason END),
           category = COALESCE(EXCLUDED.category, templates.category), components = EXCLUDED.components,
           meta_template_id = EXCLUDED.meta_template_id, updated_at = now()
       -- A sync that finds the template as it was leaves it alone: updated_at is when the
       -- template changed (the panel shows it), not when it was last listed.
       WHERE (templates.status, templates.components, templates.meta_template_id) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.components, EXCLUDED.meta_template_id)
          OR (EXCLUDED.category IS NOT NULL AND templates.category IS DISTINCT FROM EXCLUDED.category)
          OR (EXCLUDED.status_reason IS NOT NULL AND templates.status_reason IS DISTINCT FROM EXCLUDED.status_reason)`,
    [newId(), t.wabaId, t.metaTemplateId, t.name, t.language, t.category, t.status, t.reason, JSON.stringify(t.components ?? [])],
  );
}
