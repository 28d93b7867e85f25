import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../../shared/backoff';
import type { JobRunner, RunnerContext, RunnerOutcome } from '../jobs/runner';
import { sleep } from '../upload/retry';
import { detailsOf, ioError, remoteError } from '../upload/transferErrors';
import { classifyGetError, describeUrl, httpGet, parseContentRange, statusError } from './httpGet';

/** The params of a download job (the contract's createDownloadJob input has the same shape). */
export const downloadParamsSchema = z.strictObject({
  url: z
    .string()
    .max(8192)
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address'),
  dest: z.string().min(1).max(4096).refine((p) => isAbsolute(p), 'dest must be an absolute path'),
  expectedSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 is 64 hex digits').optional(),
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'a header name is a token'),
      z.string().max(8192).refine((v) => !/[\r\n\0]/.test(v), 'a header value has no line breaks'),
    )
    .optional(),
  /** Where the credential headers wait in the secret store (see downloadSecrets.ts). */
  secretHeadersRef: z.string().uuid().optional(),
});
export type DownloadParams = z.infer<typeof downloadParamsSchema>;

/** Resume state, persisted after every block written to the partial file. */
export interface DownloadState {
  /** Bytes of the partial file that are known good. */
  offset: number;
  total: number | null;
  /** Validators of the remote file the partial bytes came from (sent as If-Range). */
  etag: string | null;
  lastModified: string | null;
  /** Set once the file is verified and renamed into place. */
  finished?: boolean;
  sha256?: string;
}

export interface DownloadOptions {
  /** Bytes gathered before a write, a persist and a checkpoint. */
  blockSize: number;
  idleTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Failed requests in a row, without a byte of progress between them, before the attempt fails. */
  maxFailures: number;
  maxRedirects: number;
  /** The credential headers kept in the secret store under a job's reference. */
  secretHeaders: (ref: string | undefined) => Record<string, string>;
  /** Why a download may not write to `dest` (Ferry's own data directory), checked before each attempt. */
  destProblem?: (dest: string) => string | undefined;
}

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = {
  blockSize: 1024 * 1024,
  idleTimeoutMs: 60_000,
  backoff: DEFAULT_BACKOFF,
  maxFailures: 8,
  maxRedirects: 5,
  secretHeaders: () => ({}),
};

export const PART_SUFFIX = '.ferry-part';
/** Headers this runner owns; a caller's copy would break resume. */
const OWN_HEADERS = new Set(['range', 'if-range', 'accept-encoding']);
const HASH_READ = 1024 * 1024;
const PAUSED = new FerryError('CANCELED', 'download paused');

