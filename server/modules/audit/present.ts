import type { AuditRow } from './repo';

/** An audit event as the API answers it: every field named, the previous hash left out. */
export function presentEvent(r: AuditRow & { actor_email: string | null }) {
  return {
    seq: r.seq, at: r.at.toISOString(), actorType: r.actor_type, actorId: r.actor_id, actorEmail: r.actor_email,
    action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, ip: r.ip, requestId: r.request_id,
    details: r.details, hash: r.hash,
  };
}
