import { subject as asSubject } from '@casl/ability';
import { errors, RowDenied } from '../../lib/errors';
import type { AppAbility } from './ability';

/**
 * Checks a loaded row. A row the user may not act on answers exactly like a missing one
 * (404), so ids cannot be probed; unlike a missing one, the refusal is audited.
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
  if (!ability.can(action, asSubject(subjectType, { ...row }))) {
    throw new RowDenied(subjectType, action, typeof row.id === 'string' ? row.id : null);
  }
  return row;
}
