import { subject as asSubject } from '@casl/ability';
import { actorOf, authOf, type AppContext } from '../../http/context';
import { errors, RowDenied } from '../../lib/errors';
import { readMultipartFile } from '../../http/multipart';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { submitTemplate } from './commands';
import { presentTemplate } from './present';
import { listTemplatesOfWaba } from './repo';
import { sampleLimitFor, uploadTemplateSample } from './samples';
import { createTemplateBody, sampleResponse, submittedTemplateResponse, templateChannelQuery, templateListResponse, uploadChannelId } from './schema';

/** Message templates of a number's WhatsApp Business Account: list, upload a media header's sample, submit for review. */
export function registerTemplateRoutes(t: RouteTable, s: Services): void {
  // Listing or submitting a number's templates needs that number itself to be visible too; a
  // number the role may not use answers like a missing one.
  const channelFor = async (ctx: AppContext, channelId: string, action: 'read' | 'create') => {
    const channel = await s.channels.get(channelId);
    if (!channel) {
      throw errors.notFound('Channel');
    }
    const { ability } = authOf(ctx);
    const template = asSubject('Template', { channelId: channel.id, wabaId: channel.wabaId });
    const visible =
      ability.can('read', asSubject('Channel', { id: channel.id, wabaId: channel.wabaId, lane: channel.lane, status: channel.status })) &&
      ability.can('read', template);
    if (!visible || !ability.can(action, template)) {
      // Templates the user can list but may not submit for that number: 403, saying so.
      throw new RowDenied('Template', visible ? action : 'read', channel.id, visible);
    }
    return channel;
  };
  const channelToReadTemplatesOf = (ctx: AppContext, channelId: string) => channelFor(ctx, channelId, 'read');
  const channelToSubmitFor = (ctx: AppContext, channelId: string) => channelFor(ctx, channelId, 'create');

  t.add({
    method: 'get', path: '/templates', tag: 'templates', summary: "Message templates of a number's WABA", access: access.can('read', 'Template'),
    query: templateChannelQuery,
    responses: { 200: { description: 'Templates, by name and language', schema: templateListResponse } },
    handler: async (ctx, { query }) => {
      const channel = await channelToReadTemplatesOf(ctx, query.channelId);
      ctx.body = { items: (await listTemplatesOfWaba(s.db, channel.wabaId)).map(presentTemplate) };
    },
  });
  t.add({
    method: 'post', path: '/templates', tag: 'templates', summary: 'Submit a new template for review (PENDING, then APPROVED or REJECTED by webhook)',
    access: access.can('create', 'Template'), body: createTemplateBody,
    responses: {
      201: { description: 'Submitted', schema: submittedTemplateResponse },
      400: { description: 'A field breaks one of Meta\'s template rules (validation_failed, naming the field)' },
      409: { description: 'That name already exists in that language (conflict), or the number cannot be used (channel_unavailable)' },
      422: { description: "WhatsApp refused the template (whatsapp_refused, with Meta's reason)" },
    },
    handler: async (ctx, { body }) => {
      const channel = await channelToSubmitFor(ctx, body.channelId);
      const row = await submitTemplate(s, actorOf(ctx), channel, body);
      ctx.status = 201;
      ctx.body = { template: presentTemplate(row) };
    },
  });
  t.add({
    method: 'post', path: '/templates/samples', tag: 'templates',
    summary: "Upload a media header's sample file for WhatsApp's review (multipart: channelId, file); answers the handle for header.exampleHandle",
    access: access.can('create', 'Template'), streamBody: true,
    responses: {
      200: { description: "The sample's handle, from Meta's Resumable Upload API", schema: sampleResponse },
      400: { description: 'No file, no valid channelId, or a type no media header takes (image jpeg/png, video mp4, document pdf)' },
      409: { description: "The number has no Meta App ID (channel_app_id_missing), or cannot be used (channel_unavailable)" },
      413: { description: 'Larger than the type allows (image 5 MB, video 16 MB, document 100 MB)' },
      415: { description: 'Not multipart/form-data' },
      422: { description: "WhatsApp refused the file (whatsapp_refused, with Meta's reason)" },
    },
    handler: async (ctx) => {
      if (!ctx.is('multipart/form-data')) {
        throw errors.unsupportedMediaType();
      }
      const upload = await readMultipartFile(ctx, sampleLimitFor, (mime) => `A template header's sample must be an image (jpeg, png), a video (mp4) or a document (pdf), not ${mime}.`);
      const channelId = uploadChannelId.safeParse(upload.fields.channelId);
      if (!channelId.success) {
        throw errors.validation('Name the number in the multipart field "channelId".', { fields: [{ path: 'body.channelId', message: 'a channel id is required' }] });
      }
      const channel = await channelToSubmitFor(ctx, channelId.data);
      ctx.body = await uploadTemplateSample(s, actorOf(ctx), channel, upload);
    },
  });
}
