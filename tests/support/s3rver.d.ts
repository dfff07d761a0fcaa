// The part of @20minutes/s3rver (a maintained fork of s3rver, which ships no types) that tests/support/s3.ts uses.
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';
  import type Koa from 'koa';

  type Options = {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    configureBuckets?: Array<{ name: string }>;
  };

  class S3rver {
    constructor(options: Options);
    /** The Koa middleware list (s3rver is a Koa application). */
    middleware: Koa.Middleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }

  export = S3rver;
}
