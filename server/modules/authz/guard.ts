import { subject as asSubject } from '@casl/ability';
import { errors, RowDenied } from '../../lib/errors';
import type { AppAbility } from './ability';

/**
 * Checks a loaded row. A row the user may not read answers exactly like a missing one (404),
 * so ids cannot be probed; a row they can read but may not act on answers 403
 * `row_action_denied`. Unlike a missing one, either refusal is audited.
 */
export function assertCanRow<T extends Record<string, unknown>>(
  ability: AppAbility,
  action: string,
  subjectType: string,
  row: T | undefined,
): T {
  if (!row) {
    throw errors.notFound(subjectType);
  }
  const target = asSubject(subjectType, { ...row });
  if (!ability.can(action, target)) {
    throw new RowDenied(subjectType, action, typeof row.id === 'string' ? row.id : null, action !== 'read' && ability.can('read', target));
  }
  return row;
}
