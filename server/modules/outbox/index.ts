// What other modules may use of the outbox module.
export { enqueueOutbox, PRIORITY as OUTBOX_PRIORITY } from './repo';
export { OUTBOX_TAG_PREFIX } from './recorder';
export { enqueueBroadcastRows, holdBroadcastRows, releaseBroadcastRows, withdrawBroadcastRows, type BroadcastOutboxRow } from './broadcastRepo';
