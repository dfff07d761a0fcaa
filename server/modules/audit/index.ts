// What other modules may use of the audit module.
export { conversationHistory, type ConversationHistory } from './history';
export { eventSchema } from './schema';
export { loadOrCreateApplianceKey } from './applianceKey';
