// What other modules may use of the inbox module.
export { applyStatus, takePendingStatuses } from './ingestRepo';
export { publishNotice, type LiveNotice } from './liveNotices';
