/** Shapes exchanged with the Switchboard API (`/api/v1`). Mirrors the server presenters. */
import type { PackRule } from '@casl/ability/extra';

export type Locale = 'en' | 'fr';

/** The signed-in user as returned by `/me` and `/auth/login`. */
export interface Me {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  mustChangePassword: boolean;
  roleIds: string[];
  teamIds: string[];
}

/** A CASL raw rule as stored in a role. */
export interface RawRule {
  action: string | string[];
  subject: string | string[];
  conditions?: Record<string, unknown>;
  fields?: string[];
  inverted?: boolean;
  reason?: string;
}

/** Response of `/me` and `/auth/login`: the session and its packed CASL rules. */
export interface SessionPayload {
  user: Me;
  csrfToken: string;
  rules: PackRule<RawRule>[];
}

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  email: string;
  name: string;
  status: UserStatus;
  roleIds: string[];
  teamIds: string[];
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
  description: string;
  memberCount: number;
}

export interface Role {
  id: string;
  key: string;
  name: string;
  description: string;
  builtin: boolean;
  rules: RawRule[];
  userCount: number;
}

/** One entry of the permission catalogue (`policies/permissions.yaml`). */
export interface CatalogueAction {
  key: string;
  subject: string;
  action: string;
  labels: Record<Locale, string>;
  buttons: string[];
}

export interface AuditEvent {
  seq: number;
  at: string;
  actorType?: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
