// How the server is layered (STYLE.md, "The shape of a module"), checked on the source so that it
// cannot regress: commands, jobs, repos and the command-line tools never see the HTTP layer.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/lib/paths';

/** The `.ts` files under `dir` (relative to the project root), as POSIX paths. */
function tsFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(projectRoot, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith('.ts')) {
        found.push(child);
      }
    }
  };
  walk(dir);
  return found;
}

/** The project files a source file imports (relative specifiers only), as POSIX paths from the root. */
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(projectRoot, file), 'utf8');
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.posix.join(path.posix.dirname(file), s));
}

/**
 * The files below the HTTP layer that may still import it, because they are HTTP adapters:
 * each module's routes.ts (it declares the module's routes on the route table). Other Koa wiring
 * (the sandbox's operator gate, for one) belongs to the runtime (server/sandboxRuntime.ts).
 */
const HTTP_ADAPTERS = [/^server\/modules\/[^/]+\/routes\.ts$/];

/** The modules laid out like identity/ (routes, schema, commands, repo, present); the others are still to do. */
const DONE_MODULES = ['identity', 'conversations', 'teams', 'settings', 'templates', 'channels', 'audit', 'authz', 'media', 'lexicon', 'retention', 'holds', 'review', 'discovery', 'contacts', 'gdpr', 'segments', 'imports', 'integrations', 'canned', 'macros', 'costs', 'autoreply', 'broadcasts'];

