/** The CASL ability of the signed-in user, and the pages it gates. */
import { createMongoAbility, subject } from '@casl/ability';
import type { ForcedSubject, MongoAbility, RawRuleOf } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import type { PackRule } from '@casl/ability/extra';
import type { RouteName } from './router';
import type { RawRule } from './types';

/** Actions the admin UI checks. `manage` is CASL's wildcard. */
export type UiAction =
  | 'manage'
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'disable'
  | 'enable'
  | 'resetPassword'
  | 'verify'
  | 'anchor'
  | 'export'
  | 'test'
  | 'assign'
  | 'transfer'
  | 'resolve'
  | 'claim'
  | 'use'
  | 'import'
  | 'review'
  | 'lock'
  | 'run'
  | 'release'
  | 'download'
  | 'resume'
  | 'consent'
  | 'merge'
  | 'capacity'
  | 'erase'
  | 'reapplyLedger'
  | 'control';

/** Subjects the admin UI checks. `all` is CASL's wildcard. */
export type UiSubject =
  | 'all' | 'User' | 'Team' | 'Role' | 'AuditEvent' | 'Channel' | 'Conversation' | 'Message' | 'Template' | 'Sandbox'
  | 'Lexicon' | 'LexiconHit' | 'RetentionPolicy' | 'LegalHold' | 'ConversationReview' | 'Discovery' | 'DiscoveryExport' | 'GdprRequest'
  | 'Contact' | 'ContactNote' | 'Label' | 'ContactAttribute' | 'Setting' | 'Segment' | 'ContactImport' | 'Integration' | 'CannedResponse' | 'Macro' | 'Cost' | 'RateCard' | 'Broadcast'
  | 'AutoReplyRule' | 'BusinessHours' | 'Availability' | 'RoutingPolicy';

/** One row, made with CASL's `subject('User', row)`, so conditions are checked against its fields. */
export type UiRow = ForcedSubject<Exclude<UiSubject, 'all'>>;

export type AppAbility = MongoAbility<[UiAction, UiSubject | UiRow]>;

/**
 * One row as CASL sees it, so a rule's conditions (`assigneeId`, `teamIds`, `id`...) are checked
 * against its fields: a button the user may not use on this row is not shown.
 */
export function rowSubject(type: Exclude<UiSubject, 'all'>, fields: object): UiRow {
  return subject(type, { ...fields });
}

/** An empty ability; `applyPackedRules` fills it from the server. */
export function createAppAbility(): AppAbility {
  return createMongoAbility<AppAbility>([]);
}

/**
 * Replaces the ability's rules with the server's packed rules. The rules may name actions
 * and subjects this UI does not know (conversations, exports...); CASL simply never
 * matches them here, so the cast only widens what the UI can ask about.
 */
export function applyPackedRules(ability: AppAbility, packed: PackRule<RawRule>[]): void {
  ability.update(unpackRules(packed) as RawRuleOf<AppAbility>[]);
}

/**
 * The pages behind the sidebar, in menu order, with the subject each one lists. The first
 * readable one is the start page: the inbox for everyone who may read conversations.
 */
export const PAGES = [
  { route: 'inbox', subject: 'Conversation', button: 'nav.inbox' },
  { route: 'channels', subject: 'Channel', button: 'nav.channels' },
  { route: 'templates', subject: 'Template', button: 'nav.templates' },
  { route: 'users', subject: 'User', button: 'nav.users' },
  { route: 'teams', subject: 'Team', button: 'nav.teams' },
  { route: 'roles', subject: 'Role', button: 'nav.roles' },
  { route: 'audit', subject: 'AuditEvent', button: 'nav.audit' },
  { route: 'lexicon', subject: 'Lexicon', button: 'nav.lexicon' },
  { route: 'auto-replies', subject: 'AutoReplyRule', button: 'nav.autoReplies' },
  { route: 'business-hours', subject: 'BusinessHours', button: 'nav.businessHours' },
  { route: 'retention', subject: 'RetentionPolicy', button: 'nav.retention' },
  { route: 'legal-holds', subject: 'LegalHold', button: 'nav.legalHolds' },
  { route: 'review', subject: 'ConversationReview', button: 'nav.review' },
  { route: 'discovery', subject: 'Discovery', button: 'nav.discovery' },
  { route: 'gdpr', subject: 'GdprRequest', button: 'nav.gdpr' },
  { route: 'contacts', subject: 'Contact', button: 'nav.contacts' },
  { route: 'contact-fields', subject: 'Label', button: 'nav.contactFields' },
  { route: 'segments', subject: 'Segment', button: 'nav.segments' },
  { route: 'contact-imports', subject: 'ContactImport', button: 'nav.imports' },
  { route: 'integrations', subject: 'Integration', button: 'nav.integrations' },
  { route: 'canned', subject: 'CannedResponse', button: 'nav.canned' },
  { route: 'macros', subject: 'Macro', button: 'nav.macros' },
  { route: 'costs', subject: 'Cost', button: 'nav.costs' },
  { route: 'availability', subject: 'Availability', button: 'nav.availability' },
  { route: 'routing', subject: 'RoutingPolicy', button: 'nav.routing' },
  { route: 'broadcasts', subject: 'Broadcast', button: 'nav.broadcasts' },
] as const satisfies readonly { route: RouteName; subject: UiSubject; button: string }[];

export type PageRoute = (typeof PAGES)[number]['route'];

/** The first page the user may read, or null (then the UI shows a welcome page). */
export function firstReadablePage(ability: AppAbility): PageRoute | null {
  return PAGES.find((page) => ability.can('read', page.subject))?.route ?? null;
}

/** Whether a route is open to the user: account routes always, list pages by `read`. */
export function mayOpen(ability: AppAbility, route: RouteName): boolean {
  const page = PAGES.find((candidate) => candidate.route === route);
  return page ? ability.can('read', page.subject) : true;
}
