/** Typed calls for canned responses and macros (kept apart from endpoints.ts). */
import { api, queryString } from './api';
import type { ApiBody, ApiResponse, ConversationSummary } from './types';

export type CannedResponse = ApiResponse<'/api/v1/canned-responses', 'get'>['items'][number];
export type CannedInput = ApiBody<'/api/v1/canned-responses', 'post'>;
export type CannedPatch = ApiBody<'/api/v1/canned-responses/{id}', 'patch'>;
export type Macro = ApiResponse<'/api/v1/macros', 'get'>['items'][number];
export type MacroAction = Macro['actions'][number];
export type MacroActionType = MacroAction['type'];
export type MacroInput = ApiBody<'/api/v1/macros', 'post'>;
export type MacroPatch = ApiBody<'/api/v1/macros/{id}', 'patch'>;

/** The step types, in the order the macro form offers them. */
export const MACRO_ACTION_TYPES: MacroActionType[] = ['add_label', 'remove_label', 'assign_team', 'send_text', 'send_canned', 'resolve'];

const id = (value: string) => encodeURIComponent(value);

export const cannedApi = {
  /** Yours and the shared ones; with a conversation, each carries its text filled for it (`text`). */
  list: (conversationId?: string) => api.get<{ items: CannedResponse[] }>(`/canned-responses${queryString({ conversationId })}`),
  create: (input: CannedInput) => api.post<{ cannedResponse: CannedResponse }>('/canned-responses', input),
  update: (cannedId: string, patch: CannedPatch) => api.patch<{ cannedResponse: CannedResponse }>(`/canned-responses/${id(cannedId)}`, patch),
  remove: (cannedId: string) => api.del<undefined>(`/canned-responses/${id(cannedId)}`),
};

export const macrosApi = {
  list: () => api.get<{ items: Macro[] }>('/macros'),
  create: (input: MacroInput) => api.post<{ macro: Macro }>('/macros', input),
  update: (macroId: string, patch: MacroPatch) => api.patch<{ macro: Macro }>(`/macros/${id(macroId)}`, patch),
  remove: (macroId: string) => api.del<undefined>(`/macros/${id(macroId)}`),
  /** Runs every step or none; the conversation as it is after, or null when you may no longer see it. */
  run: (conversationId: string, macroId: string) =>
    api.post<{ conversation: ConversationSummary | null }>(`/conversations/${id(conversationId)}/macros/${id(macroId)}/run`),
};
