/**
 * Shapes exchanged with the Switchboard API (`/api/v1`). Where a route declares its schemas,
 * the type is taken from the server's OpenAPI document (src/generated/schema.d.ts, written by
 * `npm run gen:api`), so it is written once, in the server's zod schemas. Only what the
 * document cannot say is written here: the packed CASL rules of a session. The live events
 * (SSE, not in the document) are typed in events.ts.
 */
import type { PackRule } from '@casl/ability/extra';
import type { paths } from './generated/schema';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON a route answers with, for one status. */
export type ApiResponse<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends { responses: infer R } ? (S extends keyof R ? JsonOf<R[S]> : never) : never;

/** The JSON body a route takes. */
export type ApiBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The query string a route takes. */
export type ApiQuery<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type Session = ApiResponse<'/api/v1/me', 'get'>;

/** The signed-in user as returned by `/me` and `/auth/login`. */
export type Me = Session['user'];
export type Locale = Me['locale'];

/** A CASL raw rule as stored in a role. */
export type RawRule = Role['rules'][number];

/** Response of `/me` and `/auth/login`: the session and its packed CASL rules (opaque in the document). */
export type SessionPayload = Omit<Session, 'rules'> & { rules: PackRule<RawRule>[] };

/**
 * A row as a viewer's role may read it: the server leaves out the fields a CASL field rule
 * withholds (the id always stays). Pages that show such rows must not fill the gaps in.
 */
export type Readable<T extends { id: string }> = Pick<T, 'id'> & Partial<Omit<T, 'id'>>;

export type User = ApiResponse<'/api/v1/users', 'get'>['items'][number];
export type UserStatus = User['status'];
export type Team = ApiResponse<'/api/v1/teams', 'get'>['items'][number];
export type Role = ApiResponse<'/api/v1/roles', 'get'>['items'][number];

/** One entry of the permission catalogue (`policies/permissions.yaml`). */
export type CatalogueAction = ApiResponse<'/api/v1/permissions/catalogue', 'get'>['actions'][number];
/** The catalogue's name of each subject (a group of actions), in each language. */
export type SubjectLabels = ApiResponse<'/api/v1/permissions/catalogue', 'get'>['subjects'];

export type AuditEvent = ApiResponse<'/api/v1/audit/events', 'get'>['items'][number];
export type AuditVerifyResult = ApiResponse<'/api/v1/audit/verify', 'get'>;
/** A signed statement of the audit chain's head, kept outside the database. */
export type AuditAnchor = NonNullable<AuditVerifyResult['anchor']>;

/** A message template of a number's WhatsApp Business Account (`GET /templates`). */
export type Template = ApiResponse<'/api/v1/templates', 'get'>['items'][number];
/** What `POST /templates` takes. */
export type TemplateInput = ApiBody<'/api/v1/templates', 'post'>;
export type TemplateCategory = TemplateInput['category'];
export type TemplateHeaderFormat = NonNullable<TemplateInput['header']>['format'];
export type TemplateButtonType = NonNullable<TemplateInput['buttons']>[number]['type'];

/* ---- Outbound lexicon ---- */

/** A lexicon term with its hit statistics. */
export type LexiconTerm = ApiResponse<'/api/v1/lexicon/terms', 'get'>['items'][number];
export type LexiconAction = LexiconTerm['action'];
/** What the "test a message" box answers: the normalised text and the terms found. */
export type LexiconTestResult = ApiResponse<'/api/v1/lexicon/test', 'post'>;
/** An auto-reply rule, the tester's verdict, a number's business hours, the bot's share of resolutions. */
export type AutoReplyRule = ApiResponse<'/api/v1/autoreply/rules', 'get'>['items'][number];
export type AutoReplyTest = ApiResponse<'/api/v1/autoreply/test', 'post'>;
export type BusinessHoursSettings = ApiResponse<'/api/v1/autoreply/hours/{channelId}', 'get'>['settings'];
export type AutoReplyStats = ApiResponse<'/api/v1/autoreply/stats', 'get'>;
/** An import's report: how many were added, and each rejected row with its line and reason. */
export type LexiconImportReport = ApiResponse<'/api/v1/lexicon/terms/import', 'post'>;
export type LexiconRejectReason = LexiconImportReport['rejected'][number]['reason'];
/** A hit of the lexicon, to review. */
export type LexiconHit = ApiResponse<'/api/v1/lexicon/hits', 'get'>['items'][number];

/** What the composer sends (`POST /conversations/:id/messages`). */
export type OutgoingMessage = ApiBody<'/api/v1/conversations/{id}/messages', 'post'>;

/** One page of a cursor-paged list (users, conversations); `nextCursor` is null on the last page. */
export type Page<T> = Omit<ApiResponse<'/api/v1/users', 'get'>, 'items'> & { items: T[] };

/* ---- Channels (WhatsApp numbers) ---- */

export type ChannelLane = NonNullable<ApiBody<'/api/v1/channels', 'post'>['lane']>;

/** A number as the API shows it; secrets only as "set" and their last four characters. */
export type Channel = ApiResponse<'/api/v1/channels', 'get'>['items'][number];
/** Meta's rating as last reported (GREEN, YELLOW, RED, UNKNOWN; any other string is shown as unknown). */
export type QualityRating = Channel['qualityRating'];
export type ChannelStatus = Channel['status'];
/** Whether a secret is stored, and its last four characters; the secret itself never leaves the server. */
export type SecretState = Channel['secrets']['accessToken'];
export type ChannelTestResult = ApiResponse<'/api/v1/channels/{id}/test', 'post'>;

