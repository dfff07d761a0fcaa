import { Router } from '@koa/router';
import type Koa from 'koa';
import { numberOrThrow, type Core } from './core';
import { metaError, unknownObject } from './errors';
import {
  createTemplate,
  deleteTemplate,
  listNumbers,
  listTemplates,
  presentNumber,
  presentTemplate,
  presentWaba,
  wabaOrThrow,
} from './graphAccount';
import { downloadMedia, mediaFor, presentMedia, uploadMedia } from './graphMedia';
import { answerError, graphHandler, mayUseNumber, readParams, wabasOfToken } from './http';
import { AnswerLost, postMessages } from './messages';
import type { StatusEmitter } from './statuses';
import { startUpload, uploadChunk, uploadStatus } from './uploads';

/** Where this mount is reached from outside: media URLs and paging links are built on it. */
export function baseUrlOf(core: Core, ctx: Koa.Context, prefix: string): string {
  return core.opts.publicBaseUrl ?? `${ctx.protocol}://${ctx.host}${prefix}`;
}

/**
 * The Graph API under `${prefix}/graph/{version}`: messages, media, templates, phone numbers. The
 * token is checked first (190), then the object (100/33 when it does not exist or is not the token's).
 */
export function graphRouter(core: Core, statuses: StatusEmitter, prefix: string): Router {
  const router = new Router({ prefix });
  const g = (handler: Parameters<typeof graphHandler>[1]) => graphHandler(core, handler);

  router.post('/graph/:version/:id/messages', g(async (ctx) => {
    const wabas = wabasOfToken(core, ctx);
    const number = numberOrThrow(core, ctx.params.id!);
    if (!mayUseNumber(wabas, number)) {
      throw unknownObject(ctx.params.id!, 'post');
    }
    try {
      return postMessages(core, statuses, number.cfg.phoneNumberId, await readParams(ctx));
    } catch (err) {
      if (err instanceof AnswerLost) {
        // Accepted, and the caller never hears of it.
        ctx.req.socket.destroy();
        ctx.respond = false;
        return undefined;
      }
      throw err;
    }
  }));

  router.post('/graph/:version/:id/media', g(async (ctx) => uploadMedia(core, ctx, ctx.params.id!, wabasOfToken(core, ctx))));

  router.get('/graph/:version/:id/message_templates', g(async (ctx) => {
    const wabaId = wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'get');
    return listTemplates(core, ctx, wabaId, `${baseUrlOf(core, ctx, prefix)}/graph/${ctx.params.version}/${wabaId}/message_templates`);
  }));
  router.post('/graph/:version/:id/message_templates', g(async (ctx) =>
    createTemplate(core, ctx, wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'post')),
  ));
  router.delete('/graph/:version/:id/message_templates', g(async (ctx) =>
    deleteTemplate(core, ctx, wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'delete')),
  ));

  // Meta's Resumable Upload API (template sample files): a session on the app, then the bytes.
  router.post('/graph/:version/:id/uploads', g(async (ctx) => startUpload(core, ctx, ctx.params.id!)));
  router.post('/graph/:version/:id', g(async (ctx) => {
    const id = ctx.params.id!;
    if (!id.startsWith('upload:')) {
      wabasOfToken(core, ctx);
      throw unknownObject(id, 'post');
    }
    return uploadChunk(core, ctx, id);
  }));

  router.get('/graph/:version/:id/phone_numbers', g(async (ctx) =>
    listNumbers(core, ctx, wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'get')),
  ));
  // Apps subscribe their WABA to webhooks once; the sandbox always delivers, so this only answers.
  router.post('/graph/:version/:id/subscribed_apps', g(async (ctx) => {
    wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'post');
    return { success: true };
  }));
  router.get('/graph/:version/:id/subscribed_apps', g(async (ctx) => {
    wabaOrThrow(core, ctx.params.id!, wabasOfToken(core, ctx), 'get');
    return { data: [{ whatsapp_business_api_data: { id: 'sandbox', name: 'Switchboard sandbox', link: '' } }] };
  }));

  // GET /{id}: a phone number, a media object, a template or a WABA, as Graph resolves any node id.
  router.get('/graph/:version/:id', g(async (ctx) => {
    const id = ctx.params.id!;
    if (id.startsWith('upload:')) {
      return uploadStatus(core, ctx, id);
    }
    const wabas = wabasOfToken(core, ctx);
    const number = core.state.numbers.get(id);
    if (number && mayUseNumber(wabas, number)) {
      return presentNumber(ctx, number);
    }
    const media = mediaFor(core, ctx, id, wabas, 'get');
    if (media) {
      return presentMedia(core, media, baseUrlOf(core, ctx, prefix));
    }
    const template = core.templates.byId(id);
    if (template && wabas.has(template.wabaId)) {
      return presentTemplate(ctx, template);
    }
    if (wabas.has(id)) {
      return presentWaba(ctx, id);
    }
    throw unknownObject(id, 'get');
  }));

  router.delete('/graph/:version/:id', g(async (ctx) => {
    const id = ctx.params.id!;
    const media = mediaFor(core, ctx, id, wabasOfToken(core, ctx), 'delete');
    if (!media) {
      throw unknownObject(id, 'delete');
    }
    core.media.delete(id);
    core.state.counters.media.deleted += 1;
    return { success: true };
  }));

  // Media download URLs live outside the Graph paths, as Meta's lookaside URLs do.
  router.get('/media-download', async (ctx) => downloadMedia(core, ctx));
  router.get('/media-download/', async (ctx) => downloadMedia(core, ctx));
  return router;
}

/** Any other path under `${prefix}/graph/` answers Graph's "Unknown path components" error. */
export function graphFallback(core: Core, prefix: string): Koa.Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(`${prefix}/graph/`)) {
      await next();
      return;
    }
    answerError(core, ctx, metaError(2500, `Unknown path components: ${ctx.path.slice(prefix.length + '/graph'.length)}`));
  };
}
