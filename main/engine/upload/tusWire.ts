import type { IncomingHttpHeaders } from 'node:http';
import { invalidInput, type FerryError } from '../../../shared/errors';
import type { HttpAnswer } from './httpClient';
import { remoteError, retriableStatus } from './transferErrors';

/** The wire details of tus 1.0 shared by single uploads and concatenated ones. */

export const TUS_VERSION = '1.0.0';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A non-negative integer header; anything else is a server answering garbage. */
export function numberHeader(answer: HttpAnswer, name: string, op: string): number {
  const raw = header(answer.headers, name.toLowerCase());
  const value = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw remoteError(`${op}: server answered ${answer.status} with ${raw === undefined ? `no ${name}` : `a malformed ${name} ${JSON.stringify(raw)}`}`, {
      status: answer.status,
      header: name,
      value: raw,
    });
  }
  return value;
}

/** The error for an answer we did not expect; 5xx, 423 and 429 are worth another try. */
export function unexpected(op: string, answer: HttpAnswer): FerryError {
  const { status } = answer;
  const retriable = retriableStatus(status);
  const excerpt = answer.body.trim().slice(0, 200);
  if (status === 412) {
    const versions = header(answer.headers, 'tus-version') ?? 'none listed';
    return remoteError(`${op}: server answered 412, it does not speak tus ${TUS_VERSION} (Tus-Version: ${versions})`, { status });
  }
  return remoteError(`${op}: server answered ${status}${excerpt ? `: ${excerpt}` : ''}`, { status, retriable });
}

/** Upload-Metadata: comma-separated `key base64(value)`; keys may hold neither spaces nor commas. */
export function encodeTusMetadata(entries: Record<string, string>): string {
  return Object.entries(entries)
    .map(([key, value]) => {
      if (!/^[^\s,]+$/.test(key)) throw invalidInput(`upload(tus): metadata key ${JSON.stringify(key)} may not be empty or hold spaces or commas`);
      // The spec lets a key stand alone when its value is empty.
      return value === '' ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`;
    })
    .join(',');
}


/** The upload URL a creation answer names (Location, relative to the endpoint), or a REMOTE error. */
export function createdUrl(answer: HttpAnswer, endpoint: URL, op: string): URL {
  const location = header(answer.headers, 'location');
  let url: URL | undefined;
  try {
    url = location ? new URL(location, endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw remoteError(`${op}: server answered ${answer.status} with ${location ? `an unusable Location ${JSON.stringify(location)}` : 'no Location'}`, {
      status: answer.status,
      location,
    });
  }
  return url;
}
