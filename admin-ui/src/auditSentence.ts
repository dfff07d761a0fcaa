/**
 * An audit event told as a sentence in the reader's language. Events keep ids only (never a
 * customer's name); the server names them when the page is read (`names`, keyed "Type:id").
 */
import type { AuditEvent } from './types';

type Translate = (key: string, vars?: Record<string, string | number>) => string | null;

export type AuditNames = Record<string, string>;

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

function nameOf(names: AuditNames, type: string, id: unknown): string | null {
  const text = str(id);
  return text ? names[`${type}:${text.toLowerCase()}`] ?? null : null;
}

/** Who acted: their name now, else their email, else what kind of actor. */
export function actorLabel(event: AuditEvent, names: AuditNames, tr: Translate): string {
  if (event.actorId) {
    return event.actorName ?? nameOf(names, 'User', event.actorId) ?? event.actorEmail ?? event.actorId;
  }
  return (event.actorType === 'system' ? tr('audit.system') : tr('audit.someone')) ?? event.actorType;
}

/** What was acted on: its name now; if gone, what the event kept (a role's key); else its id or type. */
export function subjectLabel(event: AuditEvent, names: AuditNames, tr: Translate): string {
  const type = event.subjectType;
  const named = type ? nameOf(names, type, event.subjectId) : null;
  const kept = str(event.details.name) ?? str(event.details.key) ?? str(event.details.email) ?? str(event.details.term);
  const typeLabel = type ? tr(`audit.subjectType.${type}`) ?? type : '';
  return named ?? kept ?? event.subjectId ?? typeLabel;
}

function listOf(names: AuditNames, type: string, ids: unknown, tr: Translate): string {
  const list = Array.isArray(ids) ? ids : [];
  return list.length === 0 ? tr('audit.nobody') ?? '' : list.map((id) => nameOf(names, type, id) ?? String(id)).join(', ');
}

/** `{ total }` of a retention run's count per class (0 when absent). */
function totalOf(value: unknown): number {
  return value && typeof value === 'object' ? num((value as { total?: unknown }).total) ?? 0 : 0;
}

/** The placeholders every sentence may use, from the event, its details and the names. */
function varsOf(event: AuditEvent, names: AuditNames, tr: Translate): Record<string, string | number> {
  const d = event.details;
  const nobody = tr('audit.nobody') ?? '';
  const assignee = d.toAssigneeId ? nameOf(names, 'User', d.toAssigneeId) ?? String(d.toAssigneeId) : nobody;
  const team = d.teamId ? nameOf(names, 'Team', d.teamId) ?? String(d.teamId) : null;
  const changes = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes) : [];
  const fields = Array.isArray(d.fields) ? d.fields.map(String) : changes;
  return {
    actor: actorLabel(event, names, tr),
    subject: subjectLabel(event, names, tr),
    action: tr(`audit.action.${event.action}`) ?? event.action,
    assignee,
    target: d.toAssigneeId ? assignee : team ?? nobody,
    roles: listOf(names, 'Role', d.to, tr),
    teams: listOf(names, 'Team', d.to, tr),
    count: num(d.imported) ?? num(d.added) ?? num(d.rows) ?? num(d.returned) ?? num(d.checked) ?? num(d.messagesMarkedRead) ?? 0,
    seq: num(d.seq) ?? event.subjectId ?? '',
    email: str(d.email) ?? '',
    reason: str(d.reason) ?? '',
    permission: str(d.permission) ?? str(d.reason) ?? '',
    outcome: (d.ok === false ? tr('audit.outcome.failed') : tr('audit.outcome.ok')) ?? '',
    format: str(d.format)?.toUpperCase() ?? '',
    type: str(d.type) ?? str(d.mimeType) ?? '',
    fields: fields.join(', '),
    request: [str(d.method), str(d.path)].filter(Boolean).join(' '),
    days: num(d.days) ?? '',
    dataClass: str(d.dataClass) ? tr(`retention.class.${String(d.dataClass)}`) ?? String(d.dataClass) : '',
    caseRef: str(d.caseRef) ?? '',
    messages: totalOf(d.messages),
    media: totalOf(d.media),
    // Routing and availability: states, policies and reasons named in the reader's language.
    state: str(d.to) ? tr(`availability.state.${String(d.to)}`) ?? String(d.to) : '',
    capacity: num(d.to) ?? tr('availability.teamDefault') ?? '',
    policy: str(d.policy) ? tr(`routing.kind.${String(d.policy)}`) ?? String(d.policy) : str(d.kind) ? tr(`routing.kind.${String(d.kind)}`) ?? String(d.kind) : '',
    why: str(d.reason) ? tr(`routing.reason.${String(d.reason)}`) ?? String(d.reason) : tr('routing.reason.manual') ?? '',
    from: d.fromAssigneeId ? nameOf(names, 'User', d.fromAssigneeId) ?? String(d.fromAssigneeId) : nobody,
  };
}

/** The event as one sentence; an action this panel does not know yet still reads sensibly. */
export function auditSentence(event: AuditEvent, names: AuditNames, tr: Translate): string {
  const vars = varsOf(event, names, tr);
  return tr(`audit.sentence.${event.action}`, vars) ?? tr('audit.sentence.unknown', vars) ?? event.action;
}
