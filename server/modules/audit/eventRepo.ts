import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import type { AuditRow } from './repo';

/** What the Audit page and the export filter on; every field narrows, none widens. */
export type AuditFilter = {
  /** An exact action; with a trailing dot ("auth.") a family, as before `family` existed. */
  action?: string;
  /** The action's text before its first dot: "conversation" for conversation.assigned. */
  family?: string;
  actorId?: string;
  /** Part of the acting user's name or email. */
  actor?: string;
  subjectType?: string;
  subjectId?: string;
  /** Part of the subject's name (a user, team, role, number, template, or a conversation's contact). */
  subject?: string;
  from?: Date;
  to?: Date;
};

export type EventRow = AuditRow & { actor_email: string | null; actor_name: string | null };

/** Narrows a query to what the reader's ability allows (CASL rules as SQL). */
export type Narrow = (q: Knex.QueryBuilder) => Knex.QueryBuilder;

const escapeLike = (text: string) => text.replace(/[%_\\]/g, '\\$&');
const containing = (text: string) => `%${escapeLike(text.trim())}%`;

// The family filter matches the expression index of migration 20261202021000 exactly.
const FAMILY_SQL = "split_part(a.action, '.', 1) = ?";

/**
 * Per subject type, the ids (as the text audit_events keeps) of the rows whose name contains
 * the text. A conversation is named by its contact: profile name or WhatsApp number.
 */
const SUBJECT_NAMES: Record<string, (db: Knex, text: string) => Knex.QueryBuilder> = {
  User: (db, text) => db('users').select(db.raw('id::text')).where((w) => w.whereILike('name', containing(text)).orWhereILike('email', containing(text))),
  Team: (db, text) => db('teams').select(db.raw('id::text')).whereILike('name', containing(text)),
  Role: (db, text) => db('roles').select(db.raw('id::text')).where((w) => w.whereILike('name', containing(text)).orWhereILike('key', containing(text))),
  Channel: (db, text) => db('channels').select(db.raw('id::text')).where((w) => w.whereILike('name', containing(text)).orWhereILike('display_number', containing(text))),
  Template: (db, text) => db('templates').select(db.raw('id::text')).whereILike('name', containing(text)),
  Contact: (db, text) => {
    const digits = text.replace(/\D/g, '');
    return db('contacts').select(db.raw('id::text')).where((w) => {
      w.whereILike('profile_name', containing(text));
      if (digits.length >= 3) {
        w.orWhereLike('wa_id', `%${digits}%`);
      }
    });
  },
  Label: (db, text) => db('labels').select(db.raw('id::text')).whereILike('name', containing(text)),
  Macro: (db, text) => db('macros').select(db.raw('id::text')).whereILike('name', containing(text)),
  CannedResponse: (db, text) => db('canned_responses').select(db.raw('id::text')).where((w) => w.whereILike('title', containing(text)).orWhereILike('shortcut', containing(text))),
  Conversation: (db, text) => {
    const digits = text.replace(/\D/g, '');
    return db('conversations as cv')
      .join('contacts as ct', 'ct.id', 'cv.contact_id')
      .select(db.raw('cv.id::text'))
      .where((w) => {
        w.whereILike('ct.profile_name', containing(text));
        if (digits.length >= 3) {
          w.orWhereLike('ct.wa_id', `%${digits}%`);
        }
      });
  },
};

/** The subject types whose names can be searched and resolved. */
export const NAMED_SUBJECT_TYPES = Object.keys(SUBJECT_NAMES);

function applyFilter(db: Db, q: Knex.QueryBuilder, f: AuditFilter): Knex.QueryBuilder {
  if (f.action) {
    if (f.action.endsWith('.')) {
      q.whereRaw(FAMILY_SQL, [f.action.slice(0, -1)]);
    } else {
      q.where('a.action', f.action);
    }
  }
  if (f.family) {
    q.whereRaw(FAMILY_SQL, [f.family]);
  }
  if (f.actorId) {
    q.where('a.actor_id', f.actorId);
  }
  if (f.actor) {
    const text = containing(f.actor);
    q.whereIn('a.actor_id', db('users').select('id').where((w) => w.whereILike('name', text).orWhereILike('email', text)));
  }
  if (f.subjectType) {
    q.where('a.subject_type', f.subjectType);
  }
  if (f.subjectId) {
    q.where('a.subject_id', f.subjectId);
  }
  if (f.subject) {
    const text = f.subject;
    const types = f.subjectType ? [f.subjectType] : NAMED_SUBJECT_TYPES;
    q.where((w) => {
      for (const type of types) {
        const lookup = SUBJECT_NAMES[type];
        if (lookup) {
          w.orWhere((one) => one.where('a.subject_type', type).whereIn('a.subject_id', lookup(db, text)));
        }
      }
      // Any other subject (an audit event's seq, a setting) is named by its id.
      w.orWhere('a.subject_id', text.trim());
    });
  }
  if (f.from) {
    q.where('a.at', '>=', f.from);
  }
  if (f.to) {
    q.where('a.at', '<', f.to);
  }
  return q;
}

