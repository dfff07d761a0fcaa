// What other modules may use of the conversations module.
export { asCasl, loadConversation } from './access';
export { presentConversation, presentMessages, type PresentedMessage } from './present';
export { conversationSchema, decodeCursor, encodeCursor, messagesQuery, messageSchema } from './schema';
export { CONVERSATION_FIELDS, conversationOfMessage, countUnassignedFor, findConversations, findMessage, findConversation, findMessages, listMessages, messageOfMedia, selectConversations, messagesByWamid, whereCustomerMatches, type ConversationRow, type MessageRow } from './repo';
export { headerMediaComponent, MEDIA_PLACEHOLDER, templateHeaderMedia, type HeaderMedia } from './send';
export { workChecker } from './assignees';
export { activeUsersWithRules, type CandidateRow } from './assigneeRepo';
