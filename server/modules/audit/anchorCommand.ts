import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { createAnchor, type Anchor } from './anchors';

/** Anchors the chain's head now and audits it (the event names the anchored head and where it is kept). */
export async function anchorAuditChain(
  s: Pick<Services, 'db' | 'media' | 'masterKey' | 'audit'>,
  actor: Actor,
  trigger: 'schedule' | 'request',
): Promise<Anchor | null> {
  const anchor = await createAnchor(s);
  if (anchor) {
    await s.audit.record(actor, {
      action: 'audit.anchored',
      subjectType: 'AuditEvent',
      subjectId: String(anchor.seq),
      details: { seq: anchor.seq, hash: anchor.hash, key: anchor.key, fingerprint: anchor.fingerprint, trigger },
    });
  }
  return anchor;
}
