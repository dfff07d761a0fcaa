import type { Actor } from '../../lib/actor';
import { AppError, errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { changeAllowed, PER_NUMBER_CLASSES } from './periods';
import { deletePolicyRow, findPolicy, findPolicyFor, insertPolicy, lockPolicyRow, updatePolicyDays, type PolicyRow } from './repo';
import type { SetPolicyInput } from './schema';

/** The lock trigger's refusal (migrations/*_retention_policies.ts): what holds if a check here were bypassed. */
const TRIGGER_REFUSAL = '23000';

/** Records a refused change as denied in the audit log and answers the error to throw. */
async function denied(s: Services, actor: Actor, policyId: string | null, err: AppError, details: Record<string, unknown>): Promise<AppError> {
  await s.audit.record(actor, { action: 'access.denied', subjectType: 'RetentionPolicy', subjectId: policyId, details: { reason: err.id, ...details } });
  return err;
}

function isTriggerRefusal(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === TRIGGER_REFUSAL;
}

/**
 * Sets a class's period for every number or for one. A locked policy only lengthens: a shorter
 * period is refused with 409 and audited as denied, for everyone (admins included).
 */
export async function setPolicy(s: Services, actor: Actor, input: SetPolicyInput): Promise<PolicyRow> {
  if (input.channelId !== null && !PER_NUMBER_CLASSES.includes(input.dataClass)) {
    throw errors.validation('This class has no per-number period.', { fields: [{ path: 'body.channelId', message: 'Only messages and media are set per number.', code: 'custom' }] });
  }
  try {
    return await s.db.transaction(async (trx) => {
      const existing = await findPolicyFor(trx, input.dataClass, input.channelId);
      if (existing && !changeAllowed({ days: existing.days, locked: existing.locked_at !== null }, input.days)) {
        throw errors.retentionPolicyLocked({ policyId: existing.id, days: existing.days });
      }
      const id = existing?.id ?? newId();
      if (existing) {
        await updatePolicyDays(trx, id, input.days, actor.id);
      } else {
        await insertPolicy(trx, { id, dataClass: input.dataClass, channelId: input.channelId, days: input.days, by: actor.id });
      }
      await s.audit.appendIn(trx, actor, [{
        action: 'retention.policy_set', subjectType: 'RetentionPolicy', subjectId: id,
        details: { dataClass: input.dataClass, channelId: input.channelId, days: input.days, previousDays: existing?.days ?? null },
      }]);
      return (await findPolicy(trx, id))!;
    });
  } catch (err) {
    const locked = err instanceof AppError && err.id === 'retention_policy_locked';
    if (locked || isTriggerRefusal(err)) {
      const policyId = locked ? String(err.details.policyId) : null;
      throw await denied(s, actor, policyId, errors.retentionPolicyLocked(), { dataClass: input.dataClass, channelId: input.channelId, days: input.days });
    }
    throw err;
  }
}

/** Locks a policy for good: from now on it only lengthens. Locking a locked one changes nothing. */
export async function lockPolicy(s: Services, actor: Actor, id: string): Promise<PolicyRow> {
  return s.db.transaction(async (trx) => {
    const policy = await findPolicy(trx, id);
    if (!policy) {
      throw errors.notFound('Retention policy');
    }
    if (policy.locked_at === null) {
      await lockPolicyRow(trx, id, actor.id);
      await s.audit.appendIn(trx, actor, [{
        action: 'retention.policy_locked', subjectType: 'RetentionPolicy', subjectId: id,
        details: { dataClass: policy.data_class, channelId: policy.channel_id, days: policy.days },
      }]);
    }
    return (await findPolicy(trx, id))!;
  });
}

/** Removes a number's own period (the default applies again). Defaults and locked policies stay. */
export async function removePolicy(s: Services, actor: Actor, id: string): Promise<void> {
  const policy = await findPolicy(s.db, id);
  if (!policy) {
    throw errors.notFound('Retention policy');
  }
  if (policy.locked_at !== null) {
    throw await denied(s, actor, id, errors.retentionPolicyLocked(), { dataClass: policy.data_class, channelId: policy.channel_id });
  }
  if (policy.channel_id === null) {
    throw errors.conflict("A class's default period can be changed but not removed.");
  }
  try {
    await s.db.transaction(async (trx) => {
      await deletePolicyRow(trx, id);
      await s.audit.appendIn(trx, actor, [{
        action: 'retention.policy_removed', subjectType: 'RetentionPolicy', subjectId: id,
        details: { dataClass: policy.data_class, channelId: policy.channel_id, days: policy.days },
      }]);
    });
  } catch (err) {
    if (isTriggerRefusal(err)) {
      throw await denied(s, actor, id, errors.retentionPolicyLocked(), { dataClass: policy.data_class, channelId: policy.channel_id });
    }
    throw err;
  }
}
