import type { Knex } from 'knex';

// Legal holds and the one predicate that says whether a message is held. Retention (and later
// erasure) calls it for every row it would remove; the partition-drop function re-checks it.
// A hold's scope narrows by every criterion it names (contacts AND a date range, say) and
// widens within one (any of its contacts). Keys absent from the scope do not narrow.
const MESSAGE_HELD = 'switchboard_message_held';
// Does one hold's scope cover a message? (The list of holds counts what each covers with it.)
const HOLD_COVERS = 'switchboard_hold_covers';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE legal_holds (
      id uuid PRIMARY KEY,
      case_ref text NOT NULL,
      reason text NOT NULL,
      scope jsonb NOT NULL CHECK (jsonb_typeof(scope) = 'object' AND scope <> '{}'),
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      released_by uuid,
      released_at timestamptz,
      release_reason text,
      CHECK ((released_at IS NULL) = (released_by IS NULL))
    )`);
  await knex.raw('CREATE INDEX legal_holds_active_idx ON legal_holds (created_at) WHERE released_at IS NULL');
  // switchboard_hold_covers is one plain boolean expression (no sub-query, no SET clause), so
  // the planner inlines it: the bulk queries of retention call it for every row against the
  // active holds at the cost of the expression alone. The caller passes the conversation's
  // assignee (an agent's hold covers the conversations assigned to them). Tables are not named,
  // so no search_path is needed.
  await knex.raw(`
    CREATE FUNCTION ${HOLD_COVERS}(p_scope jsonb, p_created_at timestamptz, p_conversation_id uuid, p_channel_id uuid,
                                    p_contact_id uuid, p_author_id uuid, p_assignee_id uuid, p_search tsvector) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT (NOT jsonb_exists(p_scope, 'contactIds') OR coalesce(jsonb_exists(p_scope->'contactIds', p_contact_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'conversationIds') OR coalesce(jsonb_exists(p_scope->'conversationIds', p_conversation_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'channelIds') OR coalesce(jsonb_exists(p_scope->'channelIds', p_channel_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'agentIds') OR coalesce(jsonb_exists(p_scope->'agentIds', p_author_id::text), false)
              OR coalesce(jsonb_exists(p_scope->'agentIds', p_assignee_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'from') OR p_created_at >= (p_scope->>'from')::timestamptz)
         AND (NOT jsonb_exists(p_scope, 'to') OR p_created_at < (p_scope->>'to')::timestamptz)
         AND (NOT jsonb_exists(p_scope, 'query') OR p_search @@ plainto_tsquery('simple'::regconfig, p_scope->>'query'))
    $$`);
  // One message at a time (erasure, checks): looks the assignee up itself.
  await knex.raw(`
    CREATE FUNCTION ${MESSAGE_HELD}(p_created_at timestamptz, p_conversation_id uuid, p_channel_id uuid,
                                    p_contact_id uuid, p_author_id uuid, p_search tsvector) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
      SELECT EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL
                        AND ${HOLD_COVERS}(h.scope, p_created_at, p_conversation_id, p_channel_id, p_contact_id, p_author_id,
                                           (SELECT c.assignee_id FROM conversations c WHERE c.id = p_conversation_id), p_search))
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP FUNCTION ${MESSAGE_HELD}(timestamptz, uuid, uuid, uuid, uuid, tsvector)`);
  await knex.raw(`DROP FUNCTION ${HOLD_COVERS}(jsonb, timestamptz, uuid, uuid, uuid, uuid, uuid, tsvector)`);
  await knex.raw('DROP TABLE legal_holds');
}
