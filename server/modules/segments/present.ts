import type { SegmentContactRow, SegmentRow } from './repo';

/** A saved segment as the API answers it. */
export function presentSegment(s: SegmentRow) {
  return { id: s.id, name: s.name, filter: s.filter, createdBy: s.created_by, createdAt: s.created_at.toISOString(), updatedAt: s.updated_at.toISOString() };
}

/** A contact in a segment's preview; the phone only for users who may read it. */
export function presentSegmentContact(c: SegmentContactRow, withPhone: boolean) {
  return {
    id: c.id, name: c.profile_name, waId: withPhone ? c.wa_id : null, country: c.country, language: c.language,
    labelIds: c.label_ids, optState: c.opt_state, lastInboundAt: c.last_inbound_at ? new Date(c.last_inbound_at).toISOString() : null,
  };
}
