import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import type { FieldMap } from '../authz/sql';
import { GENESIS_HASH, type ChainedEvent } from './chain';

/** The one lock every audit append takes, across all processes: it keeps the chain linear. */
export const AUDIT_CHAIN_LOCK = 0x5b0a4d02;

/** How CASL conditions on AuditEvent map to SQL. */
export const AUDIT_FIELDS: FieldMap = {
  action: { column: 'a.action' },
  actorId: { column: 'a.actor_id' },
  subjectType: { column: 'a.subject_type' },
  subjectId: { column: 'a.subject_id' },
};

export type AuditRow = {
  seq: number;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

/** Takes the chain lock until the transaction ends, and returns the head it appends after. */
export async function lockHead(trx: Knex.Transaction): Promise<{ seq: number; hash: string }> {
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
  const head = await trx('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
  return head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
}

export async function insertEvents(
  trx: Knex.Transaction,
  rows: Array<ChainedEvent & { prevHash: string; hash: string }>,
): Promise<void> {
  await trx('audit_events').insert(
    rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor_type: r.actorType,
      actor_id: r.actorId,
      action: r.action,
      subject_type: r.subjectType,
      subject_id: r.subjectId,
      ip: r.ip,
      request_id: r.requestId,
      details: JSON.stringify(r.details),
      prev_hash: r.prevHash,
      hash: r.hash,
    })),
  );
}

/** The newest event's sequence number and hash, or null for an empty chain. */
export async function chainHead(db: Db): Promise<{ seq: number; hash: string } | null> {
  const head = await db('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
  return head ? { seq: Number(head.seq), hash: head.hash as string } : null;
}

/** The oldest event left (retention trims the start) with the hash it chains from, or null for an empty chain. */
export async function chainStart(db: Db): Promise<{ seq: number; prevHash: string } | null> {
  const first = await db('audit_events').select('seq', 'prev_hash').orderBy('seq', 'asc').first();
  return first ? { seq: Number(first.seq), prevHash: first.prev_hash as string } : null;
}

/** The hash stored at a sequence number, or null when that event is not there. */
export async function hashAt(db: Db, seq: number): Promise<string | null> {
  const row = await db('audit_events').select('hash').where({ seq }).first();
  return row ? (row.hash as string) : null;
}

/** Rows in chain order after `afterSeq`, a page at a time (for verification). */
export function chainPage(db: Db, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db('audit_events').where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit);
}

export type ApplianceKeyRow = { purpose: string; fingerprint: string; public_key: string; private_key_sealed: string };

/** The appliance key kept for a purpose, or undefined before the first start made it. */
export function findApplianceKey(db: Db, purpose: string): Promise<ApplianceKeyRow | undefined> {
  return db<ApplianceKeyRow>('appliance_keys').select('purpose', 'fingerprint', 'public_key', 'private_key_sealed').where({ purpose }).first();
}

/** Stores a new key unless one exists for the purpose already (a concurrent first start won). */
export async function insertApplianceKeyOnce(db: Db, row: ApplianceKeyRow): Promise<void> {
  await db('appliance_keys').insert(row).onConflict('purpose').ignore();
}
