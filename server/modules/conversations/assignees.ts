import type { Db, Trx } from '../../db/knex';
import { errors } from '../../lib/errors';
import { buildAbility } from '../authz/ability';
import { asCasl } from './access';
import { activeUsersWithRules, type CandidateRow } from './assigneeRepo';
import type { ConversationRow } from './repo';

type Target = Pick<ConversationRow, 'id' | 'channel_id' | 'status' | 'team_id'>;

/**
 * Whether the user could work the conversation once it is theirs: read it (as assigned to them,
 * in the given team) and write in it. Evaluated with their own CASL ability, so a custom role's
 * conditions (a team, a number) count as they will once the conversation is handed over.
 */
function canWork(user: CandidateRow, c: Target): boolean {
  return workChecker(user)(c);
}

/**
 * The same check with the user's ability built once, for the router, which asks it of many
 * conversations (building an ability costs far more than asking it).
 */
export function workChecker(user: CandidateRow): (c: Target) => boolean {
  const ability = buildAbility(user.rules, { user: { id: user.id, teamIds: user.team_ids, email: user.email } });
  const writes = ability.can('create', 'Message');
  return (c) => writes && ability.can('read', asCasl({ ...c, assignee_id: user.id }));
}

/** Active users who could work the conversation (in `teamId`, when it moves to that team). */
export async function eligibleAssignees(db: Db | Trx, c: Target): Promise<CandidateRow[]> {
  return (await activeUsersWithRules(db)).filter((user) => canWork(user, c));
}

/** Refuses (400, naming the field) an assignee who is not active or could not work the conversation. */
export async function assertEligibleAssignee(db: Db | Trx, c: Target, assigneeId: string): Promise<void> {
  const [user] = await activeUsersWithRules(db, [assigneeId]);
  if (!user) {
    throw errors.validation('The assignee is not an active user.', { fields: [{ path: 'body.assigneeId', message: 'unknown or disabled' }] });
  }
  if (!canWork(user, c)) {
    throw errors.validation('This user may not work this conversation: their roles would not let them read it or reply.', {
      fields: [{ path: 'body.assigneeId', message: 'cannot work this conversation' }],
    });
  }
}
