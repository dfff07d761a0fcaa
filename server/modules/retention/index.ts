// What other modules may use of retention.
export { runRetention, type RunResult } from './run';
// The removals erasure shares with retention: a message's wamid and outbox rows, media no message carries any more.
export { deleteMessageCompanions, deleteOrphanMedia, lockHolds } from './repo';
