import type { Knex } from 'knex';
import { DATA_CLASSES, loadDefaultPeriods, MAX_DAYS, MIN_DAYS } from '../server/modules/retention/periods';

// One period per data class (channel_id NULL: every number) and optionally per number. A
// locked policy (SEC 17a-4 / MiFID II) may only be lengthened: the trigger below refuses a
// shorter period, an unlock, a move to another class or number, and a delete, whoever asks
// (the route checks first and answers 409; this is what holds when it is bypassed). The
// defaults (no number) are seeded from policies/retention.yaml and can never be deleted, so
// every class always has a period, which the SQL functions of the next migrations rely on.
export async function up(knex: Knex): Promise<void> {
  const classes = DATA_CLASSES.map((c) => `'${c}'`).join(', ');
  await knex.raw(`
    CREATE TABLE retention_policies (
      id uuid PRIMARY KEY,
      data_class text NOT NULL CHECK (data_class IN (${classes})),
      channel_id uuid REFERENCES channels(id) ON DELETE CASCADE,
      days integer NOT NULL CHECK (days BETWEEN ${MIN_DAYS} AND ${MAX_DAYS}),
      locked_at timestamptz,
      locked_by uuid,
      updated_by uuid,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE NULLS NOT DISTINCT (data_class, channel_id)
    )`);
  await knex.raw(`
    CREATE FUNCTION retention_policies_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.locked_at IS NOT NULL OR OLD.channel_id IS NULL THEN
          RAISE EXCEPTION 'retention policy % cannot be removed (locked or a default)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.locked_at IS NOT NULL AND (NEW.days < OLD.days OR NEW.locked_at IS NULL
          OR NEW.data_class <> OLD.data_class OR NEW.channel_id IS DISTINCT FROM OLD.channel_id) THEN
        RAISE EXCEPTION 'retention policy % is locked: it may only be lengthened', OLD.id USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER retention_policies_locked BEFORE UPDATE OR DELETE ON retention_policies
      FOR EACH ROW EXECUTE FUNCTION retention_policies_guard();
  `);
  const defaults = loadDefaultPeriods();
  for (const c of DATA_CLASSES) {
    await knex.raw('INSERT INTO retention_policies (id, data_class, channel_id, days) VALUES (gen_random_uuid(), ?, NULL, ?)', [c, defaults[c]]);
  }
}

// A locked policy is gone with the table: down is for development databases only.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE retention_policies');
  await knex.raw('DROP FUNCTION retention_policies_guard()');
}
