import { authOf } from '../../http/context';
import { SESSION_COOKIE } from '../../http/middleware/auth';
import { access, type RouteTable } from '../../http/route';
import type { LiveEvents } from './liveEvents';

/** The live event stream of the inbox (Server-Sent Events). */
export function registerEventRoutes(t: RouteTable, live: LiveEvents): void {
  t.add({
    method: 'get', path: '/events', tag: 'inbox', summary: 'Server-Sent Events: message.created, message.status, conversation.updated',
    access: access.can('read', 'Conversation'),
    // The browser reconnects the stream by itself: that is not the user doing anything.
    background: true,
    handler: async (ctx) => {
      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setKeepAlive(true);
      // Koa hands the socket over: the stream lives until the client or the server closes it.
      ctx.respond = false;
      live.attach(ctx.res, ctx.cookies.get(SESSION_COOKIE)!, authOf(ctx));
    },
  });
}
