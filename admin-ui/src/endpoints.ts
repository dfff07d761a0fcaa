/** Typed calls to the Switchboard API, one function per endpoint the admin UI uses. */
import { api, queryString } from './api';
import type {
  ApiBody,
  ApiQuery,
  ApiResponse,
  AuditVerifyResult,
  Broadcast,
  BroadcastDraft,
  BroadcastEstimate,
  BroadcastInput,
  BroadcastPreview,
  BroadcastVariable,
  CatalogueAction,
  Channel,
  ChannelTestResult,
  ConversationStatus,
  DiscoveryExport,
  DiscoveryFilters,
  DiscoveryOptions,
  DiscoveryPage,
  InboxView,
  GdprContactChoice,
  GdprReapplyResult,
  GdprRequest,
  GdprRequestInput,
  LegalHold,
  RateCard,
  RateCardInput,
  SpendReport,
  LegalHoldInput,
  LegalHoldOptions,
  ReviewQuery,
  ContactImport,
  ContactImportOptions,
  ContactImportUpload,
  ImportDecision,
  Segment,
  SegmentFilter,
  SegmentOptions,
  LexiconAction,
  LexiconHit,
  LexiconImportReport,
  LexiconTerm,
  LexiconTestResult,
  AutoReplyRule,
  AutoReplyTest,
  AutoReplyStats,
  BusinessHoursSettings,
  OutgoingMessage,
  Page,
  Readable,
  RetentionPolicies,
  RetentionPolicy,
  RetentionPolicyInput,
  RetentionPreview,
  RetentionRun,
  Role,
  SessionPayload,
  SubjectLabels,
  Team,
  Template,
  TemplateInput,
  User,
  UserStatus,
} from './types';

const id = (value: string) => encodeURIComponent(value);

export const authApi = {
  login: (email: string, password: string) =>
    api.post<SessionPayload>('/auth/login', { email, password }),
  logout: () => api.post<undefined>('/auth/logout'),
  /** The session, or null when signed out (no 401, so a signed-out page load logs no error). */
  session: () => api.get<Omit<ApiResponse<'/api/v1/auth/session', 'get'>, 'session'> & { session: SessionPayload | null }>('/auth/session'),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<undefined>('/auth/password', { currentPassword, newPassword }),
};

/** The unassigned counter and the user's alert preferences. */
export const noticeApi = {
  unassignedCount: () => api.get<ApiResponse<'/api/v1/conversations/unassigned/count', 'get'>>('/conversations/unassigned/count'),
  preferences: () => api.get<ApiResponse<'/api/v1/me/preferences', 'get'>>('/me/preferences'),
  savePreferences: (patch: ApiBody<'/api/v1/me/preferences', 'patch'>) =>
    api.patch<ApiResponse<'/api/v1/me/preferences', 'patch'>>('/me/preferences', patch),
};

export const sandboxApi = {
  /** Whether the built-in sandbox runs here (Sandbox:use). */
  status: () => api.get<ApiResponse<'/api/v1/sandbox', 'get'>>('/sandbox'),
};

export const catalogueApi = {
  list: () => api.get<{ subjects: SubjectLabels; actions: CatalogueAction[] }>('/permissions/catalogue'),
};

/** The users list's filters as the page holds them: '' is "any status", null the first page. */
export type UserQuery = Omit<ApiQuery<'/api/v1/users', 'get'>, 'limit' | 'status' | 'cursor'> & {
  status?: UserStatus | '';
  cursor?: string | null;
};

export type UserInput = ApiBody<'/api/v1/users', 'post'>;

export const PAGE_SIZE = 50;

/**
 * The server leaves out the user fields a viewer may not read (CASL field rules). Pickers that
 * only need a name get neutral values; the Users page reads the rows as they came (`page`).
 */
function normalizeUser(raw: RawUser): User {
  return {
    id: raw.id,
    email: raw.email ?? '',
    name: raw.name ?? '',
    status: raw.status ?? 'active',
    locale: raw.locale ?? 'en',
    roleIds: raw.roleIds ?? [],
    teamIds: raw.teamIds ?? [],
    mustChangePassword: raw.mustChangePassword ?? false,
    lastLoginAt: raw.lastLoginAt ?? null,
    createdAt: raw.createdAt ?? '',
  };
}

