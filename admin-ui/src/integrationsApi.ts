/** Typed calls for integrations (bot lookups), kept apart from endpoints.ts. */
import { api } from './api';
import type { ApiBody, ApiResponse } from './types';

export type Integration = ApiResponse<'/api/v1/integrations', 'get'>['items'][number];
export type IntegrationInput = ApiBody<'/api/v1/integrations', 'post'>;
export type IntegrationPatch = ApiBody<'/api/v1/integrations/{id}', 'patch'>;
export type IntegrationTestInput = ApiBody<'/api/v1/integrations/{id}/test', 'post'>;
export type IntegrationTestResult = ApiResponse<'/api/v1/integrations/{id}/test', 'post'>;

const id = (value: string) => encodeURIComponent(value);

export const integrationsApi = {
  list: () => api.get<{ items: Integration[] }>('/integrations'),
  create: (input: IntegrationInput) => api.post<{ integration: Integration }>('/integrations', input),
  update: (integrationId: string, patch: IntegrationPatch) => api.patch<{ integration: Integration }>(`/integrations/${id(integrationId)}`, patch),
  remove: (integrationId: string) => api.del<undefined>(`/integrations/${id(integrationId)}`),
  test: (integrationId: string, input: IntegrationTestInput) => api.post<IntegrationTestResult>(`/integrations/${id(integrationId)}/test`, input),
};
