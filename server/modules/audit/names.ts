import type { Db } from '../../db/knex';
import { findNames, NAMED_SUBJECT_TYPES, type EventRow } from './eventRepo';

// Events keep ids, never names (a customer's name must not sit in the append-only log, where
// erasure cannot reach it): names are looked up when events are read, one statement per page.

/** Detail fields that hold ids, and what they name. */
const DETAIL_IDS: Record<string, string> = {
  toAssigneeId: 'User',
  fromAssigneeId: 'User',
  teamId: 'Team',
  channelId: 'Channel',
  roleIds: 'Role',
  teamIds: 'Team',
  memberIds: 'User',
};

/** user.roles_changed and user.teams_changed keep { from: ids, to: ids }. */
const FROM_TO_IDS: Record<string, string> = { 'user.roles_changed': 'Role', 'user.teams_changed': 'Team' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idsIn(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string' && UUID.test(v));
}

/** Every (type, id) an event refers to: its actor, its subject and the ids in its details. */
export function referencesOf(row: Pick<EventRow, 'action' | 'actor_id' | 'subject_type' | 'subject_id' | 'details'>): Array<[string, string]> {
  const refs: Array<[string, string]> = [];
  if (row.actor_id) {
    refs.push(['User', row.actor_id]);
  }
  if (row.subject_type && row.subject_id && NAMED_SUBJECT_TYPES.includes(row.subject_type)) {
    refs.push(...idsIn(row.subject_id).map((id): [string, string] => [row.subject_type!, id]));
  }
  const details = row.details ?? {};
  for (const [field, type] of Object.entries(DETAIL_IDS)) {
    refs.push(...idsIn(details[field]).map((id): [string, string] => [type, id]));
  }
  const fromTo = FROM_TO_IDS[row.action];
  if (fromTo) {
    refs.push(...[...idsIn(details.from), ...idsIn(details.to)].map((id): [string, string] => [fromTo, id]));
  }
  return refs;
}

/** The names of everything a page of events refers to, keyed "Type:id" (what is gone stays unnamed). */
export async function resolveNames(db: Db, rows: EventRow[]): Promise<Record<string, string>> {
  const byType = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [type, id] of referencesOf(row)) {
      const set = byType.get(type) ?? new Set<string>();
      set.add(id.toLowerCase());
      byType.set(type, set);
    }
  }
  const found = await findNames(db, new Map([...byType].map(([type, ids]) => [type, [...ids]])));
  return Object.fromEntries(found);
}
