/** Typed calls for contacts, their labels and attribute definitions (kept apart from endpoints.ts). */
import { api, queryString } from './api';
import type { ApiBody, ApiResponse } from './types';

export type Contact = ApiResponse<'/api/v1/contacts', 'get'>['items'][number];
export type ContactDetail = ApiResponse<'/api/v1/contacts/{id}', 'get'>;
export type ContactNote = ContactDetail['notes'][number];
export type Label = ApiResponse<'/api/v1/labels', 'get'>['items'][number];
export type AttributeDefinition = ApiResponse<'/api/v1/contact-attributes', 'get'>['items'][number];
export type AttributeType = AttributeDefinition['type'];
export type ContactInput = ApiBody<'/api/v1/contacts', 'post'>;
export type ContactPatch = ApiBody<'/api/v1/contacts/{id}', 'patch'>;
export type AttributeInput = ApiBody<'/api/v1/contact-attributes', 'post'>;

const id = (value: string) => encodeURIComponent(value);

export const contactsApi = {
  list: (query: { q?: string; labelId?: string; cursor?: string | null }) =>
    api.get<ApiResponse<'/api/v1/contacts', 'get'>>(`/contacts${queryString(query)}`),
  get: (contactId: string) => api.get<ContactDetail>(`/contacts/${id(contactId)}`),
  create: (input: ContactInput) => api.post<{ contact: Contact }>('/contacts', input),
  update: (contactId: string, patch: ContactPatch) => api.patch<{ contact: Contact }>(`/contacts/${id(contactId)}`, patch),
  consent: (contactId: string, state: 'in' | 'out') => api.post<{ contact: Contact }>(`/contacts/${id(contactId)}/consent`, { state }),
  merge: (contactId: string, otherId: string) => api.post<ApiResponse<'/api/v1/contacts/{id}/merge', 'post'>>(`/contacts/${id(contactId)}/merge`, { otherId }),
  addNote: (contactId: string, body: string) => api.post<{ note: ContactNote }>(`/contacts/${id(contactId)}/notes`, { body }),
  editNote: (contactId: string, noteId: string, body: string) => api.patch<{ note: ContactNote }>(`/contacts/${id(contactId)}/notes/${id(noteId)}`, { body }),
  removeNote: (contactId: string, noteId: string) => api.del<undefined>(`/contacts/${id(contactId)}/notes/${id(noteId)}`),
};

export const labelsApi = {
  list: () => api.get<{ items: Label[] }>('/labels'),
  create: (input: { name: string; color?: string }) => api.post<{ label: Label }>('/labels', input),
  update: (labelId: string, input: { name?: string; color?: string }) => api.patch<{ label: Label }>(`/labels/${id(labelId)}`, input),
  remove: (labelId: string) => api.del<undefined>(`/labels/${id(labelId)}`),
};

export const attributesApi = {
  list: () => api.get<{ items: AttributeDefinition[] }>('/contact-attributes'),
  create: (input: AttributeInput) => api.post<{ attribute: AttributeDefinition }>('/contact-attributes', input),
  update: (key: string, input: { name?: string; type?: AttributeType; options?: string[] }) =>
    api.patch<{ attribute: AttributeDefinition }>(`/contact-attributes/${id(key)}`, input),
  remove: (key: string) => api.del<undefined>(`/contact-attributes/${id(key)}`),
};
