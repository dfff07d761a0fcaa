import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDb, type Db } from './knex';
import type { Logger } from '../lib/logger';

/** The login roles the embedded database is given: the schema's owner (migrations) and the application's. */
export const EMBEDDED_OWNER_ROLE = 'switchboard_owner';
export const EMBEDDED_RUNTIME_ROLE = 'switchboard_app';

/**
 * Tables the runtime may only append to and read: their history must not be rewritable by
 * the application's own role (the audit chain, and the key that signs its anchors).
 */
export const APPEND_ONLY_TABLES = ['audit_events', 'appliance_keys'];
/** Tables the runtime reads but never writes: knex's migration bookkeeping (the readiness probe lists it). */
const READ_ONLY_TABLES = ['knex_migrations', 'knex_migrations_lock'];
/**
 * Functions that run with the owner's rights (SECURITY DEFINER) for the one piece of DDL the
 * runtime needs: next months' partitions of `messages` (migrations/*_message_partition_function.ts),
 * and retention's drop of an expired month and trim of the audit log's oldest range
 * (migrations/*_retention_functions.ts), each re-checking its own preconditions.
 */
const RUNTIME_FUNCTIONS = [
  'switchboard_create_message_partition(text, date, date)',
  'switchboard_drop_message_partition(text)',
  'switchboard_trim_audit_events()',
];
/** Schemas whose tables the runtime works with: the application's and pg-boss's. */
const RUNTIME_SCHEMAS = ['public', 'pgboss'];

type Credentials = { user: string; password: string };

