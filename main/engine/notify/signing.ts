import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `Ferry-Signature: sha256=<hex>` is the HMAC-SHA256, keyed with the webhook's
 * secret, of `<Ferry-Timestamp>.<body bytes exactly as sent>`. Signing the timestamp with the body
 * lets a receiver refuse replays of an old delivery; signing the exact bytes (not a re-serialised
 * object) means any JSON library on the other side can check it.
 */
export const SIGNATURE_PREFIX = 'sha256=';

type Body = string | Uint8Array;

function toBytes(body: Body): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The header value for one delivery attempt. */
export function signPayload(secret: string, timestamp: string | number, body: Body): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`, 'utf8');
  mac.update(toBytes(body));
  return SIGNATURE_PREFIX + mac.digest('hex');
}

export interface VerifyOptions {
  /** Refuse timestamps further than this from `now` (seconds); unset: no freshness check. */
  toleranceSeconds?: number;
  /** Unix seconds; defaults to the clock. */
  now?: number;
}

/**
 * Checks a `Ferry-Signature` header in constant time. `body` must be the raw bytes received (a
 * parsed and re-serialised body will not match). False for anything malformed.
 */
export function verifySignature(secret: string, timestamp: string | number, body: Body, header: string | null | undefined, options: VerifyOptions = {}): boolean {
  if (typeof header !== 'string' || !header.startsWith(SIGNATURE_PREFIX)) return false;
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts)) return false;
  if (options.toleranceSeconds !== undefined) {
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (Math.abs(now - Number(ts)) > options.toleranceSeconds) return false;
  }
  const given = Buffer.from(header.slice(SIGNATURE_PREFIX.length), 'hex');
  const expected = Buffer.from(signPayload(secret, ts, body).slice(SIGNATURE_PREFIX.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
