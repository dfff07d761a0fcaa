// What other modules may use of the inbox module.
export { applyStatus, applyStatuses, parkedWamidsByOpaque, takePendingStatuses, takePendingStatusesOf, type StatusRow } from './ingestRepo';
export { publishNotice, publishNotices, type LiveNotice } from './liveNotices';
