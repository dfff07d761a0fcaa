import type { AppAbility } from '../authz/ability';
import type { RawRuleInput } from '../authz/schema';

/** The signed-in principal of one request: who they are, their session and what they may do. */
export type AuthState = {
  user: {
    id: string;
    email: string;
    name: string;
    locale: 'en' | 'fr';
    mustChangePassword: boolean;
    roleIds: string[];
    teamIds: string[];
  };
  sessionId: string;
  csrfToken: string;
  rules: RawRuleInput[];
  /** The rules with placeholders filled, packed for the UI. */
  packedRules: unknown[];
  ability: AppAbility;
};
