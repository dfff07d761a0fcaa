import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './lib/paths';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting the process reads, with its default. Env names are the README's configuration table. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
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
  SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL: z.string().email().default('admin@switchboard.local'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: positiveInt(30),
  SESSION_ABSOLUTE_HOURS: positiveInt(12),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(30),
  LOGIN_LOCKOUT_MINUTES: positiveInt(15),
  BODY_LIMIT_KB: positiveInt(256),
  TRUST_PROXY: bool.default(false),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  role: 'web' | 'worker' | 'all';
  masterKey: Buffer | undefined;
  dataDir: string;
  migrateOnBoot: boolean;
  sandbox: boolean;
  bootstrapAdminEmail: string;
  logLevel: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginLockoutMs: number;
  bodyLimitBytes: number;
  trustProxy: boolean;
  shutdownTimeoutMs: number;
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
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    role: e.SWITCHBOARD_ROLE,
    masterKey: e.SWITCHBOARD_MASTER_KEY ? Buffer.from(e.SWITCHBOARD_MASTER_KEY, 'base64') : undefined,
    dataDir: path.resolve(projectRoot, e.SWITCHBOARD_DATA_DIR),
    migrateOnBoot: e.SWITCHBOARD_MIGRATE_ON_BOOT,
    sandbox: e.SWITCHBOARD_SANDBOX ?? !e.DATABASE_URL,
    bootstrapAdminEmail: e.SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL.toLowerCase(),
    logLevel: e.LOG_LEVEL,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginLockoutMs: e.LOGIN_LOCKOUT_MINUTES * 60_000,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
