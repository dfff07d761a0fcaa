import * as openpgp from 'openpgp';
import type { Db } from '../../db/knex';
import { streamToBuffer } from '../../lib/streams';
import { isMediaMissing, type MediaStore } from '../media/store';
import { appliancePublicKey, loadOrCreateApplianceKey } from './applianceKey';
import type { AuditLog, VerifyResult } from './auditLog';
import { chainHead, hashAt } from './repo';
import { verifiedStart } from './startAnchor';

/** What an anchor states: the chain's head at a moment, and which key vouches for it. */
export type AnchorStatement = {
  type: 'switchboard.audit-anchor';
  version: 1;
  seq: number;
  hash: string;
  at: string;
  fingerprint: string;
};

export type Anchor = AnchorStatement & {
  /** Where it is kept in the store (the data directory's media folder, or the media bucket). */
  key: string;
  /** The statement as an OpenPGP cleartext-signed message (`gpg --verify` reads it as is). */
  signed: string;
};

export type AnchorProblem = 'tail_deleted' | 'history_rewritten' | 'anchor_invalid';

export type ChainVerification = Omit<VerifyResult, 'reason'> & {
  reason: VerifyResult['reason'] | AnchorProblem;
  /** The anchor the chain was checked against; null when none was written yet. */
  anchor: Omit<AnchorStatement, 'type' | 'version'> | null;
};

// Outside the database: the role that writes audit_events cannot reach these.
const PREFIX = 'audit-anchors/';
const LATEST_KEY = `${PREFIX}latest.json.asc`;

type AnchorDeps = { db: Db; media: MediaStore; masterKey: Buffer };

/** A store key that sorts by time: audit-anchors/20261201t120000000z-000000000042.json.asc. */
function archiveKey(at: string, seq: number): string {
  return `${PREFIX}${at.replace(/[-:.]/g, '').toLowerCase()}-${String(seq).padStart(12, '0')}.json.asc`;
}

function parseStatement(text: string): AnchorStatement | null {
  try {
    const v = JSON.parse(text) as Partial<AnchorStatement>;
    const ok =
      v.type === 'switchboard.audit-anchor' && v.version === 1 && Number.isInteger(v.seq) &&
      typeof v.hash === 'string' && typeof v.at === 'string' && typeof v.fingerprint === 'string';
    return ok ? (v as AnchorStatement) : null;
  } catch {
    return null;
  }
}

/** The newest anchor as stored (its signature not yet checked), or null when none was written. */
export async function readLatestAnchor(media: MediaStore): Promise<{ signed: string; statement: AnchorStatement | null } | null> {
  let signed: string;
  try {
    const { stream } = await media.open(LATEST_KEY);
    signed = (await streamToBuffer(stream)).toString('utf8');
  } catch (err) {
    if (isMediaMissing(err)) {
      return null;
    }
    throw err;
  }
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
    return { signed, statement: parseStatement(message.getText()) };
  } catch {
    return { signed, statement: null };
  }
}

/**
 * Signs the chain's current head with the appliance key and writes it outside the table:
 * once under a time-ordered name, and as the latest anchor unless a newer one is already
 * there (two pods anchoring at once never move it backwards). Null when the chain is empty.
 */
export async function createAnchor(deps: AnchorDeps): Promise<Anchor | null> {
  const head = await chainHead(deps.db);
  if (!head) {
    return null;
  }
  const key = await loadOrCreateApplianceKey(deps.db, deps.masterKey);
  const statement: AnchorStatement = {
    type: 'switchboard.audit-anchor', version: 1, seq: head.seq, hash: head.hash, at: new Date().toISOString(), fingerprint: key.fingerprint,
  };
  const signed = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: JSON.stringify(statement) }),
    signingKeys: key.privateKey,
  });
  const bytes = Buffer.from(signed, 'utf8');
  const stored = archiveKey(statement.at, statement.seq);
  await deps.media.put(stored, bytes);
  const latest = await readLatestAnchor(deps.media);
  if (!latest?.statement || latest.statement.seq <= statement.seq) {
    await deps.media.put(LATEST_KEY, bytes);
  }
  return { ...statement, key: stored, signed };
}

/** True when `signed` carries a valid signature by the appliance key whose armored public part is given. */
export async function signatureValid(signed: string, armoredPublicKey: string): Promise<boolean> {
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
    const verificationKeys = await openpgp.readKey({ armoredKey: armoredPublicKey });
    const { signatures } = await openpgp.verify({ message, verificationKeys, expectSigned: true });
    return signatures.length > 0 && (await signatures[0]!.verified);
  } catch {
    return false;
  }
}

/**
 * Walks the chain (every link) and then holds it against the latest anchor: the anchored
 * sequence number must still exist (else the newest events were deleted) and still carry the
 * anchored hash (else the history was rewritten and re-hashed behind the application).
 */
export async function verifyAgainstAnchor(audit: AuditLog, deps: { db: Db; media: MediaStore }): Promise<ChainVerification> {
  // A chain trimmed by retention starts where its signed start says; without one, the missing start is a gap.
  const start = await verifiedStart(deps);
  const chain: VerifyResult = start ? await audit.verify(start) : { ok: false, checked: 0, firstBrokenSeq: 1, reason: 'sequence_gap' };
  const latest = await readLatestAnchor(deps.media);
  if (!latest) {
    return { ...chain, anchor: null };
  }
  const statement = latest.statement;
  const publicKey = await appliancePublicKey(deps.db);
  if (!statement || !publicKey || publicKey.fingerprint !== statement.fingerprint || !(await signatureValid(latest.signed, publicKey.publicKey))) {
    return { ...chain, ok: false, firstBrokenSeq: chain.firstBrokenSeq, reason: chain.reason ?? 'anchor_invalid', anchor: null };
  }
  const anchor = { seq: statement.seq, hash: statement.hash, at: statement.at, fingerprint: statement.fingerprint };
  if (!chain.ok) {
    return { ...chain, anchor };
  }
  const anchoredHash = await hashAt(deps.db, statement.seq);
  if (anchoredHash === null) {
    return { ...chain, ok: false, firstBrokenSeq: chain.checked + 1, reason: 'tail_deleted', anchor };
  }
  if (anchoredHash !== statement.hash) {
    return { ...chain, ok: false, firstBrokenSeq: statement.seq, reason: 'history_rewritten', anchor };
  }
  return { ...chain, anchor };
}