/** The same server with other credentials and database. */
export function urlFor(serverUrl: string, who: Credentials, database: string): string {
  const u = new URL(serverUrl);
  u.username = encodeURIComponent(who.user);
  u.password = encodeURIComponent(who.password);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function loadOrCreateRoleCredentials(dir: string): Promise<{ owner: Credentials; runtime: Credentials }> {
  const file = path.join(dir, 'pg-roles.json');
  if (existsSync(file)) {
    return JSON.parse(await readFile(file, 'utf8')) as { owner: Credentials; runtime: Credentials };
  }
  const created = {
    owner: { user: EMBEDDED_OWNER_ROLE, password: randomBytes(18).toString('base64url') },
    runtime: { user: EMBEDDED_RUNTIME_ROLE, password: randomBytes(18).toString('base64url') },
  };
  await writeFile(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

/**
 * Embedded (and test) clusters: creates the owner and runtime login roles (passwords kept in
 * `<dir>/pg-roles.json`, readable only by us), makes the owner own `database` and everything
 * in it that the superuser created before roles existed, and returns both URLs.
 * `superUrl` is any URL of the cluster with superuser credentials.
 */
export async function ensureEmbeddedRoles(
  superUrl: string,
  database: string,
  dir: string,
): Promise<{ ownerUrl: string; runtimeUrl: string }> {
  const { owner, runtime } = await loadOrCreateRoleCredentials(dir);
  const cluster = createDb(superUrl, 1);
  try {
    for (const role of [owner, runtime]) {
      const exists = await cluster.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [role.user]);
      // Neither may create roles or databases, nor bypass row security; only the owner owns anything.
      const verb = exists.rows.length === 0 ? 'CREATE' : 'ALTER';
      // Utility statements take no bind parameters: the password is a quoted literal.
      const password = `'${role.password.replace(/'/g, "''")}'`;
      await cluster.raw(`${verb} ROLE ?? LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${password}`, [role.user]);
    }
    await cluster.raw('ALTER DATABASE ?? OWNER TO ??', [database, owner.user]);
  } finally {
    await cluster.destroy();
  }
  const superInDatabase = new URL(superUrl);
  superInDatabase.pathname = `/${encodeURIComponent(database)}`;
  const inDatabase = createDb(superInDatabase.toString(), 1);
  try {
    await inDatabase.raw(transferOwnershipSql(owner.user));
  } finally {
    await inDatabase.destroy();
  }
  return { ownerUrl: urlFor(superUrl, owner, database), runtimeUrl: urlFor(superUrl, runtime, database) };
}

/**
 * Databases created before the roles existed hold objects owned by the superuser; the owner
 * takes them over so its migrations can alter them. Sequences owned by a column follow their
 * table; a partition is altered on its own.
 */
function transferOwnershipSql(owner: string): string {
  const o = quoteIdent(owner);
  const schemas = RUNTIME_SCHEMAS.map((s) => `'${s}'`).join(', ');
  return `DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE n.nspname IN (${schemas}) AND n.nspowner = current_user::regrole AND n.nspname <> 'public'
  LOOP EXECUTE format('ALTER SCHEMA %I OWNER TO ${o}', r.nspname); END LOOP;
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN (${schemas}) AND c.relowner = current_user::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP EXECUTE format('ALTER TABLE %s OWNER TO ${o}', r.name); END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname IN (${schemas}) AND p.proowner = current_user::regrole
  LOOP EXECUTE format('ALTER ROUTINE %s OWNER TO ${o}', r.name); END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname IN (${schemas}) AND t.typowner = current_user::regrole AND t.typtype IN ('e', 'd')
  LOOP EXECUTE format('ALTER TYPE %s OWNER TO ${o}', r.name); END LOOP;
END $$`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The role a connection runs as, and whether it bypasses every privilege check. */
export async function currentRole(db: Db): Promise<{ name: string; superuser: boolean }> {
  const result = await db.raw<{ rows: Array<{ name: string; superuser: boolean }> }>(
    'SELECT current_user AS name, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
  );
  const row = result.rows[0];
  if (!row) {
    throw new Error('could not read the current database role');
  }
  return row;
}

/**
 * Run by the owner after every migration: the runtime role gets DML on the application's and
 * pg-boss's tables (now and, through default privileges, on tables the owner creates later),
 * read-only access to the migration bookkeeping, and only INSERT and SELECT on the
 * append-only tables. It never gets TRUNCATE, TRIGGER, REFERENCES or CREATE, and owns
 * nothing, so it cannot disable a trigger, drop a table or re-hash the audit chain.
 */
export async function grantRuntimeRole(owner: Db, runtimeRole: string): Promise<void> {
  const self = await currentRole(owner);
  if (self.name === runtimeRole) {
    return;
  }
  const rt = quoteIdent(runtimeRole);
  await owner.transaction(async (trx) => {
    for (const schema of RUNTIME_SCHEMAS) {
      const exists = await trx.raw('SELECT 1 FROM pg_namespace WHERE nspname = ?', [schema]);
      if (exists.rows.length === 0) {
        continue;
      }
      const s = quoteIdent(schema);
      await trx.raw(`GRANT USAGE ON SCHEMA ${s} TO ${rt}`);
      await trx.raw(`REVOKE CREATE ON SCHEMA ${s} FROM ${rt}`);
      await trx.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${rt}`);
      await trx.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${rt}`);
      await trx.raw(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${rt}`);
      await trx.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${rt}`);
      await trx.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${rt}`);
    }
    for (const table of APPEND_ONLY_TABLES) {
      await trx.raw(`REVOKE ALL ON ${quoteIdent(table)} FROM ${rt}`);
      await trx.raw(`GRANT SELECT, INSERT ON ${quoteIdent(table)} TO ${rt}`);
    }
    for (const table of READ_ONLY_TABLES) {
      await trx.raw(`REVOKE ALL ON ${quoteIdent(table)} FROM ${rt}`);
      await trx.raw(`GRANT SELECT ON ${quoteIdent(table)} TO ${rt}`);
    }
    for (const fn of RUNTIME_FUNCTIONS) {
      const [name] = fn.split('(');
      const exists = await trx.raw('SELECT 1 FROM pg_proc WHERE proname = ?', [name]);
      if (exists.rows.length > 0) {
        await trx.raw(`GRANT EXECUTE ON FUNCTION ${fn} TO ${rt}`);
      }
    }
  });
}

/**
 * Says loudly when the runtime could rewrite the audit chain: it owns `audit_events` (no
 * separate owner role configured) or is a superuser.
 */
export async function warnIfRuntimeCanRewriteAudit(db: Db, log: Logger): Promise<void> {
  const role = await currentRole(db);
  const owns = await db.raw<{ rows: Array<{ owns: boolean }> }>(
    `SELECT pg_has_role(current_user, c.relowner, 'USAGE') AS owns FROM pg_class c WHERE c.oid = to_regclass('public.audit_events')`,
  );
  if (role.superuser || owns.rows[0]?.owns) {
    log.warn(
      { role: role.name, superuser: role.superuser },
      'the application connects as a role that owns audit_events (or is a superuser), so it could rewrite the audit chain: ' +
        'run migrations with DATABASE_OWNER_URL and let DATABASE_URL be a role with only the runtime grants (see the README)',
    );
  }
}
