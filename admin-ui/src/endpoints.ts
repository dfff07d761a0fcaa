/** Typed calls to the Switchboard API, one function per endpoint the admin UI uses. */
import { api, queryString } from './api';
import type {
  ApiBody,
  ApiQuery,
  ApiResponse,
  AuditEvent,
  AuditVerifyResult,
  CatalogueAction,
  Channel,
  ChannelTestResult,
  ConversationStatus,
  InboxView,
  OutgoingMessage,
  Page,
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
  me: () => api.get<SessionPayload>('/me'),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<undefined>('/auth/password', { currentPassword, newPassword }),
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
 * The server leaves out the user fields a viewer may not read (CASL field rules); give the
 * missing ones neutral values so the table can still render the row.
 */
function normalizeUser(raw: Partial<User> & Pick<User, 'id'>): User {
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

type RawUser = Partial<User> & Pick<User, 'id'>;

export const usersApi = {
  list: async (query: UserQuery): Promise<Page<User>> => {
    const page = await api.get<Page<RawUser>>(`/users${queryString({ ...query, limit: PAGE_SIZE })}`);
    return { items: page.items.map(normalizeUser), nextCursor: page.nextCursor };
  },
  create: async (input: UserInput) => {
    const result = await api.post<{ user: RawUser; temporaryPassword: string }>('/users', input);
    return { user: normalizeUser(result.user), temporaryPassword: result.temporaryPassword };
  },
  update: async (userId: string, patch: Partial<Omit<UserInput, 'email'>>) =>
    ({ user: normalizeUser((await api.patch<{ user: RawUser }>(`/users/${id(userId)}`, patch)).user) }),
  disable: async (userId: string) =>
    ({ user: normalizeUser((await api.post<{ user: RawUser }>(`/users/${id(userId)}/disable`)).user) }),
  enable: async (userId: string) =>
    ({ user: normalizeUser((await api.post<{ user: RawUser }>(`/users/${id(userId)}/enable`)).user) }),
  resetPassword: (userId: string) =>
    api.post<ApiResponse<'/api/v1/users/{id}/reset-password', 'post'>>(`/users/${id(userId)}/reset-password`),
};

export type TeamInput = ApiBody<'/api/v1/teams', 'post'>;

export const teamsApi = {
  list: () => api.get<{ items: Team[] }>('/teams'),
  create: (input: TeamInput) => api.post<{ team: Team }>('/teams', input),
  update: (teamId: string, input: TeamInput) =>
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

export const auditApi = {
  list: (query: AuditQuery) =>
    api.get<{ items: AuditEvent[]; nextBeforeSeq: number | null }>(
      `/audit/events${queryString({ ...query, limit: PAGE_SIZE })}`,
    ),
  verify: () => api.get<AuditVerifyResult>('/audit/verify'),
  anchor: () => api.post<ApiResponse<'/api/v1/audit/anchors', 'post', 201>>('/audit/anchors'),
  /** Plain links (attachments): the browser downloads them with the session cookie. */
  latestAnchorUrl: '/api/v1/audit/anchors/latest',
  publicKeyUrl: '/api/v1/audit/public-key',
};

export type ChannelInput = ApiBody<'/api/v1/channels', 'post'>;

type RawChannel = Partial<Channel> & Pick<Channel, 'id'>;
const NO_SECRET = { set: false, last4: null };

/** Field rules may hide channel fields from a viewer: give them neutral values (as for users). */
function normalizeChannel(raw: RawChannel): Channel {
  return {
    id: raw.id,
    name: raw.name ?? '',
    phoneNumberId: raw.phoneNumberId ?? '',
    wabaId: raw.wabaId ?? '',
    displayNumber: raw.displayNumber ?? '',
    graphBaseUrl: raw.graphBaseUrl ?? '',
    graphVersion: raw.graphVersion ?? '',
    appId: raw.appId ?? '',
    lane: raw.lane ?? 'shared',
    throughputMps: raw.throughputMps ?? 0,
    qualityRating: raw.qualityRating ?? 'UNKNOWN',
    messagingTier: raw.messagingTier ?? null,
    status: raw.status ?? 'active',
    statusReason: raw.statusReason ?? null,
    webhookUrl: raw.webhookUrl ?? '',
    secrets: {
      accessToken: raw.secrets?.accessToken ?? NO_SECRET,
      appSecret: raw.secrets?.appSecret ?? NO_SECRET,
      verifyToken: raw.secrets?.verifyToken ?? NO_SECRET,
    },
    lastTestAt: raw.lastTestAt ?? null,
    lastTestOk: raw.lastTestOk ?? null,
    createdAt: raw.createdAt ?? '',
    isSandbox: raw.isSandbox ?? false,
  };
}

export const channelsApi = {
  list: async () => ({ items: (await api.get<{ items: RawChannel[] }>('/channels')).items.map(normalizeChannel) }),
  create: async (input: ChannelInput) => ({ channel: normalizeChannel((await api.post<{ channel: RawChannel }>('/channels', input)).channel) }),
  /** Secrets are sent only when a new value was typed; absent means "keep the stored one". */
  update: async (channelId: string, patch: Partial<ChannelInput>) =>
    ({ channel: normalizeChannel((await api.patch<{ channel: RawChannel }>(`/channels/${id(channelId)}`, patch)).channel) }),
  remove: (channelId: string) => api.del<undefined>(`/channels/${id(channelId)}`),
  test: (channelId: string) => api.post<ChannelTestResult>(`/channels/${id(channelId)}/test`),
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
