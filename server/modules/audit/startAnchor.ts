// The signed start of a trimmed audit chain. Retention removes the oldest events as one range
// (switchboard_trim_audit_events); the first event left then chains from a hash that is no
// longer in the table. This statement, signed with the appliance key and kept outside the
// database like the head anchors, vouches for that hash, so the rest of the chain verifies.
import * as openpgp from 'openpgp';
import type { Db } from '../../db/knex';
import { streamToBuffer } from '../../lib/streams';
import { isMediaMissing, type MediaStore } from '../media/store';
import { signatureValid } from './anchors';
import { appliancePublicKey, loadOrCreateApplianceKey } from './applianceKey';
import { GENESIS_HASH } from './chain';
import { chainStart } from './repo';

export type StartStatement = {
  type: 'switchboard.audit-start';
  version: 1;
  /** The first event kept. */
  seq: number;
  /** The hash it chains from (the last removed event's). */
  prevHash: string;
  /** How many events were removed before it in that trim. */
  removed: number;
  at: string;
  fingerprint: string;
};

/** One per trim, named by the first event kept: the verifier finds it from the table's first row. */
export function startKey(seq: number): string {
  return `audit-anchors/start-${String(seq).padStart(12, '0')}.json.asc`;
}

/** Signs and stores the new start; call it inside the trim's transaction, so a failure here undoes the trim. */
export async function writeStartAnchor(
  deps: { db: Db; media: MediaStore; masterKey: Buffer },
  start: { seq: number; prevHash: string; removed: number },
): Promise<StartStatement> {
  const key = await loadOrCreateApplianceKey(deps.db, deps.masterKey);
  const statement: StartStatement = { type: 'switchboard.audit-start', version: 1, ...start, at: new Date().toISOString(), fingerprint: key.fingerprint };
  const signed = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: JSON.stringify(statement) }),
    signingKeys: key.privateKey,
  });
  await deps.media.put(startKey(start.seq), Buffer.from(signed, 'utf8'));
  return statement;
}

/**
 * Where verification starts: the genesis when the chain still begins at 1 (or is empty),
 * else the table's first event, provided a valid signed start vouches for exactly its seq and
 * prev_hash; null when none does (events were removed from the start outside retention).
 */
export async function verifiedStart(deps: { db: Db; media: MediaStore }): Promise<{ seq: number; prevHash: string } | null> {
  const first = await chainStart(deps.db);
  if (!first || first.seq === 1) {
    return { seq: 1, prevHash: GENESIS_HASH };
  }
  let signed: string;
  try {
    signed = (await streamToBuffer((await deps.media.open(startKey(first.seq))).stream)).toString('utf8');
  } catch (err) {
    if (isMediaMissing(err)) {
      return null;
    }
    throw err;
  }
  const publicKey = await appliancePublicKey(deps.db);
  if (!publicKey || !(await signatureValid(signed, publicKey.publicKey))) {
    return null;
  }
  const statement = JSON.parse((await openpgp.readCleartextMessage({ cleartextMessage: signed })).getText()) as Partial<StartStatement>;
  const ok = statement.type === 'switchboard.audit-start' && statement.seq === first.seq && statement.prevHash === first.prevHash &&
    statement.fingerprint === publicKey.fingerprint;
  return ok ? { seq: first.seq, prevHash: first.prevHash } : null;
}
