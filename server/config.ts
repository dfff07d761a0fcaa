import path from 'node:path';
import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import { projectRoot } from './lib/paths';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

// How many proxies stand in front of the process. The old boolean form still reads: true is one hop.
const proxyHops = z
  .string()
  .regex(/^(\d{1,2}|true|false|yes|no)$/, 'must be the number of trusted proxies in front of the app (0 to ignore X-Forwarded-For)')
  .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v)));
// Where Meta's media download URLs point (GET /{media-id} answers lookaside.fbsbx.com URLs; its CDN is fbcdn.net).
const DEFAULT_MEDIA_HOSTS = 'lookaside.fbsbx.com,*.fbcdn.net';

/** Every setting the process reads, with its default. Env names are the README's configuration table. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_OWNER_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: positiveInt(20),
  SWITCHBOARD_ROLE: z.enum(['web', 'worker', 'all']).default('all'),
  SWITCHBOARD_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  SWITCHBOARD_DATA_DIR: z.string().min(1).default('.data'),
  SWITCHBOARD_MIGRATE_ON_BOOT: bool.default(true),
  SWITCHBOARD_SANDBOX: bool.optional(),
  SANDBOX_TEMPLATE_REVIEW_MS: z.coerce.number().int().min(0).max(3_600_000).default(3000),
  SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL: z.string().email().default('admin@switchboard.local'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Decimals allowed (0.05 is 3 s), so tests can watch a session go idle.
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  SESSION_ABSOLUTE_HOURS: positiveInt(12),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(30),
  LOGIN_LOCKOUT_MINUTES: positiveInt(15),
  BODY_LIMIT_KB: positiveInt(256),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((v) => !/[?#]/.test(v), 'must not contain a query or a fragment')
    .optional(),
  TRUST_PROXY: proxyHops.default(0),
  TEMPORARY_PASSWORD_HOURS: positiveInt(24),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  AUDIT_ANCHOR_CRON: z.string().refine((v) => validCron(v), 'must be a cron expression such as "0 * * * *"').default('0 * * * *'),
  MEDIA_STORE: z.enum(['directory', 's3']).default('directory'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  S3_REGION: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a region name such as us-east-1').default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lowercase letters, digits, dots, hyphens or underscores')
    .optional(),
  S3_PREFIX: z
    .string()
    .regex(/^(?!.*(\.\.|\/\/))[A-Za-z0-9][A-Za-z0-9/_.-]{0,100}$/, 'must start with a letter or digit, use only letters, digits and / _ . -, and contain no .. or //')
    .optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  GRAPH_ALLOWED_HOSTS: z.string().optional(),
  MEDIA_ALLOWED_HOSTS: z.string().default(DEFAULT_MEDIA_HOSTS),
  WEBHOOK_INFLIGHT_MAX_MB: positiveInt(64),
  INTEGRATIONS_ALLOW_LOOPBACK: bool.optional(),
  // Routing (agent availability and reassignment).
  AVAILABILITY_HEARTBEAT_TIMEOUT_SECONDS: positiveInt(90),
  REASSIGN_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  FIRST_RESPONSE_TARGET_SECONDS: positiveInt(120),
  ROUTING_SWEEP_SECONDS: z.coerce.number().positive().max(3600).default(10),
  // Above the Graph call timeout (15 s), so a slow call still in flight is never taken for a crashed one.
  OUTBOX_INFLIGHT_STALE_SECONDS: z.coerce.number().int().min(20).max(3600).default(120),
});

/** Where an S3-compatible media store is and how to reach it. */
export type S3Settings = Readonly<{
  /** undefined: AWS S3 itself; else the S3-compatible server's URL. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Prepended to every key: "" or a folder ending in "/". */
  prefix: string;
  /** Path-style URLs (https://host/bucket/key), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Static keys; undefined lets the SDK's default chain find credentials (IRSA, instance profile, AWS_* env). */
  credentials: Readonly<{ accessKeyId: string; secretAccessKey: string }> | undefined;
}>;

