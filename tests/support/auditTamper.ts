import pg from 'pg';
import { chainHash, GENESIS_HASH } from '../../server/modules/audit/chain';

/** A superuser's connection with triggers off, as a DBA tampering behind the application would have. */
export async function asTamperingDba<T>(superuserUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes every audit event from `fromSeq` on: a deleted tail, which the chain alone cannot show. */
export function deleteAuditTail(superuserUrl: string, fromSeq: number): Promise<void> {
  return asTamperingDba(superuserUrl, async (c) => {
    await c.query('DELETE FROM audit_events WHERE seq >= $1', [fromSeq]);
  });
}

/**
 * Rewrites one event's details and re-hashes every event from it on, so the chain is
 * internally consistent again: only an anchor taken before can tell.
 */
export function rewriteAuditHistory(superuserUrl: string, seq: number, details: Record<string, unknown>): Promise<void> {
  return asTamperingDba(superuserUrl, async (c) => {
    await c.query('UPDATE audit_events SET details = $2 WHERE seq = $1', [seq, JSON.stringify(details)]);
    await rehashFrom(c, seq);
  });
}

/** Recomputes the hash of every event from `seq` on, so the chain is consistent again. */
export async function rehashFrom(c: pg.Client, seq: number): Promise<void> {
  const prev = await c.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = $1', [seq - 1]);
  let prevHash = prev.rows[0]?.hash ?? GENESIS_HASH;
  const { rows } = await c.query('SELECT * FROM audit_events WHERE seq >= $1 ORDER BY seq', [seq]);
  for (const row of rows) {
    const hash = chainHash(prevHash, {
      seq: Number(row.seq), at: (row.at as Date).toISOString(), actorType: row.actor_type, actorId: row.actor_id, action: row.action,
      subjectType: row.subject_type, subjectId: row.subject_id, ip: row.ip, requestId: row.request_id, details: row.details,
    });
    await c.query('UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE seq = $1', [row.seq, prevHash, hash]);
    prevHash = hash;
  }
}
