import type { AvailabilityRow, PolicyRow } from './repo';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An agent's availability as the API answers it. */
export function presentAvailability(r: AvailabilityRow) {
  return {
    userId: r.user_id, name: r.name, state: r.state, setBy: r.set_by, changedAt: iso(r.changed_at), lastHeartbeatAt: iso(r.last_heartbeat_at),
    capacity: r.capacity, effectiveCapacity: r.effective_capacity, open: r.open,
  };
}

/** A routing policy as the API answers it. */
export function presentPolicy(p: PolicyRow) {
  return {
    id: p.id, scopeType: p.scope_type, scopeId: p.scope_id, kind: p.kind, teamId: p.settings.teamId ?? null, fallback: p.settings.fallback ?? 'round_robin',
    rules: (p.settings.rules ?? []).map((r) => ({ field: r.field, value: r.value, ...(r.attribute ? { attribute: r.attribute } : {}), teamId: r.teamId, choice: r.choice })),
    updatedAt: p.updated_at.toISOString(),
  };
}
