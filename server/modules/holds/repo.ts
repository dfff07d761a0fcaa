// All SQL of legal holds. The predicate itself lives in the database
// (switchboard_hold_covers / switchboard_message_held, migrations/*_legal_holds.ts), so
// retention, the partition-drop function and erasure all ask the same question.
import type { Db, Trx } from '../../db/knex';
import type { HoldScope } from './schema';

export type HoldRow = {
  id: string;
  case_ref: string;
  reason: string;
  scope: HoldScope;
  created_by: string;
  created_at: Date;
  released_by: string | null;
  released_at: Date | null;
  release_reason: string | null;
};

export type HoldListRow = HoldRow & { covered: number; created_by_email: string | null; released_by_email: string | null };

export async function insertHold(trx: Trx, row: { id: string; caseRef: string; reason: string; scope: HoldScope; by: string | null }): Promise<void> {
  await trx('legal_holds').insert({ id: row.id, case_ref: row.caseRef, reason: row.reason, scope: JSON.stringify(row.scope), created_by: row.by });
}

export function findHold(db: Db | Trx, id: string): Promise<HoldRow | undefined> {
  return db<HoldRow>('legal_holds').where({ id }).first();
}

/** Releases an active hold; false when it was released already (by someone else meanwhile). */
export async function releaseHoldRow(trx: Trx, id: string, by: string, reason: string): Promise<boolean> {
  const n = await trx('legal_holds').where({ id }).whereNull('released_at').update({ released_at: trx.fn.now(), released_by: by, release_reason: reason });
  return n === 1;
}

/** Holds, active first then newest, with how many messages each covers now and who placed and released it. */
export async function listHolds(db: Db | Trx, state: 'active' | 'released' | 'all', id?: string): Promise<HoldListRow[]> {
  const q = db('legal_holds as h')
    .leftJoin('users as cu', 'cu.id', 'h.created_by')
    .leftJoin('users as ru', 'ru.id', 'h.released_by')
    .select('h.*', 'cu.email as created_by_email', 'ru.email as released_by_email')
    .select(
      db.raw(`(SELECT count(*)::int FROM messages m LEFT JOIN conversations cv ON cv.id = m.conversation_id
                WHERE switchboard_hold_covers(h.scope, m.created_at, m.conversation_id, m.channel_id, m.contact_id, m.author_id, cv.assignee_id, m.search)) AS covered`),
    )
    .orderByRaw('h.released_at IS NOT NULL, h.created_at DESC');
  if (state === 'active') {
    q.whereNull('h.released_at');
  } else if (state === 'released') {
    q.whereNotNull('h.released_at');
  }
  if (id) {
    q.where('h.id', id);
  }
  return q;
}

/** Labels for the ids a scope names (resolved when read: the audit only ever stores ids). */
export async function scopeLabels(db: Db | Trx, scopes: HoldScope[]): Promise<Map<string, string>> {
  const all = (k: 'contactIds' | 'conversationIds' | 'channelIds' | 'agentIds') => [...new Set(scopes.flatMap((s) => s[k] ?? []))];
  const labels = new Map<string, string>();
  const contacts = await db('contacts').whereIn('id', all('contactIds')).select('id', 'profile_name', 'wa_id');
  contacts.forEach((c) => labels.set(c.id, c.profile_name ? `${c.profile_name} (+${c.wa_id})` : `+${c.wa_id}`));
  const conversations = await db('conversations as cv').join('contacts as c', 'c.id', 'cv.contact_id').join('channels as ch', 'ch.id', 'cv.channel_id')
    .whereIn('cv.id', all('conversationIds')).select('cv.id', 'c.profile_name', 'c.wa_id', 'ch.name as channel');
  conversations.forEach((c) => labels.set(c.id, `${c.profile_name ?? `+${c.wa_id}`} / ${c.channel}`));
  const channels = await db('channels').whereIn('id', all('channelIds')).select('id', 'name');
  channels.forEach((c) => labels.set(c.id, c.name));
  const agents = await db('users').whereIn('id', all('agentIds')).select('id', 'name', 'email');
  agents.forEach((u) => labels.set(u.id, u.name ? `${u.name} <${u.email}>` : u.email));
  return labels;
}

/** Which of these ids exist, per kind (a hold may not name what is not there). */
export async function missingScopeIds(trx: Trx, scope: HoldScope): Promise<string[]> {
  const check = async (table: string, wanted: string[] | undefined) => {
    if (!wanted) {
      return [];
    }
    const found = new Set((await trx(table).whereIn('id', wanted).select('id')).map((r: { id: string }) => r.id));
    return wanted.filter((id) => !found.has(id));
  };
  return [
    ...(await check('contacts', scope.contactIds)),
    ...(await check('conversations', scope.conversationIds)),
    ...(await check('channels', scope.channelIds)),
    ...(await check('users', scope.agentIds)),
  ];
}

/** The active holds that cover any message of a contact, or the contact itself (erasure must refuse while one does). */
export async function holdsOnContact(db: Db | Trx, contactId: string): Promise<Array<{ id: string; case_ref: string }>> {
  const result = await db.raw<{ rows: Array<{ id: string; case_ref: string }> }>(
    `SELECT h.id, h.case_ref FROM legal_holds h WHERE h.released_at IS NULL AND (
        jsonb_exists(coalesce(h.scope->'contactIds', '[]'), CAST(:contactId AS text))
        OR EXISTS (SELECT 1 FROM messages m LEFT JOIN conversations cv ON cv.id = m.conversation_id WHERE m.contact_id = CAST(:contactId AS uuid)
                    AND switchboard_hold_covers(h.scope, m.created_at, m.conversation_id, m.channel_id, m.contact_id, m.author_id, cv.assignee_id, m.search)))
      ORDER BY h.created_at`,
    { contactId },
  );
  return result.rows;
}

/** Is this message held by any active hold? */
export async function messageHeld(db: Db | Trx, messageId: string): Promise<boolean> {
  const result = await db.raw<{ rows: Array<{ held: boolean }> }>(
    `SELECT switchboard_message_held(m.created_at, m.conversation_id, m.channel_id, m.contact_id, m.author_id, m.search) AS held
       FROM messages m WHERE m.id = ?`,
    [messageId],
  );
  return result.rows[0]?.held === true;
}

/** Contact ids by WhatsApp number (as stored: digits without +); numbers not found are left out. */
export async function contactsByPhone(trx: Trx, phones: string[]): Promise<Map<string, string>> {
  const rows = await trx('contacts').whereIn('wa_id', phones).select('id', 'wa_id');
  return new Map(rows.map((r: { id: string; wa_id: string }) => [r.wa_id, r.id]));
}

/** What the hold form offers: the numbers and the users (agents) by name. */
export async function holdOptions(db: Db): Promise<{ channels: Array<{ id: string; label: string }>; agents: Array<{ id: string; label: string }> }> {
  const channels = await db('channels').select('id', 'name', 'display_number').orderBy('name');
  const agents = await db('users').select('id', 'name', 'email').orderBy('name');
  return {
    channels: channels.map((c: { id: string; name: string; display_number: string }) => ({ id: c.id, label: `${c.name} (${c.display_number})` })),
    agents: agents.map((u: { id: string; name: string; email: string }) => ({ id: u.id, label: `${u.name} <${u.email}>` })),
  };
}
