// Webhook authenticity: Meta signs every notification with the app secret
// (`X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 over the exact request bytes).
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';
// 32-byte SHA-256 digest as 64 hex digits; anything else is not a signature Meta sends.
const HEADER_PATTERN = /^sha256=[0-9a-fA-F]{64}$/;

/** The 32 digest bytes of a well-formed `sha256=<hex>` header, or null when malformed. */
export function parseSignatureHeader(header: string | undefined): Buffer | null {
  if (typeof header !== 'string' || !HEADER_PATTERN.test(header)) {
    return null;
  }
  return Buffer.from(header.slice(PREFIX.length), 'hex');
}

/**
 * The app secret whose HMAC over the raw bytes matches the header, or null.
 * Every secret is tried (no early exit) and compared in constant time, so the work done does
 * not reveal which secret, if any, matched. Empty secrets are ignored: an HMAC keyed with ''
 * is forgeable by anyone.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecrets: string[]): string | null {
  const given = parseSignatureHeader(header);
  if (!given) {
    return null;
  }
  let match: string | null = null;
  for (const secret of appSecrets) {
    if (secret.length === 0) {
      continue;
    }
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    const equal = timingSafeEqual(expected, given);
    if (equal && match === null) {
      match = secret;
    }
  }
  return match;
}

/** The `X-Hub-Signature-256` header value Meta would send for these bytes (tests, emulators). */
export function sign(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * Answers Meta's subscription check (`hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`):
 * the challenge to echo with a 200 when the token matches, else null (answer 403).
 */
export function answerSubscriptionChallenge(
  query: Record<string, unknown>,
  verifyTokens: string | readonly string[],
): string | null {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
    return null;
  }
  // Digests are compared, so the time depends on neither content nor length, and every token is
  // compared (no early exit), so the answer's timing does not tell which number's token matched.
  const given = createHmac('sha256', 'verify-token').update(token).digest();
  let found = false;
  for (const verifyToken of typeof verifyTokens === 'string' ? [verifyTokens] : verifyTokens) {
    const expected = createHmac('sha256', 'verify-token').update(verifyToken).digest();
    found = (timingSafeEqual(given, expected) && verifyToken.length > 0) || found;
  }
  return found ? challenge : null;
}
