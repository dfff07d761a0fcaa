import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../server/config';

// s3rver's built-in account: it verifies SigV4 signatures against these keys.
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

/** One request as the S3 server received it. */
export type SeenRequest = { method: string; path: string; headers: Record<string, string | string[] | undefined> };

export type TestS3 = {
  endpoint: string;
  bucket: string;
  /** Settings for an S3MediaStore on this server's bucket. */
  settings: (overrides?: Partial<S3Settings>) => S3Settings;
  /** The environment that makes the app use this bucket (for startTestApp). */
  env: (prefix?: string) => Record<string, string>;
  /** Every request received, oldest first. */
  requests: SeenRequest[];
  /** Whether the bucket holds an object, asked through the S3 API (HeadObject). */
  has: (objectKey: string) => Promise<boolean>;
  /** An object's bytes, read back through the S3 API. */
  bytesOf: (objectKey: string) => Promise<Buffer>;
  stop: () => Promise<void>;
};

/**
 * A real S3-compatible HTTP server (s3rver, from npm) on an ephemeral loopback port, with a
 * bucket of its own in a temporary folder: each test file gets its own server, so parallel
 * workers share nothing.
 */
export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'switchboard-s3-'));
  const bucket = `media-${randomBytes(6).toString('hex')}`;
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const requests: SeenRequest[] = [];
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, path: ctx.path, headers: { ...ctx.headers } });
    await next();
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const settings = (overrides: Partial<S3Settings> = {}): S3Settings => ({
    endpoint,
    region: 'us-east-1',
    bucket,
    prefix: '',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
    ...overrides,
  });
  const reader = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
  });
  return {
    endpoint,
    bucket,
    settings,
    env: (prefix = '') => ({
      MEDIA_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
      ...(prefix ? { S3_PREFIX: prefix } : {}),
    }),
    requests,
    // No listing: s3rver refuses the signature of the SDK's bucket-level GETs (ListObjects).
    has: async (objectKey) => {
      try {
        await reader.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
          return false;
        }
        throw err;
      }
    },
    bytesOf: async (objectKey) => {
      const res = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    stop: async () => {
      reader.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