export type MediaSettings = Readonly<{ store: 'directory' }> | Readonly<{ store: 's3'; s3: S3Settings }>;

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** The schema owner's URL, used only for migrations; undefined: DATABASE_URL migrates too. */
  databaseOwnerUrl: string | undefined;
  databasePoolMax: number;
  role: 'web' | 'worker' | 'all';
  masterKey: Buffer | undefined;
  dataDir: string;
  migrateOnBoot: boolean;
  sandbox: boolean;
  /** How long the built-in sandbox takes to review a new template (approve or reject it). */
  sandboxTemplateReviewMs: number;
  bootstrapAdminEmail: string;
  logLevel: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginLockoutMs: number;
  bodyLimitBytes: number;
  /** The panel's address as users and Meta reach it (no trailing slash); undefined: each request's own protocol and host. */
  publicUrl: string | undefined;
  /** Proxies in front of the process: X-Forwarded-For is read that many hops from the right; 0 ignores it. */
  trustProxyHops: number;
  /** How long a temporary password (bootstrap, new user, reset) may be used to sign in. */
  temporaryPasswordMs: number;
  shutdownTimeoutMs: number;
  media: MediaSettings;
  /** Origins besides Meta's (https://graph.facebook.com) a number's Graph API base URL may use: an egress proxy. */
  graphAllowedOrigins: string[];
  /** Hosts inbound media may be downloaded from: exact names, or `*.domain` for its subdomains (https only). */
  mediaAllowedHosts: string[];
  /** Bytes of webhook bodies being read or processed at once; more answers 503 so Meta retries later. */
  webhookInflightMaxBytes: number;
  /** When the audit chain's head is signed into an anchor (node-cron expression; hourly by default). */
  auditAnchorCron: string;
  /** Integrations (bot lookups) may call http(s)://localhost, 127.0.0.1 and [::1]: tests and the sandbox, never production. */
  integrationsAllowLoopback: boolean;
  /** An agent whose panel has not beaten for this long goes offline. */
  availabilityHeartbeatTimeoutSeconds: number;
  /** How long an offline agent's open conversations stay theirs before going back to the queue. */
  reassignGraceSeconds: number;
  /** How long a customer may wait for an answer before the conversation is offered to another agent. */
  firstResponseTargetSeconds: number;
  /** How often each process sweeps availability, reassignment and the queue (decimals allowed, for tests). */
  routingSweepSeconds: number;
  /** A send still 'sending' after this long was interrupted by a crash: it is settled from its statuses, never re-sent. */
  outboxInflightStaleSeconds: number;
}>;

