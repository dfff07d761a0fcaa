import type { HoldListRow } from './repo';

const named = (ids: string[] | undefined, labels: Map<string, string>) => (ids ?? []).map((id) => ({ id, label: labels.get(id) ?? id }));

/** A hold as the API answers it: its scope with names resolved now, and the messages it covers now. */
export function presentHold(h: HoldListRow, labels: Map<string, string>) {
  return {
    id: h.id,
    caseRef: h.case_ref,
    reason: h.reason,
    scope: {
      contacts: named(h.scope.contactIds, labels),
      conversations: named(h.scope.conversationIds, labels),
      channels: named(h.scope.channelIds, labels),
      agents: named(h.scope.agentIds, labels),
      from: h.scope.from ?? null,
      to: h.scope.to ?? null,
      query: h.scope.query ?? null,
    },
    coveredMessages: h.covered,
    createdAt: h.created_at.toISOString(),
    createdBy: h.created_by_email,
    releasedAt: h.released_at ? h.released_at.toISOString() : null,
    releasedBy: h.released_by_email,
    releaseReason: h.release_reason,
  };
}
