import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { presentPreferences } from './present';
import type { Preferences } from './schema';
import { findPreferences, mergePreferences } from './userRepo';

/** The signed-in user's preferences (defaults for those never set). */
export async function readPreferences(s: Services, userId: string): Promise<Preferences> {
  return presentPreferences(await findPreferences(s.db, userId));
}

/** Changes some of the user's own preferences; audited (which ones, and their new values). */
export async function changePreferences(s: Services, actor: Actor & { id: string }, patch: Partial<Preferences>): Promise<Preferences> {
  return s.db.transaction(async (trx) => {
    if ((await findPreferences(trx, actor.id)) === undefined) {
      throw errors.notFound('User');
    }
    await mergePreferences(trx, actor.id, patch);
    // The values are the user's own settings, never a customer's data.
    await s.audit.appendIn(trx, actor, [{ action: 'user.preferences_changed', subjectType: 'User', subjectId: actor.id, details: { ...patch } }]);
    return presentPreferences(await findPreferences(trx, actor.id));
  });
}
