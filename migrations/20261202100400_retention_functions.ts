import type { Knex } from 'knex';

// The runtime role may neither drop tables nor delete audit events. Retention needs both, so
// each goes through one narrow SECURITY DEFINER function (the owner's rights, fixed
// search_path, EXECUTE granted to the runtime role alone: server/db/roles.ts) that checks its
// own preconditions against the database's clock and the stored policies, whatever it is asked:
//  - switchboard_drop_message_partition(name): drops a month of `messages` only when its whole
//    range is older than the longest messages period of any number and no row in it is held
//    (holds are locked meanwhile, so none appears between the check and the drop); answers
//    false when it may not, so the caller deletes row by row instead.
//  - switchboard_trim_audit_events(): removes the oldest audit events, as one range from the
//    start, up to the first one still inside the audit period (the head always stays), and
//    returns the new first event with its prev_hash for the caller to sign as the new start.
//    The append-only trigger lets exactly that range through, and only for the table's owner.
const DROP = 'switchboard_drop_message_partition';
const TRIM = 'switchboard_trim_audit_events';
// The advisory lock of server/modules/audit/repo.ts (AUDIT_CHAIN_LOCK): no append interleaves a trim.
const AUDIT_CHAIN_LOCK = 0x5b0a4d02;
// Serializes with switchboard_create_message_partition, which takes the same lock.
const PARTITION_LOCK = 1527401730;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION ${DROP}(p_name text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    SET lock_timeout = '5s'
    AS $$
    DECLARE
      bound text;
      upper_bound timestamptz;
      longest integer;
      held boolean;
    BEGIN
      IF p_name !~ '^messages_[0-9]{4}_[0-9]{2}$' THEN
        RAISE EXCEPTION 'not a month partition: %', p_name;
      END IF;
      PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
      SELECT pg_get_expr(c.relpartbound, c.oid) INTO bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'messages'::regclass AND c.relname = p_name;
      IF bound IS NULL THEN
        RETURN false;
      END IF;
      upper_bound := substring(bound from 'TO \\(''([^'']+)''\\)')::timestamptz;
      SELECT max(days) INTO longest FROM retention_policies WHERE data_class = 'messages';
      IF upper_bound IS NULL OR longest IS NULL OR upper_bound > now() - make_interval(days => longest) THEN
        RETURN false;
      END IF;
      -- No hold may be placed or released until this transaction ends.
      LOCK TABLE legal_holds IN SHARE MODE;
      EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', p_name);
      -- With no active hold (the usual case) nothing in the month can be held: no scan.
      held := false;
      IF EXISTS (SELECT 1 FROM legal_holds WHERE released_at IS NULL) THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I m LEFT JOIN conversations c ON c.id = m.conversation_id JOIN legal_holds h ON h.released_at IS NULL '
                       'AND switchboard_hold_covers(h.scope, m.created_at, m.conversation_id, m.channel_id, m.contact_id, m.author_id, c.assignee_id, m.search))', p_name)
          INTO held;
      END IF;
      IF held THEN
        RETURN false;
      END IF;
      EXECUTE format('DROP TABLE %I', p_name);
      RETURN true;
    END
    $$`);
  await knex.raw(`REVOKE ALL ON FUNCTION ${DROP}(text) FROM PUBLIC`);

  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
        IF OLD.seq < coalesce(nullif(current_setting('switchboard.audit_trim_before', true), '')::bigint, 0)
           AND current_user = (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = 'audit_events'::regclass) THEN
          RETURN OLD;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`
    CREATE FUNCTION ${TRIM}() RETURNS TABLE (first_seq bigint, first_prev_hash text, removed bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
      longest integer;
      new_first bigint;
      n bigint;
    BEGIN
      PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
      SELECT max(days) INTO longest FROM retention_policies WHERE data_class = 'audit';
      IF longest IS NULL THEN
        RETURN;
      END IF;
      SELECT min(a.seq) INTO new_first FROM audit_events a WHERE a.at >= now() - make_interval(days => longest);
      IF new_first IS NULL THEN
        SELECT max(a.seq) INTO new_first FROM audit_events a;
      END IF;
      IF new_first IS NULL OR NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.seq < new_first) THEN
        RETURN;
      END IF;
      PERFORM set_config('switchboard.audit_trim_before', new_first::text, true);
      DELETE FROM audit_events a WHERE a.seq < new_first;
      GET DIAGNOSTICS n = ROW_COUNT;
      PERFORM set_config('switchboard.audit_trim_before', '', true);
      RETURN QUERY SELECT a.seq, a.prev_hash, n FROM audit_events a WHERE a.seq = new_first;
    END
    $$`);
  await knex.raw(`REVOKE ALL ON FUNCTION ${TRIM}() FROM PUBLIC`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP FUNCTION ${TRIM}()`);
  await knex.raw(`DROP FUNCTION ${DROP}(text)`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
}
