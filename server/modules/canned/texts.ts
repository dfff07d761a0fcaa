import type { Db, Trx } from '../../db/knex';
import type { FillValues } from './fill';
import { userName } from './repo';

/** The values a text is filled with in a conversation: its contact's name and the sending agent's. */
export async function fillValuesFor(db: Db | Trx, contactName: string | null, agentId: string): Promise<FillValues> {
  return { contactName, agentName: await userName(db, agentId) };
}
