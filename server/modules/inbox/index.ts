// What other modules may use of the inbox module.
export { anyParked, applyStatus, applyStatuses, parkedWamidsByOpaque, takePendingStatuses, takePendingStatusesOf, type StatusRow } from './ingestRepo';
export { publishNotice, type LiveNotice, type ConversationNotice } from './liveNotices';
