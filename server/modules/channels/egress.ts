// Where the appliance may send a number's access token: its Graph API base URL, and the media
// URLs the Graph API answers. A Channel:update holder or a compromised answer must not be able
// to send the token, or a request, anywhere else (an attacker's host, the cloud metadata
// service, the database on the private network).
import type { Dispatcher } from 'undici';
import { errors } from '../../lib/errors';
import { isPublicAddress, publicOnlyAgent, type Resolver } from '../../lib/netGuard';
import { sharedPool } from '../../whatsapp/http';

/** Meta's Graph API: every number may use it. */
export const META_GRAPH_BASE_URL = 'https://graph.facebook.com';

/**
 * What a new number gets when its form leaves these empty. `GET /channels` answers them too, so
 * the panel's placeholders show the values the server will use, not a copy that drifts.
 */
export const CHANNEL_DEFAULTS = { graphBaseUrl: META_GRAPH_BASE_URL, graphVersion: 'v23.0' } as const;

/** A media URL the policy refuses; permanent (asking again gives the same answer). */
export class MediaUrlRefusedError extends Error {
  readonly permanent = true;

  constructor(reason: string) {
    super(`media URL refused: ${reason}`);
  }
}

const stripSlash = (url: string) => url.replace(/\/+$/, '');

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `host` is `pattern`, or a subdomain of `domain` for a pattern `*.domain`. */
function hostMatches(host: string, pattern: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern;
}

/** The egress rules of this process, from the configuration and the sandbox it runs (if any). */
export class EgressPolicy {
  /** `http://127.0.0.1:8080/sandbox` when the built-in sandbox runs in this process. */
  private sandboxBase: URL | null = null;
  private guarded: Dispatcher | null = null;

  constructor(
    private readonly options: { graphAllowedOrigins: string[]; mediaAllowedHosts: string[]; resolve?: Resolver },
  ) {}

  /** Allows exactly the sandbox mounted at `base` (its Graph API, its media downloads), nothing else on its host. */
  allowSandbox(base: string): void {
    this.sandboxBase = new URL(`${stripSlash(base)}/`);
  }

  /** The Graph API base URL of the sandbox running here, if it does. */
  sandboxGraphBaseUrl(): string | null {
    return this.sandboxBase ? `${this.sandboxBase.href}graph` : null;
  }

  private inSandbox(url: URL): boolean {
    return this.sandboxBase !== null && url.origin === this.sandboxBase.origin && url.pathname.startsWith(this.sandboxBase.pathname);
  }

  /**
   * Why a number may not use this Graph API base URL, or null when it may: Meta's, an origin of
   * GRAPH_ALLOWED_HOSTS (an egress proxy), or the sandbox of this process.
   */
  graphBaseUrlRefusal(value: string): string | null {
    const url = parse(value);
    if (!url || url.username || url.password || url.search || url.hash) {
      return 'must be a plain http(s) URL, without credentials, query or fragment';
    }
    if (stripSlash(url.href) === META_GRAPH_BASE_URL || this.options.graphAllowedOrigins.includes(url.origin)) {
      return null;
    }
    if (this.sandboxBase && stripSlash(url.href) === this.sandboxGraphBaseUrl()) {
      return null;
    }
    return `must be ${META_GRAPH_BASE_URL}${this.options.graphAllowedOrigins.length > 0 ? `, or on ${this.options.graphAllowedOrigins.join(', ')} (GRAPH_ALLOWED_HOSTS)` : ' (other hosts must be listed in GRAPH_ALLOWED_HOSTS)'}`;
  }

  /** Throws the 400 a route answers for a base URL the policy refuses, naming the field. */
  assertGraphBaseUrl(value: string): void {
    const refusal = this.graphBaseUrlRefusal(value);
    if (refusal) {
      throw errors.graphHostNotAllowed(refusal);
    }
  }

  /**
   * The pool to download a media URL (or a redirect target) with, or MediaUrlRefusedError: https
   * to a host of MEDIA_ALLOWED_HOSTS on the default port, through a pool that connects only to
   * public addresses (checked after DNS resolution, on the address it connects to); or the
   * sandbox of this process, which is the one thing on loopback allowed.
   */
  mediaDispatcher(url: URL): Dispatcher {
    if (url.username || url.password) {
      throw new MediaUrlRefusedError('credentials in the URL');
    }
    if (this.inSandbox(url)) {
      return sharedPool();
    }
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (url.protocol !== 'https:' || url.port !== '') {
      throw new MediaUrlRefusedError(`${url.protocol}//${url.host} is not https on the default port`);
    }
    if (!this.options.mediaAllowedHosts.some((pattern) => hostMatches(host, pattern))) {
      throw new MediaUrlRefusedError(`${host} is not in MEDIA_ALLOWED_HOSTS`);
    }
    // An address literal is connected to without a lookup, so it is checked here.
    if (/^[\d.]+$|:/.test(host) && !isPublicAddress(host)) {
      throw new MediaUrlRefusedError(`${host} is not a public address`);
    }
    this.guarded ??= publicOnlyAgent({ resolve: this.options.resolve });
    return this.guarded;
  }

  async close(): Promise<void> {
    await this.guarded?.close();
  }
}