type RawUser = Readable<User>;

export const usersApi = {
  /** One page of users as the viewer may read them (withheld fields absent). */
  page: (query: UserQuery) => api.get<Page<RawUser>>(`/users${queryString({ ...query, limit: PAGE_SIZE })}`),
  list: async (query: UserQuery): Promise<Page<User>> => {
    const page = await usersApi.page(query);
    return { items: page.items.map(normalizeUser), nextCursor: page.nextCursor };
  },
  create: (input: UserInput) => api.post<{ user: RawUser; temporaryPassword: string }>('/users', input),
  update: (userId: string, patch: Partial<Omit<UserInput, 'email'>>) => api.patch<{ user: RawUser }>(`/users/${id(userId)}`, patch),
  disable: (userId: string) => api.post<{ user: RawUser }>(`/users/${id(userId)}/disable`),
  enable: (userId: string) => api.post<{ user: RawUser }>(`/users/${id(userId)}/enable`),
  resetPassword: (userId: string) =>
    api.post<ApiResponse<'/api/v1/users/{id}/reset-password', 'post'>>(`/users/${id(userId)}/reset-password`),
};

export type TeamInput = ApiBody<'/api/v1/teams', 'post'>;

export const teamsApi = {
  list: () => api.get<{ items: Team[] }>('/teams'),
  create: (input: TeamInput) => api.post<{ team: Team }>('/teams', input),
  update: (teamId: string, input: ApiBody<'/api/v1/teams/{id}', 'patch'>) =>
    api.patch<{ team: Team }>(`/teams/${id(teamId)}`, input),
  remove: (teamId: string) => api.del<undefined>(`/teams/${id(teamId)}`),
};

export type RoleInput = ApiBody<'/api/v1/roles', 'post'>;

export const rolesApi = {
  list: () => api.get<{ items: Role[] }>('/roles'),
  create: (input: RoleInput) => api.post<{ role: Role }>('/roles', input),
  update: (roleId: string, input: Omit<RoleInput, 'key'>) =>
    api.patch<{ role: Role }>(`/roles/${id(roleId)}`, input),
  remove: (roleId: string) => api.del<undefined>(`/roles/${id(roleId)}`),
};

export type AuditQuery = Omit<ApiQuery<'/api/v1/audit/events', 'get'>, 'limit' | 'beforeSeq'> & { beforeSeq?: number | null };
export type AuditPage = ApiResponse<'/api/v1/audit/events', 'get'>;
export type AuditExportFormat = ApiQuery<'/api/v1/audit/export', 'get'>['format'];

export const auditApi = {
  list: (query: AuditQuery) => api.get<AuditPage>(`/audit/events${queryString({ ...query, limit: PAGE_SIZE })}`),
  actors: (q: string) => api.get<ApiResponse<'/api/v1/audit/actors', 'get'>>(`/audit/actors${queryString({ q })}`),
  verify: () => api.get<AuditVerifyResult>('/audit/verify'),
  anchor: () => api.post<ApiResponse<'/api/v1/audit/anchors', 'post', 201>>('/audit/anchors'),
  /** Plain links (attachments): the browser downloads them with the session cookie. */
  latestAnchorUrl: '/api/v1/audit/anchors/latest',
  publicKeyUrl: '/api/v1/audit/public-key',
  /** The filtered range as a streamed download (a plain link, like the anchor). */
  exportUrl: (query: AuditQuery, format: AuditExportFormat) => `/api/v1/audit/export${queryString({ ...query, beforeSeq: undefined, format })}`,
};

export type ChannelInput = ApiBody<'/api/v1/channels', 'post'>;

type RawChannel = Readable<Channel>;
type ChannelLane = ApiResponse<'/api/v1/channels/{id}/lane', 'get'>;
type ChannelList = Omit<ApiResponse<'/api/v1/channels', 'get'>, 'items'> & { items: RawChannel[] };

/**
 * Field rules may hide channel fields from a viewer. Pickers (inbox filters) that only need a
 * name get neutral values; the Channels and Templates pages read the rows as they came.
 */
