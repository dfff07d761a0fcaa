import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Range-partitioned by month on created_at: retention drops whole partitions. A unique key
  // must include the partition key, so wamid de-duplication lives in message_wamids below.
  await knex.raw(`
    CREATE TABLE messages (
      id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      conversation_id uuid NOT NULL,
      channel_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      direction text NOT NULL CHECK (direction IN ('in', 'out')),
      wamid text,
      type text NOT NULL,
      text text,
      content jsonb NOT NULL DEFAULT '{}',
      media_id uuid,
      context_wamid text,
      author_type text NOT NULL CHECK (author_type IN ('customer', 'agent', 'bot', 'broadcast', 'system')),
      author_id uuid,
      status text NOT NULL,
      status_times jsonb NOT NULL DEFAULT '{}',
      error jsonb,
      pricing jsonb,
      raw jsonb,
      sent_at timestamptz,
      search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED,
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  await knex.raw('CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX messages_search_idx ON messages USING gin (search)');
  // Catches rows outside every monthly partition, so an insert never fails for want of one.
  await knex.raw('CREATE TABLE messages_default PARTITION OF messages DEFAULT');
  await knex.raw(`
    CREATE FUNCTION ensure_message_partition(month date) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      start_at date := date_trunc('month', month)::date;
      name text := format('messages_%s', to_char(start_at, 'YYYY_MM'));
    BEGIN
      IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L)',
                       name, start_at, (start_at + interval '1 month')::date);
      END IF;
    END $$`);
  await knex.raw(`SELECT ensure_message_partition((date_trunc('month', now()) + make_interval(months => m))::date) FROM generate_series(-1, 2) AS m`);
  await knex.raw(`
    CREATE TABLE message_wamids (
      wamid text PRIMARY KEY,
      message_id uuid NOT NULL,
      message_created_at timestamptz NOT NULL
    )`);
  // Statuses that arrive before the send call's response are parked until the wamid is known.
  await knex.raw(`
    CREATE TABLE pending_statuses (
      wamid text NOT NULL,
      status text NOT NULL,
      at timestamptz NOT NULL,
      payload jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (wamid, status)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE pending_statuses');
  await knex.raw('DROP TABLE message_wamids');
  await knex.raw('DROP TABLE messages');
  await knex.raw('DROP FUNCTION ensure_message_partition(date)');
}
