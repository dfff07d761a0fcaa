// Fixtures for retention and legal holds: contacts, conversations and messages written
// straight into the database at any date (years back), and an audit log whose oldest events
// are backdated (re-hashed, as an old install's would simply be).
import type { Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import { asTamperingDba, rehashFrom } from './auditTamper';

export type Thread = { contactId: string; conversationId: string; channelId: string };

/** A contact with a conversation on a number. */
export async function makeThread(db: Db, channelId: string, waId: string, opts: { assigneeId?: string } = {}): Promise<Thread> {
  const contactId = newId();
  const conversationId = newId();
  await db('contacts').insert({ id: contactId, wa_id: waId, profile_name: `Customer ${waId.slice(-4)}` });
  await db('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channelId, assignee_id: opts.assigneeId ?? null });
  return { contactId, conversationId, channelId };
}

/** One message of a thread at a given time (it lands in the default partition until its month gets one). */
export async function insertMessage(
  db: Db,
  t: Thread,
  at: Date,
  opts: { text?: string; mediaId?: string; authorId?: string; wamid?: string } = {},
): Promise<string> {
  const id = newId();
  await db('messages').insert({
    id, created_at: at, conversation_id: t.conversationId, channel_id: t.channelId, contact_id: t.contactId,
    direction: opts.authorId ? 'out' : 'in', type: opts.mediaId ? 'image' : 'text', text: opts.text ?? `message of ${at.toISOString()}`,
    media_id: opts.mediaId ?? null, author_type: opts.authorId ? 'agent' : 'customer', author_id: opts.authorId ?? null,
    status: 'received', wamid: opts.wamid ?? null,
  });
  if (opts.wamid) {
    await db('message_wamids').insert({ wamid: opts.wamid, message_id: id, message_created_at: at });
  }
  return id;
}

/** `n` months before `from`, on the given day of the month (UTC noon, away from month edges). */
export function monthsBefore(from: Date, n: number, day = 15): Date {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - n, day, 12));
  return d;
}

/**
 * Moves the first `count` audit events back to `at` (one second apart) and re-hashes the chain
 * from the genesis, as a superuser with triggers off: the log of an install that has run for years.
 */
export function backdateAuditStart(superuserUrl: string, count: number, at: Date): Promise<void> {
  return asTamperingDba(superuserUrl, async (c) => {
    await c.query(`UPDATE audit_events SET at = $2::timestamptz + make_interval(secs => seq) WHERE seq <= $1`, [count, at]);
    await rehashFrom(c, 0); // every event, from the genesis
  });
}
