import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Config } from './config';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded';
import { createDb, type Db } from './db/knex';
import { PgListener } from './db/listener';
import { pendingMigrations } from './db/migrate';
import { currentRole, ensureEmbeddedRoles, warnIfRuntimeCanRewriteAudit } from './db/roles';
import { setUpDatabase } from './setup';
import { createApp, type BuiltApp, type Readiness } from './http/app';
import { systemActor } from './lib/actor';
import { startWorker, type Worker } from './jobs/worker';
import { createLogger, type Logger } from './lib/logger';
import { systemClock, type Clock } from './lib/clock';
import { createMetrics } from './lib/metrics';
import { loadOrCreateLocalMasterKey } from './lib/secrets';
import { loadOrCreateApplianceKey } from './modules/audit/applianceKey';
import { reapplyLedgerAtStartup } from './modules/gdpr';
import { AuditLog } from './modules/audit/auditLog';
import { seedBuiltinRoles } from './modules/authz/roleCommands';
import { bootstrapAdmin } from './modules/identity/bootstrap';
import { AUTH_CHANNEL, SessionStore } from './modules/identity/sessions';
import type { Services } from './services';
import path from 'node:path';
import type Koa from 'koa';
import type { AppState } from './http/context';
import { ChannelDirectory } from './modules/channels/credentials';
import { EgressPolicy } from './modules/channels/egress';
import { CHANNELS_CHANNEL, sendReadReceipt, syncWabaTemplates } from './modules/channels/commands';
import { DirectoryMediaStore, type MediaStore } from './modules/media/store';
import { MediaDownloader } from './modules/media/downloader';
import { LiveEvents } from './modules/inbox/liveEvents';
import { EVENTS_CHANNEL, EventPublisher } from './modules/inbox/liveNotices';
import { countDefaultPartitionRows } from './modules/inbox/partitionRepo';
import { DEFAULT_ROWS_COUNTED } from './modules/inbox/partitions';
import { OUTBOX_CHANNEL, Sender } from './modules/outbox/sender';
import { startSandbox } from './sandboxRuntime';
import { Lexicon } from './modules/lexicon/screen';
import { seedDefaultLexicon } from './modules/lexicon/defaults';
import { IntegrationHttp } from './modules/integrations/caller';
import { AutoReplies } from './modules/autoreply/runner';
import { runLookup } from './modules/integrations';
import { Router, RoutingSweeper } from './modules/routing';

export type Runtime = {
  services: Services;
  /** Base URL of the web role, e.g. http://127.0.0.1:8080 (null for a worker-only process). */
  url: string | null;
  databaseUrl: string;
  /** Credentials of the first admin when this boot created it; shown once, never stored. */
  bootstrap: { email: string; password: string } | null;
  built: BuiltApp | null;
  worker: Worker | null;
  /** The built-in sandbox Cloud API, when it runs in this process. */
  sandbox: Awaited<ReturnType<typeof startSandbox>> | null;
  stop: () => Promise<void>;
};

const EMBEDDED_DATABASE = 'switchboard';

async function ensureDatabase(embedded: EmbeddedServer, name: string): Promise<void> {
  const admin = createDb(embedded.url('postgres'), 1);
  try {
    const exists = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (exists.rows.length === 0) {
      await admin.raw(`CREATE DATABASE ?? ENCODING 'UTF8'`, [name]);
    }
  } finally {
    await admin.destroy();
  }
}

// Declarative partitioning, MERGE and the JSON functions the schema relies on: 16 or newer.
const MIN_SERVER_VERSION_NUM = 160000;

async function requireSupportedPostgres(db: Db): Promise<void> {
  const result = await db.raw<{ rows: Array<{ server_version_num: string }> }>('SHOW server_version_num');
  const found = Number(result.rows[0]?.server_version_num ?? 0);
  if (found < MIN_SERVER_VERSION_NUM) {
    await db.destroy();
    throw new Error(`PostgreSQL 16 or newer is required; DATABASE_URL points at version ${Math.floor(found / 10000)}.`);
  }
}

