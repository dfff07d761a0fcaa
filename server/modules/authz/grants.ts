import type { Actor } from '../../lib/actor';
import type { AuthState } from '../identity/principal';
import { errors, type AppError } from '../../lib/errors';
import type { Services } from '../../services';
import type { Db, Trx } from '../../db/knex';
import { interpolateRules, type AppAbility, type RuleContext } from './ability';
import { uncoveredRules, type CoverageRule } from './coverage';
import { roleHolders, rulesOfRoles } from './roleRepo';
import type { RawRuleInput } from './schema';

/** A person rules are written for: what `${user.*}` placeholders resolve to. */
export type Person = RuleContext['user'];

/** Who is granting: the audit's actor, their ability, and who they are (for their own placeholders). */
export type Grantor = { actor: Actor; ability: AppAbility; self: Person };

/** The grantor behind a signed-in request. */
export function grantorOf(actor: Actor, auth: AuthState): Grantor {
  return { actor, ability: auth.ability, self: { id: auth.user.id, teamIds: auth.user.teamIds, email: auth.user.email } };
}

const heldRules = (ability: AppAbility): CoverageRule[] => ability.rules as CoverageRule[];

const toList = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/**
 * The rules a person would get that the grantor does not hold, as `Subject:action` names (for
 * the refusal's message). Rules that cannot be filled for that person count as not held.
 */
export function missingRights(grantor: Pick<Grantor, 'ability'>, rules: readonly RawRuleInput[], holder: Person): string[] {
  let granted: CoverageRule[];
  try {
    granted = interpolateRules(rules, { user: holder }) as CoverageRule[];
  } catch {
    return rules.flatMap((r) => toList(r.subject).flatMap((s) => toList(r.action).map((a) => `${s}:${a}`)));
  }
  const missing = uncoveredRules(granted, heldRules(grantor.ability));
  return [...new Set(missing.flatMap((r) => toList(r.subject).flatMap((s) => toList(r.action).map((a) => `${s}:${a}`))))];
}

/** Records the refusal through the same denied-access path as the route gate, then throws it. */
async function refuse(s: Services, grantor: Grantor, error: AppError, subject: { type: string; id: string | null }, details: Record<string, unknown>): Promise<never> {
  await s.audit.record(grantor.actor, {
    action: 'access.denied',
    subjectType: subject.type,
    subjectId: subject.id,
    details: { reason: error.id, ...details },
  });
  throw error;
}

/**
 * Refuses (403 grant_exceeds_own_rights, audited) unless every rule of `rules`, as it would
 * apply to `holder`, is covered by the grantor's own ability.
 */
export async function assertGrantable(
  s: Services,
  grantor: Grantor,
  rules: readonly RawRuleInput[],
  holder: Person,
  subject: { type: 'User' | 'Role'; id: string | null },
  details: Record<string, unknown> = {},
): Promise<void> {
  const missing = missingRights(grantor, rules, holder);
  if (missing.length > 0) {
    await refuse(s, grantor, errors.grantExceedsOwnRights(missing), subject, { ...details, missing });
  }
}

/** Refuses giving roles to a person unless the grantor holds everything they grant. */
export async function assertRolesGrantable(
  s: Services,
  db: Db | Trx,
  grantor: Grantor,
  roleIds: readonly string[],
  holder: Person,
  subjectId: string,
): Promise<void> {
  await assertGrantable(s, grantor, await rulesOfRoles(db, roleIds), holder, { type: 'User', id: subjectId }, { roleIds });
}

/**
 * Refuses (403 target_exceeds_own_rights, audited) acting on a user whose rights the grantor
 * does not all hold: nobody edits, disables, enables or resets a more powerful account.
 * Acting on oneself is not an escalation and is left to the route's own permission.
 */
export async function assertTargetCovered(
  s: Services,
  db: Db | Trx,
  grantor: Grantor,
  target: Person & { roleIds: readonly string[] },
  operation: string,
): Promise<void> {
  if (target.id === grantor.self.id) {
    return;
  }
  const missing = missingRights(grantor, await rulesOfRoles(db, target.roleIds), target);
  if (missing.length > 0) {
    await refuse(s, grantor, errors.targetExceedsOwnRights(), { type: 'User', id: target.id }, { operation, missing });
  }
}

/**
 * Checks rules written into a custom role: the grantor must hold them as they apply to the
 * grantor, and, for a role already given to users, as they apply to each of its holders.
 */
export async function assertRoleRulesGrantable(
  s: Services,
  db: Db | Trx,
  grantor: Grantor,
  rules: readonly RawRuleInput[],
  roleId: string | null,
): Promise<void> {
  const subject = { type: 'Role' as const, id: roleId };
  await assertGrantable(s, grantor, rules, grantor.self, subject);
  if (roleId) {
    for (const holder of await roleHolders(db, roleId)) {
      await assertGrantable(s, grantor, rules, holder, subject, { holderId: holder.id });
    }
  }
}

/** Whether the grantor could give this role to someone placed as they are (the UI's hint; the server still checks each grant). */
export function grantableBy(grantor: Pick<Grantor, 'ability' | 'self'>, rules: readonly RawRuleInput[]): boolean {
  return missingRights(grantor, rules, grantor.self).length === 0;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Refuses (403 own_roles_immutable, audited) a change to one's own roles; sending them unchanged is fine. */
export async function assertOwnRolesUnchanged(
  s: Services,
  grantor: Grantor,
  user: { id: string; roleIds: readonly string[] },
  roleIds: readonly string[] | undefined,
): Promise<void> {
  if (user.id === grantor.self.id && roleIds !== undefined && !sameSet(roleIds, user.roleIds)) {
    await refuse(s, grantor, errors.ownRolesImmutable(), { type: 'User', id: user.id }, { roleIds });
  }
}