/** A number for pickers; its WABA id only when the role may read it (row checks of templates use it). */
function normalizeChannel(raw: RawChannel): Pick<Channel, 'id' | 'name' | 'displayNumber'> & { wabaId?: string } {
  return { id: raw.id, name: raw.name ?? '', displayNumber: raw.displayNumber ?? '', ...(raw.wabaId === undefined ? {} : { wabaId: raw.wabaId }) };
}

export const channelsApi = {
  /** The numbers as the viewer may read them, and the defaults a new number gets. */
  page: () => api.get<ChannelList>('/channels'),
  list: async () => ({ items: (await channelsApi.page()).items.map(normalizeChannel) }),
  create: (input: ChannelInput) => api.post<{ channel: RawChannel }>('/channels', input),
  /** Secrets are sent only when a new value was typed; absent means "keep the stored one". */
  update: (channelId: string, patch: Partial<ChannelInput>) => api.patch<{ channel: RawChannel }>(`/channels/${id(channelId)}`, patch),
  remove: (channelId: string) => api.del<undefined>(`/channels/${id(channelId)}`),
  test: (channelId: string) => api.post<ChannelTestResult>(`/channels/${id(channelId)}/test`),
  /** The number's sending lane: backlog, held messages, tier use, pause. */
  lane: (channelId: string) => api.get<ChannelLane>(`/channels/${id(channelId)}/lane`),
  resumeLane: (channelId: string) => api.post<ChannelLane>(`/channels/${id(channelId)}/lane/resume`),
};

/** The inbox's filters as the page holds them: a view always, '' is "any status", null the first page. */
export type ConversationQuery = Omit<ApiQuery<'/api/v1/conversations', 'get'>, 'limit' | 'view' | 'status' | 'cursor'> & {
  view: InboxView;
  status?: ConversationStatus | '';
  cursor?: string | null;
};

export const MESSAGE_PAGE_SIZE = 50;

export const conversationsApi = {
  list: (query: ConversationQuery) =>
    api.get<ApiResponse<'/api/v1/conversations', 'get'>>(`/conversations${queryString({ ...query, limit: PAGE_SIZE })}`),
  get: (conversationId: string) =>
    api.get<ApiResponse<'/api/v1/conversations/{id}', 'get'>>(`/conversations/${id(conversationId)}`),
  messages: (conversationId: string, before: string | null) =>
    api.get<ApiResponse<'/api/v1/conversations/{id}/messages', 'get'>>(
      `/conversations/${id(conversationId)}/messages${queryString({ before, limit: MESSAGE_PAGE_SIZE })}`,
    ),
  send: (conversationId: string, message: OutgoingMessage) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/messages', 'post', 201>>(`/conversations/${id(conversationId)}/messages`, message),
  markRead: (conversationId: string) => api.post<undefined>(`/conversations/${id(conversationId)}/read`),
  assign: (conversationId: string, assigneeId: string | null) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/assign', 'post'>>(`/conversations/${id(conversationId)}/assign`, { assigneeId }),
  transfer: (conversationId: string, target: { assigneeId?: string; teamId?: string }) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/transfer', 'post'>>(`/conversations/${id(conversationId)}/transfer`, target),
  resolve: (conversationId: string) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/resolve', 'post'>>(`/conversations/${id(conversationId)}/resolve`),
  reopen: (conversationId: string) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/reopen', 'post'>>(`/conversations/${id(conversationId)}/reopen`),
  pending: (conversationId: string) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/pending', 'post'>>(`/conversations/${id(conversationId)}/pending`),
  claim: (conversationId: string) =>
    api.post<ApiResponse<'/api/v1/conversations/{id}/claim', 'post'>>(`/conversations/${id(conversationId)}/claim`),
  /** Who the conversation may go to: users whose roles would let them work it (in `teamId`, for a transfer there). */
  assignees: (conversationId: string, purpose: 'assign' | 'transfer', teamId?: string) =>
    api.get<ApiResponse<'/api/v1/conversations/{id}/assignees', 'get'>>(
      `/conversations/${id(conversationId)}/assignees${queryString({ for: purpose, teamId: teamId || undefined })}`,
    ),
};

export const mediaApi = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<ApiResponse<'/api/v1/media', 'post', 201>>('/media', form);
  },
};