function readinessCheck(db: Db): Readiness {
  let migrationsCurrent = false;
  const withTimeout = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
  return async () => {
    const checks: Record<string, string> = {};
    try {
      await withTimeout(db.raw('SELECT 1'), 2000);
      checks.database = 'ok';
    } catch {
      checks.database = 'unreachable';
      return { ok: false, checks };
    }
    if (!migrationsCurrent) {
      const pending = await withTimeout(pendingMigrations(db), 2000).catch(() => ['unknown']);
      migrationsCurrent = pending.length === 0;
      checks.migrations = migrationsCurrent ? 'current' : `pending: ${pending.length}`;
    } else {
      checks.migrations = 'current';
    }
    return { ok: migrationsCurrent, checks };
  };
}

/** The configured media store. The AWS SDK (~0.5 s and 20 MB to load) is loaded only when it is used. */
export async function createMediaStore(config: Config): Promise<MediaStore> {
  if (config.media.store === 's3') {
    const { S3MediaStore } = await import('./modules/media/s3Store.js');
    return new S3MediaStore(config.media.s3);
  }
  return new DirectoryMediaStore(path.join(config.dataDir, 'media'));
}

/**
 * Boots Switchboard in the configured role: database (embedded when no DATABASE_URL),
 * migrations under an advisory lock, built-in roles, the first admin, then the web server
 * and/or the worker. `stop` drains and closes everything within the shutdown timeout.
 */
