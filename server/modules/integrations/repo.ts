// All SQL of integrations.
import type { Db, Trx } from '../../db/knex';

/** A header as stored: a plain value, or a secret sealed under the master key (server/lib/secrets.ts). */
export type StoredHeader = { name: string; secret: false; value: string } | { name: string; secret: true; sealed: string };

export type IntegrationRow = {
  id: string;
  name: string;
  url: string;
  method: 'GET' | 'POST';
  headers: StoredHeader[];
  body_template: string | null;
  response_template: string;
  enabled: boolean;
  timeout_ms: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export type IntegrationColumns = Omit<IntegrationRow, 'id' | 'created_by' | 'created_at' | 'updated_at'>;

const TABLE = 'integrations';

export function findIntegration(db: Db | Trx, id: string): Promise<IntegrationRow | undefined> {
  return db<IntegrationRow>(TABLE).where({ id }).first();
}

/** Locks the row for a change (two admins editing at once do not lose one's secrets). */
export function lockIntegration(trx: Trx, id: string): Promise<IntegrationRow | undefined> {
  return trx<IntegrationRow>(TABLE).where({ id }).forUpdate().first();
}

/** Every integration, by name. */
export function listIntegrations(db: Db): Promise<IntegrationRow[]> {
  return db<IntegrationRow>(TABLE).orderByRaw('lower(name)');
}

export async function insertIntegration(trx: Trx, row: IntegrationColumns & { id: string; created_by: string | null }): Promise<void> {
  await trx(TABLE).insert({ ...row, headers: JSON.stringify(row.headers) });
}

export async function updateIntegration(trx: Trx, id: string, changes: Partial<IntegrationColumns>): Promise<void> {
  const { headers, ...rest } = changes;
  await trx(TABLE)
    .where({ id })
    .update({ ...rest, ...(headers ? { headers: JSON.stringify(headers) } : {}), updated_at: trx.fn.now() });
}

export async function deleteIntegration(trx: Trx, id: string): Promise<void> {
  await trx(TABLE).where({ id }).delete();
}

/** Whether another integration already has this name, ignoring case. */
export async function nameTaken(db: Db | Trx, name: string, exceptId: string | null): Promise<boolean> {
  const q = db(TABLE).whereRaw('lower(name) = lower(?)', [name]);
  if (exceptId) {
    q.whereNot({ id: exceptId });
  }
  return (await q.first('id')) !== undefined;
}
