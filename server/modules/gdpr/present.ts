import { daysLeft } from './deadlines';
import type { RequestListRow } from './repo';

/** A request as the API answers it: its subject resolved now, its deadline in force and the days left. */
export function presentRequest(r: RequestListRow, now = new Date()) {
  const effective = r.extended_due_at ?? r.due_at;
  const left = daysLeft(effective, now);
  return {
    id: r.id,
    type: r.type,
    state: r.state,
    subject: {
      contactId: r.contact_id,
      name: r.profile_name,
      phone: r.wa_id ? `+${r.wa_id}` : null,
      restricted: r.restricted_at !== null,
      hash: r.subject_hash.slice(0, 16),
    },
    receivedAt: r.received_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    extendedDueAt: r.extended_due_at?.toISOString() ?? null,
    extensionReason: r.extension_reason,
    effectiveDueAt: effective.toISOString(),
    daysLeft: left,
    overdue: r.state === 'open' && effective.getTime() < now.getTime(),
    refusalReason: r.refusal_reason,
    outcome: r.outcome,
    archive: r.archive_key && r.archive_sha256 ? { sha256: r.archive_sha256, url: `/api/v1/gdpr/requests/${r.id}/archive` } : null,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by_email,
    completedAt: r.completed_at?.toISOString() ?? null,
  };
}

/** A contact in the request form's subject picker. */
export function presentContactChoice(c: { id: string; wa_id: string; profile_name: string | null; restricted_at?: Date | null }) {
  return { id: c.id, label: c.profile_name ? `${c.profile_name} (+${c.wa_id})` : `+${c.wa_id}`, restricted: Boolean(c.restricted_at) };
}