export async function startRuntime(config: Config, log: Logger = createLogger(config.logLevel), options: { clock?: Clock } = {}): Promise<Runtime> {
  let embedded: EmbeddedServer | null = null;
  let databaseUrl = config.databaseUrl;
  let ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, log);
    await ensureDatabase(embedded, EMBEDDED_DATABASE);
    // Migrations run as the schema's owner; the application as a role that cannot rewrite the audit.
    ({ ownerUrl, runtimeUrl: databaseUrl } = await ensureEmbeddedRoles(embedded.url('postgres'), EMBEDDED_DATABASE, config.dataDir));
  }
  const masterKey = config.masterKey ?? (await loadOrCreateLocalMasterKey(config.dataDir));
  const db = createDb(databaseUrl, config.databasePoolMax);
  await requireSupportedPostgres(db);
  const metrics = createMetrics({ messagesDefaultRows: () => countDefaultPartitionRows(db, DEFAULT_ROWS_COUNTED) });
  const audit = new AuditLog(db, log, (n) => metrics.auditEvents.inc(n));
  const sessions = new SessionStore(db, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs });
  const egress = new EgressPolicy({ graphAllowedOrigins: config.graphAllowedOrigins, mediaAllowedHosts: config.mediaAllowedHosts });
  const channels = new ChannelDirectory(db, masterKey, (url) => egress.graphBaseUrlRefusal(url) === null);
  const media = await createMediaStore(config);
  // Late-bound: the downloader and the sender need the services they are part of.
  const publisher = new EventPublisher(db, log);
  const hooks = { mediaPending: (_ids: string[]) => undefined as void, outboxQueued: (_id: string) => undefined as void, routingNeeded: () => undefined as void };
  const services: Services = {
    config, db, log, clock: options.clock ?? systemClock, metrics, audit, sessions, masterKey, channels, media, egress,
    onMediaPending: (ids) => hooks.mediaPending(ids),
    onOutboxQueued: (id) => hooks.outboxQueued(id),
    onRoutingNeeded: () => hooks.routingNeeded(),
    readReceipts: (channelId, wamid) => void sendReadReceipt(services, channelId, wamid),
    onTemplatesChanged: (wabaId) => void syncWabaTemplates(services, wabaId),
    publish: (notices) => publisher.publish(notices),
    lexicon: new Lexicon(db, audit, log),
    integrations: new IntegrationHttp(config.integrationsAllowLoopback, metrics),
    autoReplies: new AutoReplies(db, () => services),
    lookup: (integrationId, vars) => runLookup(services, integrationId, vars),
  };

  if (config.migrateOnBoot) {
    const applied = await setUpDatabase(ownerUrl ?? databaseUrl, (await currentRole(db)).name, log);
    if (applied.length > 0) {
      log.info({ applied }, 'migrations applied');
    }
  }
  await warnIfRuntimeCanRewriteAudit(db, log);
  // Every booting process converges the built-in roles and, on an empty database, creates the
  // first admin (both under advisory locks), so a Helm install without boot migrations gets one too.
  await seedBuiltinRoles(services, systemActor);
  const bootstrap = await bootstrapAdmin(services);
  // The default lexicon (policies/lexicon/) is merged in: new terms added, admins' edits kept.
  await seedDefaultLexicon(services);
  // The key that signs audit anchors is made on first start, sealed under the master key.
  await loadOrCreateApplianceKey(db, masterKey);
  // Erased subjects that a restored backup brought back are erased again before anything serves them.
  await reapplyLedgerAtStartup(services);

  const runsWorker = config.role !== 'web';
  const runsWeb = config.role !== 'worker';
  const sender = runsWorker ? new Sender(services) : null;
  const downloader = runsWeb ? new MediaDownloader(services) : null;
  const live = runsWeb ? new LiveEvents(services, log) : null;
  // Every process routes (web right after an inbound commit) and sweeps; the routing lock makes it exact.
  const router = new Router(services);
  const routingSweeper = new RoutingSweeper(services, router);
  hooks.routingNeeded = () => router.kick();
  hooks.mediaPending = (ids) => downloader?.enqueue(ids);
  hooks.outboxQueued = (channelId) => {
    sender?.wake(channelId);
    // Worker processes elsewhere learn of it through NOTIFY.
    db.raw('SELECT pg_notify(?, ?)', [OUTBOX_CHANNEL, channelId]).catch(() => undefined);
  };

  const listener = new PgListener(databaseUrl, [AUTH_CHANNEL, EVENTS_CHANNEL, CHANNELS_CHANNEL, OUTBOX_CHANNEL], log);
  listener.on('notification', (channel: string, payload: string) => {
    if (channel === AUTH_CHANNEL) {
      sessions.invalidate(payload);
    } else if (channel === EVENTS_CHANNEL) {
      live?.dispatchSafely(payload);
    } else if (channel === CHANNELS_CHANNEL) {
      channels.invalidate();
    } else if (channel === OUTBOX_CHANNEL) {
      sender?.wake(payload);
    }
  });
  listener.on('reconnected', () => {
    sessions.invalidate('*');
    channels.invalidate();
  });
  await listener.start();

  let server: http.Server | null = null;
  let built: BuiltApp | null = null;
  const sockets = new Set<Socket>();
  let url: string | null = null;
  const readiness = readinessCheck(db);
  const sandboxMount: { middleware: Koa.Middleware<AppState> | null } = { middleware: null };
  if (runsWeb) {
    built = createApp(services, readiness, {
      api: true,
      live: live ?? undefined,
      extra: (ctx, next) => (sandboxMount.middleware ? sandboxMount.middleware(ctx, next) : next()),
    });
    server = http.createServer(built.app.callback());
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
    log.info({ url, role: config.role }, 'web role listening');
  }
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | null = null;
  if (config.sandbox && url) {
    sandbox = await startSandbox(services, url, log);
    sandboxMount.middleware = sandbox?.middleware ?? null;
  }
  downloader?.start();
  const worker = runsWorker ? await startWorker(services, databaseUrl) : null;
  await sender?.start();
  routingSweeper.start();
  void router.warm().catch((err: Error) => log.warn({ err: err.message }, 'routing: could not warm up'));
  if (config.role === 'worker') {
    // Probes still need somewhere to land: a worker serves only the system endpoints.
    built = createApp(services, readiness, { api: false });
    server = http.createServer(built.app.callback());
    await new Promise<void>((resolve) => server!.listen(config.port, config.host, () => resolve()));
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const deadline = setTimeout(() => {
        log.warn('shutdown deadline reached; closing remaining connections');
        server?.closeAllConnections();
      }, config.shutdownTimeoutMs - 2000);
      deadline.unref();
      live?.close();
      downloader?.stop();
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      clearTimeout(deadline);
      await sender?.stop();
      await routingSweeper.stop();
      await sandbox?.close();
      await worker?.stop().catch((err: Error) => log.warn({ err: err.message }, 'worker stop failed'));
      await services.lexicon.flush();
      await services.autoReplies.flush();
      await audit.flush().catch(() => undefined);
      await publisher.flush();
      await listener.stop();
      media.close?.();
      await egress.close();
      await services.integrations.close();
      await db.destroy();
      if (embedded) {
        await embedded.stop();
      }
      log.info('stopped');
    })();
    return stopping;
  };
  return { services, url, databaseUrl, bootstrap, built, worker, sandbox, stop };
}
