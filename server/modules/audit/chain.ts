import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The hash the first event chains from. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an event's hash covers: everything but the hashes themselves. */
export type ChainedEvent = {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

/** SHA-256 over the previous hash and the RFC 8785 canonical JSON of the event. */
export function chainHash(prevHash: string, event: ChainedEvent): string {
  const canonical = canonicalize(event);
  if (canonical === undefined) {
    throw new Error('audit event cannot be canonicalized');
  }
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}
