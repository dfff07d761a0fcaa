import type { Knex } from 'knex';

// The runtime role may not create tables (server/db/roles.ts), yet the worker must keep the
// monthly partitions of `messages` ahead of the clock and move stray rows out of the default
// partition. This one narrow function does exactly that with the owner's rights (SECURITY
// DEFINER, fixed search_path), and the runtime role is granted EXECUTE on it alone.
//
// Creating a partition (CREATE TABLE ... PARTITION OF) fails while the default holds rows of
// its range, so the month's table is made apart (LIKE the parent), filled from the default,
// then attached. ATTACH scans the default for rows of the new range (gone by then) under an
// ACCESS EXCLUSIVE lock, taken first so no message lands there meanwhile; the CHECK constraint
// spares the scan of the new table and is dropped once the partition bound holds. Returns the
// rows moved, or NULL when the partition already exists (another run made it).
const CREATE_MESSAGE_PARTITION = 'switchboard_create_message_partition';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION ${CREATE_MESSAGE_PARTITION}(p_name text, p_from date, p_to date) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    SET lock_timeout = '5s'
    AS $$
    DECLARE
      cols text;
      moved integer;
    BEGIN
      IF p_name !~ '^messages_[0-9]{4}_[0-9]{2}$' OR p_to <= p_from THEN
        RAISE EXCEPTION 'not a month partition: % [%, %)', p_name, p_from, p_to;
      END IF;
      -- Another run (another worker, a retry) waits here instead of racing to create the same table.
      PERFORM pg_advisory_xact_lock(1527401730);
      IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent = 'messages'::regclass AND c.relname = p_name) THEN
        RETURN NULL;
      END IF;
      -- ONLY: the parent alone; LOCK TABLE would otherwise lock every partition too.
      LOCK TABLE ONLY messages IN SHARE UPDATE EXCLUSIVE MODE;
      LOCK TABLE messages_default IN ACCESS EXCLUSIVE MODE;
      EXECUTE format('CREATE TABLE %I (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)', p_name);
      -- Bounds typed as timestamptz in the session's zone, like the partition bound below.
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (created_at >= %L::timestamptz AND created_at < %L::timestamptz)',
                     p_name, p_name || '_month', p_from::text, p_to::text);
      -- Every stored column but the generated ones, which are computed again on insert.
      SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
       WHERE attrelid = 'messages'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
      EXECUTE format('WITH moved AS (DELETE FROM messages_default WHERE created_at >= %L::timestamptz AND created_at < %L::timestamptz RETURNING %s) '
                     'INSERT INTO %I (%s) SELECT %s FROM moved', p_from::text, p_to::text, cols, p_name, cols, cols);
      GET DIAGNOSTICS moved = ROW_COUNT;
      EXECUTE format('ALTER TABLE messages ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', p_name, p_from::text, p_to::text);
      EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', p_name, p_name || '_month');
      RETURN moved;
    END
    $$`);
  await knex.raw(`REVOKE ALL ON FUNCTION ${CREATE_MESSAGE_PARTITION}(text, date, date) FROM PUBLIC`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP FUNCTION ${CREATE_MESSAGE_PARTITION}(text, date, date)`);
}
