/** Who did something, as the audit log records it. Commands take this, never a Koa context. */
export type Actor = {
  type: 'user' | 'system' | 'anonymous';
  id: string | null;
  ip: string | null;
  requestId: string | null;
};

/** The appliance itself: boot-time set-up, scheduled jobs and the command-line tools. */
export const systemActor: Actor = { type: 'system', id: null, ip: null, requestId: null };
