// loadConfig: what an operator gets from the environment, and what they are told when it is wrong.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../server/config';
import { projectRoot } from '../../server/lib/paths';

const DATABASE_URL = 'postgres://switchboard:secret@db:5432/switchboard';
const MASTER_KEY = randomBytes(32).toString('base64');

/** The ConfigError loadConfig throws for env; fails the test when it does not throw one. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The problem lines that name a variable, as `NAME: reason`. */
const linesNaming = (problems: string[], name: string): string[] => problems.filter((p) => p.startsWith(`${name}:`));

describe('loadConfig', () => {
  describe('zero-config', () => {
    it('starts with documented defaults and no environment at all', () => {
      const config = loadConfig({});
      expect(config).to.deep.include({
        env: 'development',
        port: 8080,
        host: '0.0.0.0',
        databaseUrl: undefined,
        databasePoolMax: 20,
        role: 'all',
        masterKey: undefined,
        migrateOnBoot: true,
        sandbox: true,
        sandboxTemplateReviewMs: 3000,
        bootstrapAdminEmail: 'admin@switchboard.local',
        logLevel: 'info',
        sessionIdleMs: 30 * 60_000,
        sessionAbsoluteMs: 12 * 3_600_000,
        loginMaxFailuresPerAccount: 5,
        loginMaxFailuresPerIp: 30,
        loginLockoutMs: 15 * 60_000,
        bodyLimitBytes: 256 * 1024,
        publicUrl: undefined,
        trustProxyHops: 0,
        temporaryPasswordMs: 24 * 3_600_000,
        shutdownTimeoutMs: 10_000,
        media: { store: 'directory' },
      });
      expect(config.dataDir).to.equal(path.join(projectRoot, '.data'));
    });

    it('treats empty variables (as compose files often pass them) as unset', () => {
      const config = loadConfig({ PORT: '', SWITCHBOARD_ROLE: '', DATABASE_URL: '', TRUST_PROXY: '' });
      expect(config.port).to.equal(8080);
      expect(config.role).to.equal('all');
      expect(config.databaseUrl).to.equal(undefined);
      expect(config.trustProxyHops).to.equal(0);
    });

    it('ignores variables it does not know', () => {
      expect(loadConfig({ PATH: '/usr/bin', SWITCHBOARD_UNKNOWN: 'x' }).port).to.equal(8080);
    });
  });

  describe('database and master key', () => {
    it('refuses DATABASE_URL without SWITCHBOARD_MASTER_KEY, naming the missing key', () => {
      const { problems } = configErrorFor({ DATABASE_URL });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^SWITCHBOARD_MASTER_KEY: .*required when DATABASE_URL is set/);
    });

    it('accepts DATABASE_URL with a 32-byte base64 master key and decodes the key', () => {
      const config = loadConfig({ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY });
      expect(config.databaseUrl).to.equal(DATABASE_URL);
      expect(config.masterKey?.equals(Buffer.from(MASTER_KEY, 'base64'))).to.equal(true);
      expect(config.masterKey?.length).to.equal(32);
    });

    it('accepts both postgres:// and postgresql:// URLs but not other schemes', () => {
      const withKey = { SWITCHBOARD_MASTER_KEY: MASTER_KEY };
      expect(loadConfig({ ...withKey, DATABASE_URL: 'postgresql://u@h/d' }).databaseUrl).to.equal('postgresql://u@h/d');
      const { problems } = configErrorFor({ ...withKey, DATABASE_URL: 'mysql://u@h/d' });
      expect(linesNaming(problems, 'DATABASE_URL')).to.have.length(1);
    });

    it("takes the schema owner's URL (migrations only) beside DATABASE_URL, and refuses it alone or malformed", () => {
      const owner = 'postgres://switchboard_owner:secret@db:5432/switchboard';
      const config = loadConfig({ DATABASE_URL, DATABASE_OWNER_URL: owner, SWITCHBOARD_MASTER_KEY: MASTER_KEY });
      expect(config).to.include({ databaseUrl: DATABASE_URL, databaseOwnerUrl: owner });
      expect(loadConfig({ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY }).databaseOwnerUrl).to.equal(undefined);
      expect(linesNaming(configErrorFor({ DATABASE_OWNER_URL: owner }).problems, 'DATABASE_OWNER_URL')).to.have.length(1);
      const malformed = configErrorFor({ DATABASE_URL, DATABASE_OWNER_URL: 'mysql://u@h/d', SWITCHBOARD_MASTER_KEY: MASTER_KEY });
      expect(linesNaming(malformed.problems, 'DATABASE_OWNER_URL')).to.have.length(1);
    });

    it('anchors the audit chain hourly by default, and refuses an AUDIT_ANCHOR_CRON that is not a cron expression', () => {
      expect(loadConfig({}).auditAnchorCron).to.equal('0 * * * *');
      expect(loadConfig({ AUDIT_ANCHOR_CRON: '*/10 * * * *' }).auditAnchorCron).to.equal('*/10 * * * *');
      expect(linesNaming(configErrorFor({ AUDIT_ANCHOR_CRON: 'every hour' }).problems, 'AUDIT_ANCHOR_CRON')).to.have.length(1);
    });

    it('refuses a master key that is not 32 bytes', () => {
      for (const key of ['short', randomBytes(16).toString('base64'), randomBytes(64).toString('base64')]) {
        const { problems } = configErrorFor({ SWITCHBOARD_MASTER_KEY: key });
        expect(linesNaming(problems, 'SWITCHBOARD_MASTER_KEY'), key).to.have.length(1);
      }
    });
  });

  describe('public URL', () => {
    it('keeps PUBLIC_URL without its trailing slash, and refuses a non-http URL or one with a query', () => {
      expect(loadConfig({ PUBLIC_URL: 'https://switchboard.example.com/' }).publicUrl).to.equal('https://switchboard.example.com');
      expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).to.equal('http://10.0.0.5:8080');
      for (const bad of ['switchboard.example.com', 'ftp://switchboard.example.com', 'https://switchboard.example.com/?a=1']) {
        expect(linesNaming(configErrorFor({ PUBLIC_URL: bad }).problems, 'PUBLIC_URL'), bad).to.have.length(1);
      }
    });
  });

  describe('reporting bad values', () => {
    it('reports every bad variable at once, one line each, naming it', () => {
      const err = configErrorFor({ PORT: 'abc', SWITCHBOARD_ROLE: 'boss', SWITCHBOARD_MASTER_KEY: 'short' });
      expect(err.problems).to.have.length(3);
      for (const name of ['PORT', 'SWITCHBOARD_ROLE', 'SWITCHBOARD_MASTER_KEY']) {
        expect(linesNaming(err.problems, name), name).to.have.length(1);
      }
      // The message an operator reads in the boot log carries every line.
      for (const line of err.problems) {
        expect(err.message).to.include(line);
      }
    });

    it('names bad numbers, emails, levels and booleans', () => {
      const env = {
        DATABASE_POOL_MAX: '0',
        SESSION_IDLE_MINUTES: '-5',
        TEMPORARY_PASSWORD_HOURS: '0',
        BODY_LIMIT_KB: '1.5',
        SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL: 'not-an-email',
        LOG_LEVEL: 'loud',
        NODE_ENV: 'staging',
        TRUST_PROXY: 'maybe',
        SANDBOX_TEMPLATE_REVIEW_MS: 'soon',
      };
      const { problems } = configErrorFor(env);
      expect(problems).to.have.length(Object.keys(env).length);
      for (const name of Object.keys(env)) {
        expect(linesNaming(problems, name), name).to.have.length(1);
      }
    });

    it('names a missing master key together with other bad values (only the first kind is reported today)', () => {
      // ConfigError promises "one line per bad setting"; an operator fixing PORT should not
      // reboot only to discover the master key was also missing.
      const { problems } = configErrorFor({ DATABASE_URL, PORT: 'abc' });
      expect(linesNaming(problems, 'PORT')).to.have.length(1);
      expect(linesNaming(problems, 'SWITCHBOARD_MASTER_KEY')).to.have.length(1);
    });

    it('accepts any port 0..65535 and refuses any integer outside it', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 65_535 }), (port) => {
          expect(loadConfig({ PORT: String(port) }).port).to.equal(port);
        }),
      );
      fc.assert(
        fc.property(fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65_536 })), (port) => {
          expect(linesNaming(configErrorFor({ PORT: String(port) }).problems, 'PORT')).to.have.length(1);
        }),
      );
    });
  });

  describe('booleans', () => {
    const cases: Array<[string, boolean]> = [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ];
    for (const [raw, expected] of cases) {
      it(`reads ${raw} as ${String(expected)}`, () => {
        const config = loadConfig({ TRUST_PROXY: raw, SWITCHBOARD_MIGRATE_ON_BOOT: raw, SWITCHBOARD_SANDBOX: raw });
        expect(config.trustProxyHops).to.equal(expected ? 1 : 0);
        expect(config.migrateOnBoot).to.equal(expected);
        expect(config.sandbox).to.equal(expected);
      });
    }
  });

  describe('proxies', () => {
    it('reads TRUST_PROXY as a hop count, the old booleans as one hop or none', () => {
      expect(loadConfig({ TRUST_PROXY: '2' }).trustProxyHops).to.equal(2);
      expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxyHops).to.equal(1);
      expect(loadConfig({ TRUST_PROXY: 'no' }).trustProxyHops).to.equal(0);
      expect(linesNaming(configErrorFor({ TRUST_PROXY: '-1' }).problems, 'TRUST_PROXY')).to.have.length(1);
    });
  });

  describe('sandbox', () => {
    it('defaults to on without DATABASE_URL and off with it', () => {
      expect(loadConfig({}).sandbox).to.equal(true);
      expect(loadConfig({ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY }).sandbox).to.equal(false);
    });

    it('is off in production unless asked for explicitly', () => {
      expect(loadConfig({ NODE_ENV: 'production' }).sandbox).to.equal(false);
      expect(loadConfig({ NODE_ENV: 'production', SWITCHBOARD_SANDBOX: 'true' }).sandbox).to.equal(true);
      expect(loadConfig({ NODE_ENV: 'development' }).sandbox).to.equal(true);
    });

    it('follows SWITCHBOARD_SANDBOX when set, whatever the database', () => {
      expect(loadConfig({ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY, SWITCHBOARD_SANDBOX: '1' }).sandbox).to.equal(true);
      expect(loadConfig({ SWITCHBOARD_SANDBOX: 'false' }).sandbox).to.equal(false);
    });
  });

  describe('derived values', () => {
    it('converts minutes, hours and kilobytes into the units the server uses', () => {
      const config = loadConfig({
        SESSION_IDLE_MINUTES: '45',
        SESSION_ABSOLUTE_HOURS: '8',
        LOGIN_LOCKOUT_MINUTES: '2',
        BODY_LIMIT_KB: '1024',
        TEMPORARY_PASSWORD_HOURS: '2',
      });
      expect(config.temporaryPasswordMs).to.equal(2 * 3_600_000);
      expect(loadConfig({ SESSION_IDLE_MINUTES: '0.05' }).sessionIdleMs).to.equal(3000);
      expect(config.sessionIdleMs).to.equal(45 * 60_000);
      expect(config.sessionAbsoluteMs).to.equal(8 * 3_600_000);
      expect(config.loginLockoutMs).to.equal(2 * 60_000);
      expect(config.bodyLimitBytes).to.equal(1024 * 1024);
    });

    it('lower-cases the bootstrap admin email so sign-in matches it', () => {
      expect(loadConfig({ SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL: 'Ops@Example.COM' }).bootstrapAdminEmail).to.equal('ops@example.com');
    });

    it('resolves a relative data dir against the project root and keeps an absolute one', () => {
      expect(loadConfig({ SWITCHBOARD_DATA_DIR: 'var/data' }).dataDir).to.equal(path.join(projectRoot, 'var/data'));
      expect(loadConfig({ SWITCHBOARD_DATA_DIR: '/srv/switchboard' }).dataDir).to.equal('/srv/switchboard');
    });
  });

  describe('media store', () => {
    const S3 = { MEDIA_STORE: 's3', S3_BUCKET: 'switchboard-media' };

    it('keeps media in the data dir unless MEDIA_STORE is s3', () => {
      expect(loadConfig({ MEDIA_STORE: 'directory' }).media).to.deep.equal({ store: 'directory' });
      // Compose files pass every variable, empty when unused.
      expect(loadConfig({ MEDIA_STORE: '', S3_BUCKET: '', S3_ENDPOINT: '' }).media).to.deep.equal({ store: 'directory' });
    });

    it('reads an S3-compatible server: path-style by default with an endpoint, the prefix as a folder, static keys', () => {
      const config = loadConfig({
        ...S3,
        S3_ENDPOINT: 'https://minio.internal:9000',
        S3_REGION: 'eu-west-3',
        S3_PREFIX: 'prod/media',
        S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        S3_SECRET_ACCESS_KEY: 'secret/with+chars',
      });
      expect(config.media).to.deep.equal({
        store: 's3',
        s3: {
          endpoint: 'https://minio.internal:9000',
          region: 'eu-west-3',
          bucket: 'switchboard-media',
          prefix: 'prod/media/',
          forcePathStyle: true,
          credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/with+chars' },
        },
      });
    });

    it('defaults to AWS itself: us-east-1, virtual-hosted buckets, no prefix, the default credential chain', () => {
      expect(loadConfig(S3).media).to.deep.equal({
        store: 's3',
        s3: { endpoint: undefined, region: 'us-east-1', bucket: 'switchboard-media', prefix: '', forcePathStyle: false, credentials: undefined },
      });
      const forced = loadConfig({ ...S3, S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'false' }).media;
      expect(forced.store === 's3' && forced.s3.forcePathStyle).to.equal(false);
    });

    it('requires a bucket with MEDIA_STORE=s3, and MEDIA_STORE=s3 with a bucket', () => {
      expect(configErrorFor({ MEDIA_STORE: 's3' }).problems).to.deep.equal(['S3_BUCKET: required when MEDIA_STORE is s3']);
      const { problems } = configErrorFor({ S3_BUCKET: 'switchboard-media' });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^MEDIA_STORE: must be s3 when S3_BUCKET is set/);
    });

    it('requires both access keys or neither, and never repeats the secret in a problem', () => {
      const onlySecret = configErrorFor({ ...S3, S3_SECRET_ACCESS_KEY: 'TOPSECRET' });
      expect(onlySecret.problems).to.have.length(1);
      expect(onlySecret.problems[0]).to.match(/^S3_ACCESS_KEY_ID: required when S3_SECRET_ACCESS_KEY is set/);
      expect(onlySecret.message).not.to.include('TOPSECRET');
      const onlyId = configErrorFor({ ...S3, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' });
      expect(onlyId.problems).to.have.length(1);
      expect(onlyId.problems[0]).to.match(/^S3_SECRET_ACCESS_KEY: required when S3_ACCESS_KEY_ID is set/);
    });

    it('names each bad S3 value on its own line, with the other problems', () => {
      const env = {
        MEDIA_STORE: 'minio',
        S3_ENDPOINT: 'ftp://files.example',
        S3_BUCKET: 'Not_A_Bucket!',
        S3_PREFIX: '/abs/../path',
        S3_REGION: 'eu west',
        S3_FORCE_PATH_STYLE: 'sometimes',
        PORT: 'abc',
      };
      const { problems } = configErrorFor(env);
      expect(problems).to.have.length(Object.keys(env).length);
      for (const name of Object.keys(env)) {
        expect(linesNaming(problems, name), name).to.have.length(1);
      }
    });

    it('refuses a prefix that could climb out of its folder', () => {
      for (const prefix of ['a/../b', 'a//b', '../x', '/x']) {
        expect(linesNaming(configErrorFor({ ...S3, S3_PREFIX: prefix }).problems, 'S3_PREFIX'), prefix).to.have.length(1);
      }
    });
  });

  describe('egress', () => {
    it("allows Meta's Graph API only, and Meta's media hosts, unless told otherwise", () => {
      const config = loadConfig({});
      expect(config.graphAllowedOrigins).to.deep.equal([]);
      expect(config.mediaAllowedHosts).to.deep.equal(['lookaside.fbsbx.com', '*.fbcdn.net']);
      expect(config.webhookInflightMaxBytes).to.equal(64 * 1024 * 1024);
    });

    it('reads GRAPH_ALLOWED_HOSTS as origins (https unless a scheme is given) and MEDIA_ALLOWED_HOSTS as host patterns', () => {
      const config = loadConfig({ GRAPH_ALLOWED_HOSTS: 'proxy.internal, egress.example:8443,http://10.0.0.5:3128', MEDIA_ALLOWED_HOSTS: 'Media.Example.com,*.cdn.example' });
      expect(config.graphAllowedOrigins).to.deep.equal(['https://proxy.internal', 'https://egress.example:8443', 'http://10.0.0.5:3128']);
      expect(config.mediaAllowedHosts).to.deep.equal(['media.example.com', '*.cdn.example']);
    });

    it('names each bad egress entry', () => {
      const problems = configErrorFor({ GRAPH_ALLOWED_HOSTS: 'ok.example,https://x.example/path,ftp://y.example', MEDIA_ALLOWED_HOSTS: 'good.example,bad host,https://z.example' }).problems;
      expect(linesNaming(problems, 'GRAPH_ALLOWED_HOSTS')).to.have.length(2);
      expect(linesNaming(problems, 'MEDIA_ALLOWED_HOSTS')).to.have.length(2);
      expect(linesNaming(configErrorFor({ WEBHOOK_INFLIGHT_MAX_MB: '0' }).problems, 'WEBHOOK_INFLIGHT_MAX_MB')).to.have.length(1);
    });
  });
});
