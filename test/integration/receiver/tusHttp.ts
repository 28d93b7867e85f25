import fsp from 'node:fs/promises';
import http from 'node:http';

/**
 * A deliberately raw tus 1.0 client for the receiver tests: one TCP connection per request
 * (agent: false), so the fault proxy's per-connection faults hit exactly one request, and no
 * retry logic beyond what a test asks for.
 */

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer;
  token?: string;
}

export function request(url: string, opts: RequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...opts.headers };
    if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.body) headers['Content-Length'] = String(opts.body.length);
    const req = http.request(url, { method: opts.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        // A response cut short by the proxy must not look like a complete one.
        if (!res.complete) return reject(new Error('response truncated'));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function encodeMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}

export interface CreateOptions {
  length: number;
  metadata: Record<string, string>;
  token?: string;
  /** creation-with-upload: bytes sent in the POST itself. */
  body?: Buffer;
}

/** POST; resolves the answer and the absolute upload URL from Location (when 201). */
export async function create(endpoint: string, opts: CreateOptions): Promise<HttpAnswer & { uploadUrl?: string }> {
  const headers: Record<string, string> = {
    'Upload-Length': String(opts.length),
    'Upload-Metadata': encodeMetadata(opts.metadata),
  };
  if (opts.body) headers['Content-Type'] = 'application/offset+octet-stream';
  const answer = await request(endpoint, { method: 'POST', headers, body: opts.body, token: opts.token });
  const location = answer.headers.location;
  return location ? { ...answer, uploadUrl: new URL(location, endpoint).toString() } : answer;
}

export function head(uploadUrl: string, token?: string): Promise<HttpAnswer> {
  return request(uploadUrl, { method: 'HEAD', token });
}

export function patch(uploadUrl: string, offset: number, chunk: Buffer, token?: string): Promise<HttpAnswer> {
  return request(uploadUrl, {
    method: 'PATCH',
    headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: chunk,
    token,
  });
}

export interface ResumableOptions {
  chunkSize: number;
  maxAttempts?: number;
  token?: string;
  /** Called before every request after the first failure; tests re-arm proxy faults here. */
  beforeRetry?: (attempt: number) => void;
  /** Called after each acknowledged PATCH with the new offset. */
  onProgress?: (offset: number) => void;
}

export interface ResumableResult {
  uploadUrl: string;
  /** Network failures survived. */
  failures: number;
  /** The last answer: the final PATCH, or the HEAD that showed the upload complete. */
  last: HttpAnswer;
}

class StatusError extends Error {
  constructor(readonly answer: HttpAnswer, what: string) {
    super(`${what}: status ${answer.status}: ${answer.body.trim()}`);
  }
}

/**
 * Uploads a file in PATCH chunks, resuming from HEAD's Upload-Offset after every network failure.
 * A non-success status is not retried: it throws, so tests see server verdicts unchanged.
 */
export async function uploadResumable(
  endpoint: string,
  file: string,
  metadata: Record<string, string>,
  opts: ResumableOptions,
): Promise<ResumableResult> {
  const size = (await fsp.stat(file)).size;
  const maxAttempts = opts.maxAttempts ?? 200;
  let failures = 0;
  const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof StatusError) throw err;
        if (++failures > maxAttempts) throw new Error(`${what}: gave up after ${failures} failures: ${String(err)}`);
        opts.beforeRetry?.(failures);
      }
    }
  };

  const created = await retrying('create', async () => {
    const answer = await create(endpoint, { length: size, metadata, token: opts.token });
    if (answer.status !== 201 || !answer.uploadUrl) throw new StatusError(answer, 'create');
    return { ...answer, uploadUrl: answer.uploadUrl };
  });
  const uploadUrl = created.uploadUrl;
  let last: HttpAnswer = created;
  let offset = 0;
  const fh = await fsp.open(file, 'r');
  try {
    let needHead = false;
    while (offset < size) {
      const step = await retrying('upload', async () => {
        if (needHead) {
          const h = await head(uploadUrl, opts.token);
          if (h.status !== 200) throw new StatusError(h, 'head');
          offset = Number(h.headers['upload-offset']);
          needHead = false;
          last = h;
          if (offset === size) return 'done';
        }
        const length = Math.min(opts.chunkSize, size - offset);
        const chunk = Buffer.alloc(length);
        await fh.read(chunk, 0, length, offset);
        try {
          const answer = await patch(uploadUrl, offset, chunk, opts.token);
          if (answer.status !== 204) throw new StatusError(answer, `patch at ${offset}`);
          offset = Number(answer.headers['upload-offset']);
          last = answer;
          opts.onProgress?.(offset);
          return offset === size ? 'done' : 'more';
        } catch (err) {
          if (!(err instanceof StatusError)) needHead = true;
          throw err;
        }
      });
      if (step === 'done') break;
    }
  } finally {
    await fh.close();
  }
  return { uploadUrl, failures, last };
}