function permanent(err: FerryError): FerryError {
  return new FerryError(err.code, err.message, { ...((err.details as object | undefined) ?? {}), retriable: false });
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** One run of one download job: the partial file, its running hash and the resume state. */
class Download {
  readonly part: string;
  readonly op: string;
  private fd: FileHandle | undefined;
  private hash: Hash = createHash('sha256');
  private state: DownloadState = { offset: 0, total: null, etag: null, lastModified: null };
  private paused = false;
  /** Set when a pause closed the request in flight: its error is not a failure. */
  private interrupted = false;
  private requestAbort: AbortController | undefined;

  constructor(
    private readonly ctx: RunnerContext<DownloadParams, DownloadState>,
    private readonly params: DownloadParams,
    private readonly options: DownloadOptions,
  ) {
    this.part = params.dest + PART_SUFFIX;
    this.op = `download(job ${ctx.jobId}, ${describeUrl(params.url)})`;
  }

  async run(): Promise<RunnerOutcome> {
    const { ctx } = this;
    const problem = this.options.destProblem?.(this.params.dest);
    if (problem) throw new FerryError('INVALID_INPUT', `${this.op}: ${problem}`, { retriable: false });
    const saved = ctx.restore();
    if (saved?.finished && (await this.alreadyInPlace(saved))) {
      ctx.log(`Already downloaded to ${this.params.dest} (SHA-256 ${saved.sha256})`);
      return { result: 'success', summary: { bytes: saved.offset, sha256: saved.sha256, dest: this.params.dest } };
    }
    ctx.stage('downloading');
    await this.openPart(saved?.finished ? undefined : saved);
    // Optional on older contexts: without it a pause waits at the next block, holding the connection.
    const unlisten = ctx.onPauseChange?.((paused) => {
      this.paused = paused;
      if (paused && this.requestAbort && !this.requestAbort.signal.aborted) {
        this.interrupted = true;
        this.requestAbort.abort(PAUSED);
      }
    });
    try {
      let failures = 0;
      for (;;) {
        await ctx.checkpoint();
        const before = this.state.offset;
        try {
          if ((await this.transfer()) === 'complete') break;
          failures = 0;
        } catch (err) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          if (this.interrupted) {
            ctx.log(`Paused at byte ${this.state.offset}; the connection was closed`);
            continue;
          }
          const e = err instanceof FerryError ? err : ioError(this.op, err);
          if (detailsOf(e)?.retriable !== true) throw detailsOf(e)?.retriable === false ? e : permanent(e);
          failures = this.state.offset > before ? 1 : failures + 1;
          if (failures > this.options.maxFailures) throw e;
          const retryAfter = detailsOf(e)?.retryAfterMs;
          const delay = typeof retryAfter === 'number' ? retryAfter : backoffDelay(failures, this.options.backoff);
          ctx.log(`${e.message}; retrying from byte ${this.state.offset} in ${(delay / 1000).toFixed(1)} s`);
          await sleep(delay, ctx.signal, this.op);
        }
      }
      ctx.stage('verifying');
      return await this.finish();
    } finally {
      unlisten?.();
      await this.fd?.close().catch(() => undefined);
      this.fd = undefined;
    }
  }

  private async alreadyInPlace(saved: DownloadState): Promise<boolean> {
    const info = await stat(this.params.dest).catch(() => undefined);
    return info !== undefined && info.isFile() && info.size === saved.offset;
  }

  /**
   * Opens the partial file and trusts only bytes both persisted and present, then rebuilds the
   * running SHA-256 by reading them once (cheaper than trusting a hash state we cannot persist).
   */
  private async openPart(saved: DownloadState | undefined): Promise<void> {
    await mkdir(dirname(this.params.dest), { recursive: true }).catch((err: unknown) => {
      throw permanent(ioError(`${this.op}: create folder ${dirname(this.params.dest)}`, err));
    });
    const size = saved ? ((await stat(this.part).catch(() => undefined))?.size ?? 0) : 0;
    const offset = Math.min(saved?.offset ?? 0, size);
    if (saved && saved.offset > size) this.ctx.log(`The partial file is shorter than recorded (${size} < ${saved.offset} bytes); resuming from ${size}`);
    try {
      this.fd = await open(this.part, offset > 0 ? 'r+' : 'w');
      if (size > offset) await this.fd.truncate(offset);
      const buf = Buffer.allocUnsafe(HASH_READ);
      for (let pos = 0; pos < offset; ) {
        const { bytesRead } = await this.fd.read(buf, 0, Math.min(HASH_READ, offset - pos), pos);
        if (bytesRead === 0) throw new Error(`unexpected end of ${this.part} at byte ${pos}`);
        this.hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } catch (err) {
      throw permanent(ioError(`${this.op}: open ${this.part}`, err));
    }
    this.state = { offset, total: saved?.total ?? null, etag: offset > 0 ? (saved?.etag ?? null) : null, lastModified: offset > 0 ? (saved?.lastModified ?? null) : null };
    if (offset > 0) this.ctx.log(`Resuming at byte ${offset}${this.state.total !== null ? ` of ${this.state.total}` : ''}`);
    else this.ctx.log(`Downloading ${describeUrl(this.params.url)} to ${this.params.dest}`);
    this.report();
  }

  /** One request: streams what it can into the partial file; 'again' asks for another request at once. */
  private async transfer(): Promise<'complete' | 'again'> {
    const ac = new AbortController();
    this.requestAbort = ac;
    this.interrupted = this.paused;
    if (this.paused) ac.abort(PAUSED);
    const signal = AbortSignal.any([this.ctx.signal, ac.signal]);
    const { res, timedOut } = await httpGet(new URL(this.params.url), {
      op: this.op,
      headers: Object.fromEntries(
        Object.entries({ ...this.params.headers, ...this.options.secretHeaders(this.params.secretHeadersRef) }).filter(([k]) => !OWN_HEADERS.has(k.toLowerCase())),
      ),
      rangeHeaders: this.rangeHeaders(),
      signal,
      idleTimeoutMs: this.options.idleTimeoutMs,
      maxRedirects: this.options.maxRedirects,
    });
    try {
      const plan = await this.plan(res);
      if (plan !== 'stream') return plan;
      try {
        await this.receive(res);
      } catch (err) {
        throw classifyGetError(this.op, err, signal, timedOut());
      }
      const { offset, total } = this.state;
      if (total !== null && offset < total) {
        throw remoteError(`${this.op}: the connection closed at byte ${offset} of ${total}`, { retriable: true });
      }
      return 'complete';
    } finally {
      this.requestAbort = undefined;
      res.destroy();
    }
  }

  private rangeHeaders(): Record<string, string> {
    const h: Record<string, string> = { 'Accept-Encoding': 'identity', 'User-Agent': 'Ferry' };
    if (this.state.offset === 0) return h;
    h.Range = `bytes=${this.state.offset}-`;
    // If-Range takes a strong ETag or a date; a weak ETag is not allowed there.
    const validator = this.state.etag && !this.state.etag.startsWith('W/') ? this.state.etag : this.state.lastModified;
    if (validator) h['If-Range'] = validator;
    return h;
  }

  /** Decides what an answer means for the partial file: append to it, start over, or stop. */
  private async plan(res: IncomingMessage): Promise<'stream' | 'complete' | 'again'> {
    const status = res.statusCode ?? 0;
    const { offset } = this.state;
    const etag = header(res, 'etag');
    const lastModified = header(res, 'last-modified');
    if (status === 206 && offset > 0) {
      const range = parseContentRange(header(res, 'content-range') ?? undefined);
      const changed =
        (this.state.etag !== null && etag !== null && etag !== this.state.etag) ||
        (range?.total != null && this.state.total !== null && range.total !== this.state.total);
      if (!range || range.start !== offset || changed) {
        await this.restart(changed ? `the remote file changed (ETag ${this.state.etag} → ${etag})` : `the server answered the range ${header(res, 'content-range')} for byte ${offset}`);
        return 'again';
      }
      this.state.total = range.total ?? this.state.total;
      this.state.etag ??= etag;
      this.state.lastModified ??= lastModified;
      return 'stream';
    }
    if (status === 200) {
      if (offset > 0) {
        const why = this.state.etag !== null && etag !== null && etag !== this.state.etag ? `the remote file changed (ETag ${this.state.etag} → ${etag})` : 'the server ignored the range request';
        await this.restart(why);
      }
      const length = Number(header(res, 'content-length') ?? NaN);
      this.state.total = Number.isSafeInteger(length) && length >= 0 ? length : null;
      this.state.etag = etag;
      this.state.lastModified = lastModified;
      this.report();
      return 'stream';
    }
    if (status === 416 && offset > 0) {
      // Every byte may be here already (a stop between the last block and the rename).
      if (parseContentRange(header(res, 'content-range') ?? undefined)?.total === offset) {
        this.state.total = offset;
        return 'complete';
      }
      await this.restart(`the server cannot serve from byte ${offset} (416)`);
      return 'again';
    }
    throw statusError(this.op, res);
  }

  private async restart(why: string): Promise<void> {
    this.ctx.log(`Starting over from byte 0: ${why}`);
    await this.fd!.truncate(0);
    this.hash = createHash('sha256');
    this.state = { offset: 0, total: null, etag: null, lastModified: null };
    this.ctx.persist({ ...this.state });
    this.report();
  }

  /** Streams the body in blocks; bytes that arrived before a break are good and are kept. */
  private async receive(res: IncomingMessage): Promise<void> {
    const pending: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        pending.push(chunk);
        size += chunk.length;
        if (size >= this.options.blockSize) {
          await this.write(Buffer.concat(pending, size));
          pending.length = 0;
          size = 0;
          // Paused with the connection closed: leave, so the run loop logs it and parks at its checkpoint.
          if (this.interrupted) throw PAUSED;
          await this.ctx.checkpoint();
        }
      }
    } finally {
      if (size > 0) await this.write(Buffer.concat(pending, size));
    }
  }

  /** Writes a block at the offset, then persists: the saved offset never covers unwritten bytes. */
  private async write(block: Buffer): Promise<void> {
    try {
      for (let done = 0; done < block.length; ) {
        const { bytesWritten } = await this.fd!.write(block, done, block.length - done, this.state.offset + done);
        done += bytesWritten;
      }
    } catch (err) {
      const e = ioError(`${this.op}: write ${this.part}`, err);
      throw detailsOf(e)?.retriable === true ? e : permanent(e);
    }
    this.hash.update(block);
    this.state.offset += block.length;
    this.ctx.persist({ ...this.state });
    this.report();
  }

  private report(): void {
    this.ctx.progress({ done: this.state.offset, total: this.state.total ?? 0, unit: 'bytes' });
  }

  /** fsync, verify, atomic rename, fsync the folder: the file appears complete or not at all. */
  private async finish(): Promise<RunnerOutcome> {
    const { dest } = this.params;
    try {
      await this.fd!.sync();
      await this.fd!.close();
    } catch (err) {
      throw permanent(ioError(`${this.op}: sync ${this.part}`, err));
    } finally {
      this.fd = undefined;
    }
    const sha256 = this.hash.digest('hex');
    const expected = this.params.expectedSha256?.toLowerCase();
    if (expected && expected !== sha256) {
      await rm(this.part, { force: true });
      this.ctx.persist({ offset: 0, total: null, etag: null, lastModified: null });
      throw remoteError(`${this.op}: SHA-256 mismatch: expected ${expected}, got ${sha256}; the partial file was removed`, {
        retriable: false,
        expected,
        actual: sha256,
      });
    }
    try {
      await rename(this.part, dest);
      await syncFolder(dirname(dest));
    } catch (err) {
      throw permanent(ioError(`${this.op}: rename ${this.part} to ${dest}`, err));
    }
    this.state = { ...this.state, total: this.state.offset, finished: true, sha256 };
    // Durable: a restart must find the file done, not download it again over the finished one.
    this.ctx.persist({ ...this.state }, { durable: true });
    this.report();
    this.ctx.log(`Downloaded ${this.state.offset} bytes to ${dest} (SHA-256 ${sha256}${expected ? ', as expected' : ''})`);
    return { result: 'success', summary: { bytes: this.state.offset, sha256, dest } };
  }
}

/** Makes the rename durable; some platforms cannot open a folder, and then the rename must do. */
async function syncFolder(dir: string): Promise<void> {
  let fd: FileHandle | undefined;
  try {
    fd = await open(dir, 'r');
    await fd.sync();
  } catch {
    // Best effort (Windows cannot fsync a directory handle).
  } finally {
    await fd?.close().catch(() => undefined);
  }
}

/**
 * Downloads one URL to a file, resumable: Range requests guarded by If-Range, retries with the
 * shared backoff on network failures, resume state persisted after every block, pause that closes
 * the connection, SHA-256 verified before an atomic rename.
 */
export function createDownloadRunner(options: Partial<DownloadOptions> = {}): JobRunner<DownloadParams, DownloadState> {
  const opts = { ...DEFAULT_DOWNLOAD_OPTIONS, ...options };
  return {
    kind: 'download',
    async run(ctx) {
      const parsed = downloadParamsSchema.safeParse(ctx.params);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
        throw new FerryError('INVALID_INPUT', `download(job ${ctx.jobId}): ${issues}`, { retriable: false });
      }
      return new Download(ctx, parsed.data, opts).run();
    },
  };
}

