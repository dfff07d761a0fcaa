import type Koa from 'koa';
import type { OperatorGate } from './types';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** True when the request's TCP peer is this machine (no proxy header is trusted). */
export function fromLoopback(ctx: Koa.Context): boolean {
  return LOOPBACK.test(ctx.req.socket.remoteAddress ?? '');
}

/**
 * The gate of a mount that was given none (the standalone `npm run sandbox`, tests): the simulator
 * and the control API answer only clients on this machine, so a sandbox bound to a public interface
 * still lends its control API to nobody else. The Graph API stays open to token holders.
 */
export const loopbackGate: OperatorGate = {
  guard: async (ctx, next) => {
    if (!fromLoopback(ctx)) {
      ctx.status = 403;
      ctx.body = { error: { message: 'The sandbox control API and simulator answer only this machine.' } };
      return;
    }
    await next();
  },
};