/* ---- Inbox ---- */

export type InboxView = NonNullable<ApiQuery<'/api/v1/conversations', 'get'>['view']>;

/** A conversation as the inbox list and header show it. */
export type ConversationSummary = ApiResponse<'/api/v1/conversations', 'get'>['items'][number];
export type ConversationStatus = ConversationSummary['status'];

/** A message of the conversation view; text and structured content, never the raw webhook payload. */
export type Message = ApiResponse<'/api/v1/conversations/{id}/messages', 'get'>['items'][number];
export type Direction = Message['direction'];
export type MessageStatus = Message['status'];
export type AuthorType = Message['author']['type'];
/** A stored file of a message; `url` is the same-origin download URL. */
export type MediaRef = NonNullable<Message['media']>;
export type MessageError = NonNullable<Message['error']>;
/** When each status was reached, by status. */
export type StatusTimes = Message['statusTimes'];

/** A file just uploaded (`POST /media`), to send by its id. */
export type UploadedMedia = ApiResponse<'/api/v1/media', 'post', 201>['media'];

export type RetentionPolicies = ApiResponse<'/api/v1/retention/policies', 'get'>;
export type RetentionPolicy = RetentionPolicies['items'][number];
export type DataClass = RetentionPolicy['dataClass'];
export type RetentionPolicyInput = ApiBody<'/api/v1/retention/policies', 'put'>;
export type RetentionPreview = ApiResponse<'/api/v1/retention/preview', 'get'>;
export type RetentionRun = ApiResponse<'/api/v1/retention/runs', 'get'>['items'][number];
export type LegalHold = ApiResponse<'/api/v1/legal-holds', 'get'>['items'][number];
export type RateCard = ApiResponse<'/api/v1/costs/rate-cards', 'get'>['items'][number];
export type RateCardInput = ApiBody<'/api/v1/costs/rate-cards', 'post'>;
export type SpendReport = ApiResponse<'/api/v1/costs/spend', 'get'>;
export type Segment = ApiResponse<'/api/v1/segments', 'get'>['items'][number];
export type SegmentFilter = Segment['filter'];
export type SegmentOptions = ApiResponse<'/api/v1/segments/options', 'get'>;
export type Broadcast = ApiResponse<'/api/v1/broadcasts/{id}', 'get'>['broadcast'];
export type BroadcastDraft = ApiBody<'/api/v1/broadcasts/estimate', 'post'>;
export type BroadcastInput = ApiBody<'/api/v1/broadcasts', 'post'>;
export type BroadcastMapping = BroadcastDraft['mapping'];
export type BroadcastEstimate = ApiResponse<'/api/v1/broadcasts/estimate', 'post'>;
export type BroadcastPreview = ApiResponse<'/api/v1/broadcasts/preview', 'post'>;
export type BroadcastVariable = ApiResponse<'/api/v1/broadcasts/template-variables', 'get'>['variables'][number];
export type ContactImport = ApiResponse<'/api/v1/imports/{id}', 'get'>['import'];
export type ContactImportUpload = ApiResponse<'/api/v1/imports', 'post', 201>;
export type ContactImportOptions = NonNullable<ContactImport['options']>;
export type ImportDecision = ApiResponse<'/api/v1/imports/{id}/rows', 'get'>['items'][number];
export type LegalHoldInput = ApiBody<'/api/v1/legal-holds', 'post'>;
export type LegalHoldOptions = ApiResponse<'/api/v1/legal-holds/options', 'get'>;
export type ReviewConversation = ApiResponse<'/api/v1/review/conversations', 'get'>['items'][number];
export type ReviewQuery = ApiQuery<'/api/v1/review/conversations', 'get'>;
export type ReviewOptions = ApiResponse<'/api/v1/review/options', 'get'>;
export type ConversationHistory = ApiResponse<'/api/v1/review/conversations/{id}/history', 'get'>;
export type DiscoveryFilters = ApiBody<'/api/v1/discovery/search', 'post'>['filters'];
export type DiscoveryPage = ApiResponse<'/api/v1/discovery/search', 'post'>;
export type DiscoveryHit = DiscoveryPage['items'][number];
export type DiscoveryOptions = ApiResponse<'/api/v1/discovery/options', 'get'>;
export type DiscoveryExport = ApiResponse<'/api/v1/discovery/exports', 'get'>['items'][number];
export type GdprRequest = ApiResponse<'/api/v1/gdpr/requests', 'get'>['items'][number];
export type GdprRequestInput = ApiBody<'/api/v1/gdpr/requests', 'post'>;
export type GdprContactChoice = ApiResponse<'/api/v1/gdpr/contacts', 'get'>['items'][number];
export type GdprReapplyResult = ApiResponse<'/api/v1/gdpr/ledger/reapply', 'post'>;

/** Routing (issue 12): an agent's availability and a number's or team's routing policy. */
export type Availability = ApiResponse<'/api/v1/availability', 'get'>['items'][number];
export type RoutingPolicy = ApiResponse<'/api/v1/routing/policies', 'get'>['items'][number];
export type RoutingPolicyInput = ApiBody<'/api/v1/routing/policies/{scopeType}/{scopeId}', 'put'>;
