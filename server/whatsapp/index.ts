// The WhatsApp Cloud API connector: Meta's protocol and nothing of the domain.
export { CloudApiClient } from './client';
export type { CloudApiClientOptions, MediaInfo, PhoneNumberInfo, SendResult, TemplateDefinition, TemplatePage, TemplateSummary } from './client';
export { countryOfWaId } from './country';
export {
  backoffHintMs,
  classifyError,
  GRAPH_CODES,
  GraphApiError,
  InvalidMessageError,
  isRetryable,
  MediaTooLargeError,
} from './errors';
export type { ErrorClassification, InvalidMessageReason } from './errors';
export { closeSharedPool, createPool, sharedPool } from './http';
export type { PoolOptions } from './http';
export { interactiveButtons, interactiveList, LIMITS, mediaMessage, reactionMessage, templateMessage, textMessage } from './messages';
export type { MediaKind, OutboundMessage, TemplateComponent, TemplateParameter } from './messages';
export { PairLimiter, TierCounter, TokenBucket } from './rateLimit';
export { answerSubscriptionChallenge, sign, verifySignature } from './signature';
export { parseWebhook, ParseError } from './webhookParse';
export type {
  InboundMessage,
  OtherEvent,
  ParsedWebhook,
  QualityUpdate,
  StatusUpdate,
  TemplateStatusUpdate,
  WebhookEvent,
} from './webhookParse';
export type { MessageType } from './webhookSchema';
