import type Koa from 'koa';
import { scheduleReview, throughputLevel } from './account';
import type { Core } from './core';
import { metaError, unknownObject } from './errors';
import { decodeJsonParams, readParams } from './http';
import type { NumberState } from './state';
import type { TemplateRecord } from './templates';
import { checkHeaderSample } from './uploads';

type Obj = Record<string, unknown>;

/** Graph's `fields` parameter, honoured loosely: listed fields (known ones) plus `id`. */
function selectFields(ctx: Koa.Context, full: Obj): Obj {
  const fields = ctx.query.fields;
  if (typeof fields !== 'string' || fields.trim() === '') {
    return full;
  }
  const wanted = new Set(fields.split(',').map((f) => f.trim().replace(/\{.*$/, '')));
  wanted.add('id');
  return Object.fromEntries(Object.entries(full).filter(([key]) => wanted.has(key)));
}

/** `GET /{phone-number-id}`. */
export function presentNumber(ctx: Koa.Context, number: NumberState): Obj {
  return selectFields(ctx, {
    verified_name: number.cfg.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: number.cfg.displayNumber,
    quality_rating: number.qualityRating,
    platform_type: 'CLOUD_API',
    throughput: { level: throughputLevel(number.throughputMps) },
    messaging_limit_tier: number.messagingLimitTier,
    name_status: 'APPROVED',
    id: number.cfg.phoneNumberId,
  });
}

/** `GET /{waba-id}`. */
export function presentWaba(ctx: Koa.Context, wabaId: string): Obj {
  return selectFields(ctx, {
    id: wabaId,
    name: `Sandbox WABA ${wabaId}`,
    currency: 'USD',
    timezone_id: '1',
    message_template_namespace: `sandbox_${wabaId}`,
  });
}

/** A template as Graph lists it (Meta's default fields). */
export function presentTemplate(ctx: Koa.Context, t: TemplateRecord): Obj {
  return selectFields(ctx, {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  });
}

/** `GET /{waba-id}/phone_numbers`. */
export function listNumbers(core: Core, ctx: Koa.Context, wabaId: string): Obj {
  const data = core.state.numbersOfWaba(wabaId).map((n) => presentNumber(ctx, n));
  const cursor = (n: Obj | undefined) => (n ? Buffer.from(String(n.id)).toString('base64url') : undefined);
  return { data, paging: { cursors: { before: cursor(data[0]), after: cursor(data[data.length - 1]) } } };
}

/** `GET /{waba-id}/message_templates`: `data` and `paging.cursors.before/after`, `next` when more follow. */
export function listTemplates(core: Core, ctx: Koa.Context, wabaId: string, selfUrl: string): Obj {
  const query = ctx.query as Record<string, string | undefined>;
  const page = core.templates.page(wabaId, query);
  const result: Obj = { data: page.data.map((t) => presentTemplate(ctx, t)) };
  if (page.data.length > 0) {
    const paging: Obj = { cursors: { before: page.before, after: page.after } };
    const keep = new URLSearchParams();
    for (const key of ['limit', 'fields', 'name', 'status', 'category', 'language']) {
      if (query[key]) {
        keep.set(key, query[key]!);
      }
    }
    if (page.hasNext) {
      paging.next = `${selfUrl}?${new URLSearchParams([...keep, ['after', page.after!]])}`;
    }
    if (page.hasPrevious) {
      paging.previous = `${selfUrl}?${new URLSearchParams([...keep, ['before', page.before!]])}`;
    }
    result.paging = paging;
  }
  return result;
}

/**
 * `POST /{waba-id}/message_templates`: stored PENDING, reviewed after `templateReviewMs`. A media
 * header needs a sample uploaded through the Resumable Upload API (`example.header_handle`).
 */
export async function createTemplate(core: Core, ctx: Koa.Context, wabaId: string): Promise<Obj> {
  const body = decodeJsonParams(await readParams(ctx), ['components']);
  checkHeaderSample(core, wabaId, body.components);
  const template = core.templates.create(wabaId, body);
  core.state.counters.templates.created += 1;
  scheduleReview(core, template);
  return { id: template.id, status: template.status, category: template.category };
}

/** `DELETE /{waba-id}/message_templates?name=...[&hsm_id=...]`: every language of that name. */
export function deleteTemplate(core: Core, ctx: Koa.Context, wabaId: string): Obj {
  const name = ctx.query.name;
  if (typeof name !== 'string' || name === '') {
    throw metaError(131008, 'The parameter name is required.');
  }
  const hsmId = typeof ctx.query.hsm_id === 'string' ? ctx.query.hsm_id : undefined;
  if (!core.templates.delete(wabaId, name, hsmId)) {
    throw metaError(100, `Message template "${name}" not found.`);
  }
  return { success: true };
}

/** A WABA the token may act on, or Graph's "object does not exist". */
export function wabaOrThrow(core: Core, wabaId: string, wabas: Set<string>, method: 'get' | 'post' | 'delete'): string {
  if (!wabas.has(wabaId) || core.state.numbersOfWaba(wabaId).length === 0) {
    throw unknownObject(wabaId, method);
  }
  return wabaId;
}
