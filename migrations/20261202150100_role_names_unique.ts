import type { Knex } from 'knex';

// Role display names are what administrators pick roles by: two roles named alike ("Agent" and
// "agent") cannot be told apart. Existing duplicates are renamed first (the built-in role, then
// the oldest, keeps the name; the others get their key appended, which is unique, within the 80 characters a name may
// have), so the index
// can be built on any database. The renames are not audited: migrations run before the app and
// its audit chain; the seeding at boot audits any rename it makes later.
export async function up(knex: Knex): Promise<void> {
  // Postgres: a unique index on an expression (knex's builder has no case-insensitive unique).
  const duplicates = `SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY lower(name) ORDER BY builtin DESC, created_at, id) AS n FROM roles
    ) ranked WHERE n > 1`;
  await knex.raw(`UPDATE roles SET name = left(name, 77 - length(key)) || ' (' || key || ')', updated_at = now() WHERE id IN (${duplicates})`);
  // A role could already bear a "Name (key)" name: the last resort is its id, unique by definition.
  await knex.raw(`UPDATE roles SET name = left(name, 41) || ' (' || id || ')', updated_at = now() WHERE id IN (${duplicates})`);
  await knex.raw('CREATE UNIQUE INDEX roles_name_lower_unique ON roles (lower(name))');
}

// Dropping the index does not undo the renames (the original names are not kept).
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX roles_name_lower_unique');
}
