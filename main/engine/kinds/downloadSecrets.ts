import { randomUUID } from 'node:crypto';
import type { SecretStore } from '../secrets/secretStore';

/**
 * What of a download is secret: credential headers live in the secret store (the 0600 file, or the
 * OS keychain on the desktop), not in the database or the job log, and signed URLs are shown with
 * their signature parameters redacted.
 */

/** Headers that carry credentials whatever the user says; others are secret when the user marks them. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-amz-.+|x-api-key|x-auth-token|x-goog-.+|private-token)$/i;
/** Query parameters of signed URLs (S3, GCS, Azure SAS, generic tokens) whose values are redacted. */
const SIGNING_PARAM = /(^|[-_.])(sig|signature|token|credential|key|secret|auth|password|session)([-_.]|$)|^x-amz-|^x-goog-|^se$|^sv$|^sp$|^st$|^skoid$|^sktid$|^code$/i;
const REDACTED = '<redacted>';

const secretKey = (ref: string) => `download-headers:${ref}`;

export function isSecretHeader(name: string, marked: readonly string[] = []): boolean {
  return CREDENTIAL_HEADER.test(name) || marked.some((m) => m.toLowerCase() === name.toLowerCase());
}

/** A URL for logs and views: signature-bearing query values and any user:password replaced. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(invalid URL)';
  }
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SIGNING_PARAM.test(name)) url.searchParams.set(name, REDACTED);
  }
  return url.toString();
}

/**
 * Moves the secret headers into the store under a fresh reference; returns the headers that may
 * be saved in the database and the reference (absent when nothing was secret).
 */
export function stashSecretHeaders(
  secrets: SecretStore,
  headers: Record<string, string> | undefined,
  marked: readonly string[] = [],
): { headers: Record<string, string> | undefined; secretHeadersRef: string | undefined } {
  if (!headers) return { headers: undefined, secretHeadersRef: undefined };
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) (isSecretHeader(name, marked) ? secret : plain)[name] = value;
  if (Object.keys(secret).length === 0) return { headers: plain, secretHeadersRef: undefined };
  const ref = randomUUID();
  secrets.set(secretKey(ref), JSON.stringify(secret));
  return { headers: plain, secretHeadersRef: ref };
}

/** The secret headers a download job's reference points to (empty when they were removed). */
export function loadSecretHeaders(secrets: SecretStore, ref: string | undefined): Record<string, string> {
  if (!ref) return {};
  const raw = secrets.get(secretKey(ref));
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}

export function dropSecretHeaders(secrets: SecretStore, ref: string | undefined): void {
  if (ref) secrets.delete(secretKey(ref));
}