export const templatesApi = {
  list: (channelId: string) => api.get<{ items: Template[] }>(`/templates${queryString({ channelId })}`),
  create: (input: TemplateInput) => api.post<{ template: Template }>('/templates', input),
  /** Uploads a media header's sample file for WhatsApp's review; the handle goes in header.exampleHandle. */
  uploadSample: (channelId: string, file: File) => {
    const form = new FormData();
    form.append('channelId', channelId);
    form.append('file', file, file.name);
    return api.upload<ApiResponse<'/api/v1/templates/samples', 'post'>>('/templates/samples', form);
  },
};

export type LexiconTermQuery = { q?: string; locale?: string; offset?: number };

export const autoReplyApi = {
  list: () => api.get<{ items: AutoReplyRule[] }>('/autoreply/rules'),
  create: (input: ApiBody<'/api/v1/autoreply/rules', 'post'>) => api.post<{ rule: AutoReplyRule }>('/autoreply/rules', input),
  update: (ruleId: string, patch: ApiBody<'/api/v1/autoreply/rules/{id}', 'patch'>) => api.patch<{ rule: AutoReplyRule }>(`/autoreply/rules/${id(ruleId)}`, patch),
  remove: (ruleId: string) => api.del<undefined>(`/autoreply/rules/${id(ruleId)}`),
  test: (text: string, channelId?: string) => api.post<AutoReplyTest>('/autoreply/test', channelId ? { text, channelId } : { text }),
  stats: () => api.get<AutoReplyStats>('/autoreply/stats'),
  hours: (channelId: string) => api.get<{ settings: BusinessHoursSettings }>(`/autoreply/hours/${id(channelId)}`),
  saveHours: (channelId: string, input: ApiBody<'/api/v1/autoreply/hours/{channelId}', 'put'>) => api.put<{ settings: BusinessHoursSettings }>(`/autoreply/hours/${id(channelId)}`, input),
};

export const lexiconApi = {
  list: (query: LexiconTermQuery) => api.get<{ items: LexiconTerm[]; total: number }>(`/lexicon/terms${queryString({ ...query, limit: PAGE_SIZE })}`),
  create: (input: ApiBody<'/api/v1/lexicon/terms', 'post'>) => api.post<{ term: LexiconTerm }>('/lexicon/terms', input),
  changeAction: (termId: string, action: LexiconAction) => api.patch<{ term: LexiconTerm }>(`/lexicon/terms/${id(termId)}`, { action }),
  remove: (termId: string) => api.del<undefined>(`/lexicon/terms/${id(termId)}`),
  /** Uploads a term list (text: one term per line; CSV: term, action, locale). */
  importFile: (file: File, defaults: { locale: string; action: LexiconAction }) => {
    const form = new FormData();
    form.set('file', file);
    return api.upload<LexiconImportReport>(`/lexicon/terms/import${queryString(defaults)}`, form);
  },
  test: (text: string) => api.post<LexiconTestResult>('/lexicon/test', { text }),
  hits: (pending: boolean) => api.get<{ items: LexiconHit[] }>(`/lexicon/hits${queryString({ pending: String(pending), limit: PAGE_SIZE })}`),
  review: (hitId: string) => api.post<{ hit: LexiconHit }>(`/lexicon/hits/${id(hitId)}/review`),
};

export const retentionApi = {
  policies: () => api.get<RetentionPolicies>('/retention/policies'),
  set: (input: RetentionPolicyInput) => api.put<{ policy: RetentionPolicy }>('/retention/policies', input),
  lock: (policyId: string) => api.post<{ policy: RetentionPolicy }>(`/retention/policies/${id(policyId)}/lock`),
  remove: (policyId: string) => api.del<undefined>(`/retention/policies/${id(policyId)}`),
  preview: () => api.get<RetentionPreview>('/retention/preview'),
  runs: () => api.get<{ items: RetentionRun[] }>('/retention/runs'),
  runNow: () => api.post<{ run: RetentionRun }>('/retention/runs'),
};