function eventsWithActor(db: Db): Knex.QueryBuilder {
  return db('audit_events as a').leftJoin('users as u', 'u.id', 'a.actor_id').select('a.*', 'u.email as actor_email', 'u.name as actor_name');
}

/** Newest first, keyset-paged on seq, with the acting user's name and email. */
export function listEvents(db: Db, filter: AuditFilter & { beforeSeq?: number; limit: number }, narrow: Narrow): Promise<EventRow[]> {
  const q = applyFilter(db, eventsWithActor(db), filter).orderBy('a.seq', 'desc').limit(filter.limit);
  if (filter.beforeSeq !== undefined) {
    q.where('a.seq', '<', filter.beforeSeq);
  }
  return narrow(q);
}

/** How many events match, up to and including `throughSeq` (an export's fixed end). */
export async function countEvents(db: Db, filter: AuditFilter, throughSeq: number, narrow: Narrow): Promise<number> {
  const q = applyFilter(db, db('audit_events as a').count<{ count: string }[]>({ count: '*' }), filter).where('a.seq', '<=', throughSeq);
  const [row] = await narrow(q);
  return Number(row?.count ?? 0);
}

/** One batch of an export: chain order, after `afterSeq`, never past `throughSeq`. */
export function exportBatch(db: Db, filter: AuditFilter, range: { afterSeq: number; throughSeq: number }, limit: number, narrow: Narrow): Promise<EventRow[]> {
  const q = applyFilter(db, eventsWithActor(db), filter)
    .where('a.seq', '>', range.afterSeq)
    .where('a.seq', '<=', range.throughSeq)
    .orderBy('a.seq', 'asc')
    .limit(limit);
  return narrow(q);
}

/** Users whose name or email contains the text, for the actor filter's suggestions. */
export function suggestActors(db: Db, text: string, limit: number): Promise<Array<{ id: string; name: string; email: string }>> {
  return db('users')
    .select('id', 'name', 'email')
    .where((w) => w.whereILike('name', containing(text)).orWhereILike('email', containing(text)))
    .orderBy([{ column: 'name' }, { column: 'email' }])
    .limit(limit);
}

/** Names of the rows referred to, keyed "Type:id", in one statement (UNION ALL over the named tables). */
export async function findNames(db: Db, ids: Map<string, string[]>): Promise<Map<string, string>> {
  const parts: string[] = [];
  const bindings: Array<string | string[]> = [];
  const add = (type: string, sql: string) => {
    const list = ids.get(type);
    if (list && list.length > 0) {
      parts.push(sql);
      bindings.push(type, list);
    }
  };
  add('User', 'SELECT ?::text AS type, id::text AS id, name FROM users WHERE id = ANY(?::uuid[])');
  add('Team', 'SELECT ?::text, id::text, name FROM teams WHERE id = ANY(?::uuid[])');
  add('Role', 'SELECT ?::text, id::text, name FROM roles WHERE id = ANY(?::uuid[])');
  add('Channel', 'SELECT ?::text, id::text, name FROM channels WHERE id = ANY(?::uuid[])');
  add('Template', 'SELECT ?::text, id::text, name FROM templates WHERE id = ANY(?::uuid[])');
  add('Label', 'SELECT ?::text, id::text, name FROM labels WHERE id = ANY(?::uuid[])');
  add('Macro', 'SELECT ?::text, id::text, name FROM macros WHERE id = ANY(?::uuid[])');
  add('CannedResponse', "SELECT ?::text, id::text, '/' || shortcut FROM canned_responses WHERE id = ANY(?::uuid[])");
  // A contact without a profile name is named by their number.
  add('Contact', "SELECT ?::text, id::text, coalesce(nullif(profile_name, ''), '+' || wa_id) FROM contacts WHERE id = ANY(?::uuid[])");
  add(
    'Conversation',
    "SELECT ?::text, cv.id::text, coalesce(nullif(ct.profile_name, ''), '+' || ct.wa_id) FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id WHERE cv.id = ANY(?::uuid[])",
  );
  const names = new Map<string, string>();
  if (parts.length === 0) {
    return names;
  }
  const result = await db.raw<{ rows: Array<{ type: string; id: string; name: string }> }>(parts.join(' UNION ALL '), bindings);
  for (const row of result.rows) {
    names.set(`${row.type}:${row.id}`, row.name);
  }
  return names;
}

/** Whether this user's view of this conversation was recorded at or after `since`. */
export async function viewRecordedSince(db: Db, actorId: string, conversationId: string, since: Date): Promise<boolean> {
  const row = await db('audit_events')
    .select('seq')
    .where({ subject_type: 'Conversation', subject_id: conversationId, actor_id: actorId, action: 'conversation.viewed' })
    .where('at', '>=', since)
    .first();
  return row !== undefined;
}
