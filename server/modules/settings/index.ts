// What other modules may use of settings: the current values (costs reads the monthly budget).
import type { Db, Trx } from '../../db/knex';
import { presentSettings } from './present';
import { readSettings } from './repo';
import type { Settings } from './schema';

export type { Settings } from './schema';

/** The settings in force: stored values over the defaults. */
export async function currentSettings(db: Db | Trx): Promise<Settings> {
  return presentSettings(await readSettings(db));
}