/** Costs: the month's spend and budget, and the dated rate cards. */
export const costsApi = {
  spend: (month: string) => api.get<SpendReport>(`/costs/spend${queryString({ month })}`),
  /** The month's spend as a CSV download (a plain link: the session cookie authenticates it). */
  spendCsvUrl: (month: string) => `/api/v1/costs/spend.csv${queryString({ month })}`,
  cards: () => api.get<{ items: RateCard[] }>('/costs/rate-cards'),
  createCard: (input: RateCardInput) => api.post<{ card: RateCard }>('/costs/rate-cards', input),
  updateCard: (cardId: string, input: RateCardInput) => api.put<{ card: RateCard }>(`/costs/rate-cards/${id(cardId)}`, input),
  /** Resolves true once deleted (the answer is an empty 204). */
  deleteCard: async (cardId: string) => {
    await api.del<void>(`/costs/rate-cards/${id(cardId)}`);
    return true;
  },
  saveBudget: (monthlyBudget: { amount: number; currency: string } | null, budgetAlertPercent: number) => api.patch<unknown>('/settings', { monthlyBudget, budgetAlertPercent }),
};

export const holdsApi = {
  list: () => api.get<{ items: LegalHold[] }>('/legal-holds'),
  options: () => api.get<LegalHoldOptions>('/legal-holds/options'),
  create: (input: LegalHoldInput) => api.post<{ hold: LegalHold }>('/legal-holds', input),
  release: (holdId: string, reason: string) => api.post<{ hold: LegalHold }>(`/legal-holds/${id(holdId)}/release`, { reason }),
};

/** Conversation review (compliance): any conversation of any date, read-only; every opening is audited. */
export const reviewApi = {
  list: (query: Omit<ReviewQuery, 'limit'>) =>
    api.get<ApiResponse<'/api/v1/review/conversations', 'get'>>(`/review/conversations${queryString({ ...query, limit: PAGE_SIZE })}`),
  options: () => api.get<ApiResponse<'/api/v1/review/options', 'get'>>('/review/options'),
  get: (conversationId: string) =>
    api.get<ApiResponse<'/api/v1/review/conversations/{id}', 'get'>>(`/review/conversations/${id(conversationId)}`),
  messages: (conversationId: string, before: string | null) =>
    api.get<ApiResponse<'/api/v1/review/conversations/{id}/messages', 'get'>>(
      `/review/conversations/${id(conversationId)}/messages${queryString({ before, limit: MESSAGE_PAGE_SIZE })}`,
    ),
  history: (conversationId: string, afterSeq: number | null) =>
    api.get<ApiResponse<'/api/v1/review/conversations/{id}/history', 'get'>>(`/review/conversations/${id(conversationId)}/history${queryString({ afterSeq })}`),
};

export const discoveryApi = {
  search: (filters: DiscoveryFilters, cursor?: string) => api.post<DiscoveryPage>('/discovery/search', { filters, cursor, limit: 25 }),
  options: () => api.get<DiscoveryOptions>('/discovery/options'),
  exports: () => api.get<{ items: DiscoveryExport[] }>('/discovery/exports'),
  createExport: (filters: DiscoveryFilters) => api.post<{ export: DiscoveryExport }>('/discovery/exports', { filters }),
  /** A plain link (an attachment): the browser downloads it with the session cookie. */
  downloadUrl: (exportId: string) => `/api/v1/discovery/exports/${id(exportId)}/download`,
};

export const gdprApi = {
  list: (state: 'open' | 'all') => api.get<{ items: GdprRequest[] }>(`/gdpr/requests${queryString({ state })}`),
  contacts: (phone: string) => api.get<{ items: GdprContactChoice[] }>(`/gdpr/contacts${queryString({ phone })}`),
  create: (input: GdprRequestInput) => api.post<{ request: GdprRequest }>('/gdpr/requests', input),
  extend: (requestId: string, months: 1 | 2, reason: string) => api.post<{ request: GdprRequest }>(`/gdpr/requests/${id(requestId)}/extend`, { months, reason }),
  exportArchive: (requestId: string) => api.post<{ request: GdprRequest }>(`/gdpr/requests/${id(requestId)}/export`),
  erase: (requestId: string) => api.post<{ request: GdprRequest }>(`/gdpr/requests/${id(requestId)}/erase`),
  reapplyLedger: () => api.post<GdprReapplyResult>('/gdpr/ledger/reapply'),
};

