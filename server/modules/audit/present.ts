import type { EventRow } from './eventRepo';

/** An audit event as the API answers it: every field named, the previous hash left out. */
export function presentEvent(r: EventRow) {
  return {
    seq: r.seq, at: r.at.toISOString(), actorType: r.actor_type, actorId: r.actor_id, actorEmail: r.actor_email, actorName: r.actor_name,
    action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, ip: r.ip, requestId: r.request_id,
    details: r.details, hash: r.hash,
  };
}
