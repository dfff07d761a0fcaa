import type { Actor } from '../../lib/actor';
import { AppError, errors } from '../../lib/errors';
import type { Services } from '../../services';
import { GraphApiError } from '../../whatsapp/errors';
import { flagTokenInvalid } from '../channels/commands';
import { clientFor, type ChannelCredentials } from '../channels/credentials';
import { findTemplateByKey, upsertSubmittedTemplate, type TemplateRecord } from './repo';
import { toMetaComponents, type CreateTemplateInput } from './schema';

// Meta's error subcode for "There is already <language> content for this template".
const DUPLICATE_CONTENT_SUBCODE = 2388024;

/**
 * Submits a new template for Meta's review on the channel's WABA, then records it (PENDING
 * until the status webhook gives the verdict) and audits `template.created` in one transaction.
 */
export async function submitTemplate(s: Services, actor: Actor, channel: ChannelCredentials, input: CreateTemplateInput): Promise<TemplateRecord> {
  assertChannelActive(channel);
  if (await findTemplateByKey(s.db, channel.wabaId, input.name, input.language)) {
    throw duplicate(input);
  }
  const components = toMetaComponents(input);
  let created: { id: string; status: string | null; category: string | null };
  try {
    created = await clientFor(channel, 15_000).createTemplate({ name: input.name, language: input.language, category: input.category, components });
  } catch (err) {
    throw await whatsappFailure(s, channel, err, 'the template', input);
  }
  return s.db.transaction(async (trx) => {
    const row = await upsertSubmittedTemplate(trx, {
      wabaId: channel.wabaId,
      metaTemplateId: created.id,
      name: input.name,
      language: input.language,
      // Meta may answer with another category than the one asked for (it re-categorises).
      category: created.category ?? input.category,
      status: created.status ?? 'PENDING',
      components,
    });
    await s.audit.appendIn(trx, actor, [
      {
        action: 'template.created',
        subjectType: 'Template',
        subjectId: row.id,
        details: { channelId: channel.id, wabaId: channel.wabaId, metaTemplateId: created.id, name: input.name, language: input.language, category: row.category, status: row.status },
      },
    ]);
    return row;
  });
}

/** 409 channel_unavailable unless the number may call WhatsApp. */
export function assertChannelActive(channel: ChannelCredentials): void {
  if (channel.status !== 'active') {
    throw errors.channelUnavailable(channel.status === 'token_invalid' ? 'token_invalid' : 'inactive');
  }
}

function duplicate(input: CreateTemplateInput): AppError {
  return errors.taken(`A template named ${input.name} already exists in ${input.language} for this WhatsApp Business Account.`, 'body.name', 'already used in this language');
}

/**
 * Meta's answer to a template call (`what`: "the template", "the sample file") as a client error:
 * its own words where it gave them, otherwise a safe summary.
 */
export async function whatsappFailure(s: Services, channel: ChannelCredentials, err: unknown, what: string, input?: CreateTemplateInput): Promise<AppError> {
  if (!(err instanceof GraphApiError)) {
    s.log.error({ err, channelId: channel.id }, `WhatsApp call failed for ${what}`);
    return errors.whatsappUnavailable();
  }
  const meta = { code: err.code, subcode: err.subcode, title: err.title, fbtraceId: err.fbtraceId };
  s.log.warn({ channelId: channel.id, ...meta, classification: err.classification }, `WhatsApp refused ${what}`);
  if (input && err.subcode === DUPLICATE_CONTENT_SUBCODE) {
    return duplicate(input);
  }
  switch (err.classification) {
    case 'token_invalid':
      await flagTokenInvalid(s, channel.id, err.message);
      return errors.channelUnavailable('token_refused', meta);
    case 'rate_limited':
      // Template management shares the hourly Graph API budget of the app and the WABA.
      return errors.whatsappRateLimited(Math.ceil((err.backoffMs ?? 60_000) / 1000), meta);
    case 'retry':
      return errors.whatsappUnavailable(what, meta);
    default: {
      const reason = err.details ?? (err.title !== err.message ? err.title : null) ?? err.message;
      return errors.whatsappRefused(what, reason, meta);
    }
  }
}