/** Raised at boot with one line per bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = envSchema.safeParse(relevant);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (relevant.DATABASE_URL && !relevant.SWITCHBOARD_MASTER_KEY) {
    problems.push('SWITCHBOARD_MASTER_KEY: required when DATABASE_URL is set (32 random bytes, base64)');
  }
  if (relevant.DATABASE_OWNER_URL && !relevant.DATABASE_URL) {
    problems.push('DATABASE_OWNER_URL: only used with DATABASE_URL (the embedded database sets up both roles itself)');
  }
  problems.push(...mediaProblems(relevant));
  const graphOrigins = originList(relevant.GRAPH_ALLOWED_HOSTS ?? '');
  problems.push(...graphOrigins.problems.map((p) => `GRAPH_ALLOWED_HOSTS: ${p}`));
  const mediaHosts = hostPatternList(relevant.MEDIA_ALLOWED_HOSTS ?? DEFAULT_MEDIA_HOSTS);
  problems.push(...mediaHosts.problems.map((p) => `MEDIA_ALLOWED_HOSTS: ${p}`));
  // Bot lookups send API keys and customers' numbers: in production they go over TLS to public hosts only.
  if (relevant.NODE_ENV === 'production' && /^(true|1|yes)$/i.test(relevant.INTEGRATIONS_ALLOW_LOOPBACK ?? '')) {
    problems.push('INTEGRATIONS_ALLOW_LOOPBACK: not allowed with NODE_ENV=production');
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    role: e.SWITCHBOARD_ROLE,
    masterKey: e.SWITCHBOARD_MASTER_KEY ? Buffer.from(e.SWITCHBOARD_MASTER_KEY, 'base64') : undefined,
    dataDir: path.resolve(projectRoot, e.SWITCHBOARD_DATA_DIR),
    migrateOnBoot: e.SWITCHBOARD_MIGRATE_ON_BOOT,
    // Zero-config only: with a real database or in production the sandbox must be asked for (it warns then).
    sandbox: e.SWITCHBOARD_SANDBOX ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    sandboxTemplateReviewMs: e.SANDBOX_TEMPLATE_REVIEW_MS,
    bootstrapAdminEmail: e.SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL.toLowerCase(),
    logLevel: e.LOG_LEVEL,
    sessionIdleMs: Math.round(e.SESSION_IDLE_MINUTES * 60_000),
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginLockoutMs: e.LOGIN_LOCKOUT_MINUTES * 60_000,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxyHops: e.TRUST_PROXY,
    temporaryPasswordMs: e.TEMPORARY_PASSWORD_HOURS * 3_600_000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    auditAnchorCron: e.AUDIT_ANCHOR_CRON,
    media: e.MEDIA_STORE === 's3' && e.S3_BUCKET ? { store: 's3', s3: s3Settings({ ...e, S3_BUCKET: e.S3_BUCKET }) } : { store: 'directory' },
    graphAllowedOrigins: graphOrigins.values,
    mediaAllowedHosts: mediaHosts.values,
    webhookInflightMaxBytes: e.WEBHOOK_INFLIGHT_MAX_MB * 1024 * 1024,
    // On by default where the sandbox starts by itself (zero-config evaluation), so a local mock API can be tried.
    integrationsAllowLoopback: e.INTEGRATIONS_ALLOW_LOOPBACK ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    availabilityHeartbeatTimeoutSeconds: e.AVAILABILITY_HEARTBEAT_TIMEOUT_SECONDS,
    reassignGraceSeconds: e.REASSIGN_GRACE_SECONDS,
    firstResponseTargetSeconds: e.FIRST_RESPONSE_TARGET_SECONDS,
    routingSweepSeconds: e.ROUTING_SWEEP_SECONDS,
    outboxInflightStaleSeconds: e.OUTBOX_INFLIGHT_STALE_SECONDS,
  };
}

/** Settings that are each valid but do not fit together; read from the raw values, so they are reported with any other problem. */
function mediaProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const s3 = raw.MEDIA_STORE === 's3';
  if (s3 && !raw.S3_BUCKET) {
    problems.push('S3_BUCKET: required when MEDIA_STORE is s3');
  }
  if ((raw.MEDIA_STORE ?? 'directory') === 'directory' && raw.S3_BUCKET) {
    // Media would otherwise land on local disk while the operator believes it is in the bucket.
    problems.push('MEDIA_STORE: must be s3 when S3_BUCKET is set (or unset S3_BUCKET to keep media in the data dir)');
  }
  if (s3 && Boolean(raw.S3_ACCESS_KEY_ID) !== Boolean(raw.S3_SECRET_ACCESS_KEY)) {
    const missing = raw.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    const other = raw.S3_ACCESS_KEY_ID ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    problems.push(`${missing}: required when ${other} is set (or unset both to use the default AWS credential chain)`);
  }
  return problems;
}

const splitList = (raw: string) => raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `host`, `host:port` (https) or `http(s)://host[:port]`, each as an origin such as https://proxy.internal:8443. */
function originList(raw: string): { values: string[]; problems: string[] } {
  const values: string[] = [];
  const problems: string[] = [];
  for (const entry of splitList(raw)) {
    let url: URL | null;
    try {
      url = new URL(/^[a-z]+:\/\//i.test(entry) ? entry : `https://${entry}`);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.username || url.password) {
      problems.push(`"${entry}" must be a host, host:port or http(s)://host[:port], without a path`);
    } else {
      values.push(url.origin);
    }
  }
  return { values, problems };
}

/** Host names, or `*.domain` for any subdomain of it. */
function hostPatternList(raw: string): { values: string[]; problems: string[] } {
  const values = splitList(raw).map((v) => v.toLowerCase());
  const problems = values.filter((v) => !HOST.test(v.replace(/^\*\./, ''))).map((v) => `"${v}" must be a host name or *.domain`);
  return { values, problems };
}

function s3Settings(e: z.infer<typeof envSchema> & { S3_BUCKET: string }): S3Settings {
  const prefix = e.S3_PREFIX ?? '';
  return {
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    bucket: e.S3_BUCKET,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    // AWS serves virtual-hosted buckets; a custom endpoint (MinIO, Ceph, ...) usually serves paths only.
    forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } : undefined,
  };
}