describe('the server layout', () => {
  it('keeps server/http out of modules, jobs, command-line tools, lib and db (routes.ts aside)', () => {
    const below = ['server/modules', 'server/jobs', 'server/cli', 'server/lib', 'server/db'].flatMap(tsFilesUnder);
    expect(below.length).to.be.greaterThan(50);
    const offenders = below
      .filter((f) => !HTTP_ADAPTERS.some((allowed) => allowed.test(f)))
      .flatMap((f) => importsOf(f).filter((target) => target.startsWith('server/http/')).map((target) => `${f} -> ${target}`));
    expect(offenders).to.deep.equal([]);
  });

  it('sees an import of the HTTP layer when there is one (the check above can fail)', () => {
    expect(importsOf('server/modules/identity/routes.ts')).to.include('server/http/context');
  });

  it('keeps the actor, the errors and the principal below the HTTP layer, with no re-export left in server/http', () => {
    expect(existsSync(path.join(projectRoot, 'server/http/errors.ts'))).to.equal(false);
    const context = readFileSync(path.join(projectRoot, 'server/http/context.ts'), 'utf8');
    expect(context).not.to.match(/export\s+(type\s+)?\{[^}]*\b(Actor|systemActor|AuthState|AppError|errors)\b/);
    expect(context).not.to.match(/export\s+(const|type|class)\s+(Actor|systemActor|AuthState)\b/);
  });

  it('makes every client error through a factory of server/lib/errors.ts, never `new AppError(` at the call site', () => {
    const sources = ['server', 'tests', 'scripts'].flatMap((d) => (existsSync(path.join(projectRoot, d)) ? tsFilesUnder(d) : []));
    const offenders = sources.filter(
      (f) => f !== 'server/lib/errors.ts' && f !== 'tests/unit/layout.test.ts' && /new\s+AppError\s*\(/.test(readFileSync(path.join(projectRoot, f), 'utf8')),
    );
    expect(offenders).to.deep.equal([]);
    expect(readFileSync(path.join(projectRoot, 'server/lib/errors.ts'), 'utf8')).to.match(/new AppError\(/);
  });

  it('publishes live notices only through server/modules/inbox/liveNotices.ts', () => {
    const sources = tsFilesUnder('server').filter((f) => f !== 'server/modules/inbox/liveNotices.ts');
    const read = (f: string) => readFileSync(path.join(projectRoot, f), 'utf8');
    // The channel's name, written out, or a NOTIFY on it anywhere else, would be a second path.
    expect(sources.filter((f) => /'sb_events'/.test(read(f)))).to.deep.equal([]);
    expect(sources.filter((f) => /pg_notify\([^)]*EVENTS_CHANNEL/.test(read(f)) || /\[\s*EVENTS_CHANNEL\s*,/.test(read(f)))).to.deep.equal([]);
    // Only the runtime (to listen) knows the channel besides its module.
    expect(sources.filter((f) => /\bEVENTS_CHANNEL\b/.test(read(f)))).to.deep.equal(['server/runtime.ts']);
  });

  // A module's SQL is in its repo files (repo.ts, fooRepo.ts; authz/sql.ts turns CASL rules into SQL);
  // the data layer (server/db) holds the SQL that knows no domain (locks, NOTIFY, prepared statements).
  const isRepo = (f: string) => /(^|\/)([a-z]+Repo|repo)\.ts$/.test(f) || f === 'server/modules/authz/sql.ts';
  // liveNotices.ts batches NOTIFYs in one prepared statement: the notices' own channel, nothing else.
  const SQL_ELSEWHERE = ['server/modules/inbox/liveNotices.ts'];
  const moduleFiles = () => tsFilesUnder('server/modules');
  const moduleOf = (f: string) => f.split('/')[2]!;

  it('keeps SQL in repo files: no knex table call, raw statement or SQL text elsewhere in a module', () => {
    const sql = /\b(trx|db|knex)\(['"`]|\.raw\(|`\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s/;
    const offenders = moduleFiles().filter((f) => !isRepo(f) && !SQL_ELSEWHERE.includes(f) && sql.test(readFileSync(path.join(projectRoot, f), 'utf8')));
    expect(offenders).to.deep.equal([]);
    expect(sql.test(readFileSync(path.join(projectRoot, 'server/modules/conversations/repo.ts'), 'utf8'))).to.equal(true);
  });

  it("has no module reach into another module's repo or routes (it imports the other's index.ts or its commands)", () => {
    const offenders = moduleFiles().flatMap((f) =>
      importsOf(f)
        .filter((target) => target.startsWith('server/modules/') && moduleOf(target) !== moduleOf(f))
        .filter((target) => isRepo(`${target}.ts`) && target !== 'server/modules/authz/sql' || /\/routes$/.test(target))
        .map((target) => `${f} -> ${target}`),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('gives every module with routes a schema.ts, a present.ts and a repo, and keeps zod schemas out of routes.ts', () => {
    const modules = readdirSync(path.join(projectRoot, 'server/modules'));
    for (const m of DONE_MODULES) {
      expect(modules).to.include(m);
      const files = readdirSync(path.join(projectRoot, 'server/modules', m));
      expect(files, m).to.include.members(['routes.ts', 'schema.ts', 'present.ts']);
      expect(files.some((f) => isRepo(f)), `${m} has a repo`).to.equal(true);
      const routes = readFileSync(path.join(projectRoot, 'server/modules', m, 'routes.ts'), 'utf8');
      expect(routes, `${m}/routes.ts declares zod schemas`).not.to.match(/\bz\.(object|strictObject|string|number|enum|array|uuid|union|discriminatedUnion|coerce)\(/);
      expect(routes, `${m}/routes.ts imports zod's values`).not.to.match(/import \{ z \} from 'zod'/);
    }
  });

  it('keeps zod schemas and transactions out of every routes.ts (schemas in schema.ts, transactions in commands)', () => {
    const routes = moduleFiles().filter((f) => f.endsWith('/routes.ts'));
    expect(routes.length).to.be.greaterThan(8);
    for (const f of routes) {
      const source = readFileSync(path.join(projectRoot, f), 'utf8');
      expect(source, `${f} declares zod schemas`).not.to.match(/import \{ z \} from 'zod'|\bz\.(object|strictObject|string|number|enum|array|uuid|union|discriminatedUnion|coerce)\(/);
      expect(source, `${f} opens a transaction`).not.to.match(/\.transaction\(/);
    }
  });
});