export const segmentsApi = {
  options: () => api.get<SegmentOptions>('/segments/options'),
  list: () => api.get<{ items: Segment[] }>('/segments'),
  count: (filter: SegmentFilter) => api.post<{ count: number }>('/segments/count', { filter }),
  create: (name: string, filter: SegmentFilter) => api.post<{ segment: Segment }>('/segments', { name, filter }),
  remove: (segmentId: string) => api.del<undefined>(`/segments/${id(segmentId)}`),
  exportUrl: (segmentId: string) => `/api/v1/segments/${id(segmentId)}/export.csv`,
  exportFilterUrl: (filter: SegmentFilter) => `/api/v1/segments/export.csv${queryString({ filter: JSON.stringify(filter) })}`,
};

export const broadcastsApi = {
  list: () => api.get<{ items: Broadcast[] }>('/broadcasts'),
  get: (broadcastId: string) => api.get<{ broadcast: Broadcast }>(`/broadcasts/${id(broadcastId)}`),
  variables: (templateId: string) => api.get<{ variables: BroadcastVariable[] }>(`/broadcasts/template-variables${queryString({ templateId })}`),
  estimate: (draft: BroadcastDraft) => api.post<BroadcastEstimate>('/broadcasts/estimate', draft),
  preview: (draft: BroadcastDraft) => api.post<BroadcastPreview>('/broadcasts/preview', draft),
  create: (input: BroadcastInput) => api.post<{ broadcast: Broadcast }>('/broadcasts', input),
  move: (broadcastId: string, move: 'pause' | 'resume' | 'cancel') => api.post<{ broadcast: Broadcast }>(`/broadcasts/${id(broadcastId)}/${move}`),
};

export const importsApi = {
  upload: (file: File) => {
    const form = new FormData();
    form.set('file', file);
    return api.upload<ContactImportUpload>('/imports', form);
  },
  get: (importId: string) => api.get<{ import: ContactImport }>(`/imports/${id(importId)}`),
  start: (importId: string, options: ContactImportOptions, dryRun: boolean) => api.post<{ import: ContactImport }>(`/imports/${id(importId)}/start`, { options, dryRun }),
  rows: (importId: string) => api.get<{ items: ImportDecision[] }>(`/imports/${id(importId)}/rows${queryString({ limit: 100 })}`),
  reportUrl: (importId: string, only: 'rejected' | 'all') => `/api/v1/imports/${id(importId)}/report.csv${queryString({ only })}`,
};

/** Agents' availability (online, away, offline) and capacity; the panel's heartbeat. */
export const availabilityApi = {
  list: () => api.get<ApiResponse<'/api/v1/availability', 'get'>>('/availability'),
  setState: (userId: string, state: 'online' | 'away' | 'offline') =>
    api.put<ApiResponse<'/api/v1/availability/{userId}/state', 'put'>>(`/availability/${id(userId)}/state`, { state }),
  setCapacity: (userId: string, capacity: number | null) =>
    api.put<ApiResponse<'/api/v1/availability/{userId}/capacity', 'put'>>(`/availability/${id(userId)}/capacity`, { capacity }),
  heartbeat: () => api.post<undefined>('/availability/heartbeat', {}),
};

/** Routing policies of numbers and teams. */
export const routingApi = {
  list: () => api.get<ApiResponse<'/api/v1/routing/policies', 'get'>>('/routing/policies'),
  save: (scopeType: 'channel' | 'team', scopeId: string, input: ApiBody<'/api/v1/routing/policies/{scopeType}/{scopeId}', 'put'>) =>
    api.put<ApiResponse<'/api/v1/routing/policies/{scopeType}/{scopeId}', 'put'>>(`/routing/policies/${scopeType}/${id(scopeId)}`, input),
  remove: (scopeType: 'channel' | 'team', scopeId: string) => api.del<undefined>(`/routing/policies/${scopeType}/${id(scopeId)}`),
  /** A conversation's assignment changes (audit events), oldest first. */
  assignments: (conversationId: string) =>
    api.get<ApiResponse<'/api/v1/conversations/{id}/assignments', 'get'>>(`/conversations/${id(conversationId)}/assignments`),
};
