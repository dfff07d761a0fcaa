// What other modules may use of the conversations module.
export { loadConversation } from './access';
export { presentConversation, presentMessages } from './present';
export { CONVERSATION_FIELDS, conversationOfMessage, countUnassignedFor, findConversations, findMessage, findMessages, messageOfMedia, messagesByWamid, type ConversationRow, type MessageRow } from './repo';
export { MEDIA_PLACEHOLDER } from './send';
