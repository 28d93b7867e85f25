import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../shared/backoff';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { plural } from '../../../shared/plural';
import { storedPathProblem } from '../../../shared/storedPath';
import type { ItemRow, ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import type { JobRunner, RunnerContext } from '../jobs/runner';
import { S3Protocol, s3Error } from '../upload/s3Protocol';
import { sleep } from '../upload/retry';
import { detailsOf } from '../upload/transferErrors';
import { MANIFEST_NAME } from './datasetFiles';
import { ObjectFetch, PART_SUFFIX, type ObjectCheck, type ObjectSession } from './s3ObjectFetch';

export interface S3DownloadParams {
  destinationId: string;
  /** Under the destination's own prefix; empty or ending in '/'. */
  prefix: string;
  /** The local folder the objects land in, by their keys below the prefix. */
  dest: string;
  /** Objects in flight at once. */
  parallelFiles: number;
}

export interface S3DownloadState {
  /** Set while the listing is being written to the items (a crash then lists again). */
  listing?: boolean;
}

export interface S3DownloadDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  /** Why the job may not write to `dest` (Ferry's own data directory), checked before each attempt. */
  destProblem?: (dest: string) => string | undefined;
}

/** Failed tries in a row of one object, without a byte of progress between them, before it fails the attempt. */
const MAX_FAILURES = 8;
/** A checksum mismatch is fetched again from byte 0 this many times before the file fails. */
const MISMATCH_TRIES = 2;
const INSERT_BATCH = 1000;
const PAUSED = new FerryError('CANCELED', 'download paused');

/** The local path of an object's key below the prefix, or why it cannot be written under the folder. */
export function localPlace(relative: string, platform = process.platform): { problem: string } | { ok: true } {
  const problem = storedPathProblem(relative, platform);
  return problem ? { problem } : { ok: true };
}

/** manifest-sha256.txt as `sha256sum` writes it (escaped lines start with a backslash): path → SHA-256. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const escaped = raw.startsWith('\\');
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(escaped ? raw.slice(1) : raw);
    if (!m) continue;
    const path = escaped ? m[2]!.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : m[2]!;
    out.set(path, m[1]!.toLowerCase());
  }
  return out;
}

/** S3's `encoding-type=url`: form encoding, a space written as '+'. */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

const shown = (p: string) => JSON.stringify(p).slice(1, -1);

/** One attempt of an S3 prefix download. */
class PrefixDownload {
  private readonly op: string;
  private client!: S3Client;
  private bucket = '';
  private fullPrefix = '';
  private manifest = new Map<string, string>();
  private totals = { files: 0, bytes: 0, doneFiles: 0, doneBytes: 0, failedFiles: 0 };
  private readonly moving = new Map<number, number>();
  private readonly requests = new Set<AbortController>();
  private readonly checks: Record<string, number> = {};
  private paused = false;
  /** Aborted when one object fails the attempt: the others stop where they are. */
  private readonly halt = new AbortController();
  private fatal: { err: unknown } | undefined;

  constructor(
    private readonly ctx: RunnerContext<S3DownloadParams, S3DownloadState>,
    private readonly deps: S3DownloadDeps,
  ) {
    this.op = `s3download(job ${ctx.jobId})`;
  }

  async run() {
    const { ctx, deps } = this;
    const { params } = ctx;
    const problem = deps.destProblem?.(params.dest);
    if (problem) throw new FerryError('INVALID_INPUT', `${this.op}: ${problem}`, { retriable: false });
    const dest = deps.destinations.resolve(params.destinationId);
    if (dest.kind !== 's3') throw new FerryError('INVALID_INPUT', `${this.op}: ${dest.name} is a ${dest.kind} destination, not S3`, { retriable: false });
    const protocol = deps.destinations.protocol(params.destinationId);
    if (!(protocol instanceof S3Protocol)) throw new FerryError('INTERNAL', `${this.op}: not an S3 destination`);
    this.client = protocol.client;
    this.bucket = dest.config.bucket;
    this.fullPrefix = dest.config.prefix + params.prefix;
    const unlisten = ctx.onPauseChange((paused) => {
      this.paused = paused;
      if (paused) for (const ac of this.requests) ac.abort(PAUSED);
    });
    try {
      if (ctx.restore()?.listing || deps.items.count(ctx.jobId) === 0) await this.list();
      ctx.stage('downloading');
      this.totals = deps.items.totals(ctx.jobId);
      const left = deps.items.unfinished(ctx.jobId);
      if (this.totals.doneFiles > 0) ctx.log(`Resuming: ${this.totals.doneFiles} of ${this.totals.files} files already here`);
      this.totals.failedFiles = 0;
      this.report();
      // The manifest comes first: the files it lists are checked against it.
      const manifestRow = left.find((r) => r.relative_path === MANIFEST_NAME);
      if (manifestRow) await this.item(manifestRow);
      await this.loadManifest();
      const queue = left.filter((r) => r !== manifestRow);
      const worker = async () => {
        for (let next = queue.shift(); next && !this.halt.signal.aborted; next = queue.shift()) {
          await ctx.checkpoint();
          if (ctx.stopRequested()) return;
          await this.item(next);
        }
      };
      // One worker's fatal failure stops the others before the attempt ends (their files stay resumable).
      // Stop-after-current leaves files in the queue: the checkpoint pauses, and a resume goes on with them.
      for (;;) {
        await Promise.all(
          Array.from({ length: Math.max(1, Math.min(params.parallelFiles, queue.length)) }, () =>
            worker().catch((err: unknown) => {
              if (!this.halt.signal.aborted) this.fatal = { err };
              this.halt.abort();
            }),
          ),
        );
        if (this.fatal) throw this.fatal.err;
        await ctx.checkpoint();
        if (queue.length === 0) break;
      }
    } finally {
      unlisten();
      protocol.close();
    }
    ctx.stage('finishing');
    const t = deps.items.totals(ctx.jobId);
    const checks = Object.entries(this.checks).map(([c, n]) => `${n} by ${c}`).join(', ');
    if (t.failedFiles > 0 && t.doneFiles === 0) {
      throw new FerryError('IO', `${this.op}: every file failed (${t.failedFiles} of ${t.files}); nothing was downloaded`, { retriable: false });
    }
    ctx.log(`Downloaded ${t.doneFiles} ${plural(t.doneFiles, 'file')} (${formatBytes(t.doneBytes)}) to ${params.dest}${t.failedFiles ? `; ${t.failedFiles} failed` : ''}${checks ? ` (checked: ${checks})` : ''}`);
    return {
      result: t.failedFiles > 0 ? ('partial' as const) : ('success' as const),
      summary: { files: t.files, bytes: t.bytes, failedFiles: t.failedFiles, dest: params.dest, source: `s3://${this.bucket}/${this.fullPrefix}`, checks: this.checks },
    };
  }

  /** Lists the prefix into the job's items a page at a time; keys that would land outside the folder fail their item. */
  private async list(): Promise<void> {
    const { ctx, deps } = this;
    ctx.stage('listing');
    const state = ctx.restore() ?? {};
    if (state.listing) {
      ctx.log('The listing was cut short: listing again');
      while (deps.items.deleteSome(ctx.jobId, 5000) > 0);
    }
    ctx.persist({ ...state, listing: true }, { durable: true });
    const where = `s3://${this.bucket}/${this.fullPrefix}`;
    ctx.log(`Listing ${where}`);
    let token: string | undefined;
    let seq = 0;
    let bytes = 0;
    const refused: { seq: number; why: string }[] = [];
    do {
      await ctx.checkpoint();
      let page;
      for (let failures = 1; ; failures++) {
        try {
          // Keys with characters XML cannot carry (control characters) come url-encoded.
          page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.fullPrefix, EncodingType: 'url', ...(token ? { ContinuationToken: token } : {}) }), {
            abortSignal: ctx.signal,
          });
          break;
        } catch (err) {
          const e = s3Error(`${this.op}: list ${where}`, err, ctx.signal);
          if (detailsOf(e)?.retriable !== true || failures >= MAX_FAILURES) throw e;
          const delay = backoffDelay(failures, DEFAULT_BACKOFF);
          ctx.log(`${e.message}; listing again in ${(delay / 1000).toFixed(1)} s`);
          await sleep(delay, ctx.signal, this.op);
        }
      }
      const batch = [];
      for (const o of page.Contents ?? []) {
        const key = page.EncodingType === 'url' ? formDecode(o.Key ?? '') : (o.Key ?? '');
        const rel = key.slice(this.fullPrefix.length);
        // A zero-byte key ending in '/' is how consoles make an empty "folder".
        if (rel === '' || (rel.endsWith('/') && (o.Size ?? 0) === 0)) continue;
        const place = localPlace(rel);
        const size = o.Size ?? 0;
        if ('problem' in place) refused.push({ seq: seq + batch.length, why: `the key ${JSON.stringify(key)} cannot be written under ${ctx.params.dest}: ${place.problem}` });
        batch.push({ path: 'problem' in place ? '' : join(ctx.params.dest, ...rel.split('/')), relativePath: rel, size, mtimeMs: o.LastModified?.getTime() ?? 0 });
        bytes += size;
        if (batch.length >= INSERT_BATCH) {
          deps.items.insertBatch(ctx.jobId, seq, batch.splice(0));
          seq += INSERT_BATCH;
        }
      }
      deps.items.insertBatch(ctx.jobId, seq, batch);
      seq += batch.length;
      ctx.progress({ done: 0, total: bytes, unit: 'bytes', processed: 0, failed: 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (const r of refused) deps.items.fail(ctx.jobId, r.seq, `INVALID_INPUT: ${r.why}`, false);
    ctx.persist({ ...state, listing: false }, { durable: true });
    if (seq === 0) throw new FerryError('NOT_FOUND', `${this.op}: nothing under ${where}`, { retriable: false });
    ctx.log(`Found ${seq} ${plural(seq, 'object')}, ${formatBytes(bytes)}`);
    for (const r of refused) ctx.log(`REFUSED  ${r.why}`);
  }

  private async loadManifest(): Promise<void> {
    const file = join(this.ctx.params.dest, MANIFEST_NAME);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) {
      this.ctx.log(`No ${MANIFEST_NAME} under the prefix: each file is checked against the store's checksum or ETag where it has one`);
      return;
    }
    this.manifest = parseManifest(text);
    this.ctx.log(`Checking files against ${MANIFEST_NAME} (${this.manifest.size} ${plural(this.manifest.size, 'line')})`);
  }

  /** One object, retried on network failures while it makes progress; a mismatch is fetched again from scratch. */
  private async item(row: ItemRow): Promise<void> {
    const { ctx, deps } = this;
    const rel = row.relative_path;
    if (!row.path || 'problem' in localPlace(rel)) {
      const place = localPlace(rel);
      deps.items.fail(ctx.jobId, row.seq, row.error ?? `INVALID_INPUT: the key cannot be written under ${ctx.params.dest}: ${'problem' in place ? place.problem : 'no local path'}`, false);
      this.failed();
      return;
    }
    const op = `${this.op}: ${shown(rel)}`;
    let saved = row.session ? (JSON.parse(row.session) as ObjectSession) : undefined;
    deps.items.start(ctx.jobId, row.seq);
    this.moving.set(row.seq, saved?.offset ?? 0);
    let failures = 0;
    let mismatches = 0;
    try {
      for (;;) {
        await ctx.checkpoint({ midItem: true });
        const ac = new AbortController();
        this.requests.add(ac);
        if (this.paused) ac.abort(PAUSED);
        const before = this.moving.get(row.seq) ?? 0;
        const fetch = new ObjectFetch(
          { client: this.client, bucket: this.bucket, key: this.fullPrefix + rel, file: row.path, expectedSha256: rel === MANIFEST_NAME ? undefined : this.manifest.get(rel) },
          {
            signal: AbortSignal.any([ctx.signal, ac.signal, this.halt.signal]),
            op,
            saved,
            onBlock: (session) => {
              saved = session;
              deps.items.ack(ctx.jobId, row.seq, session, session.offset);
              this.moving.set(row.seq, session.offset);
              this.report(rel);
            },
            onResume: (offset) => ctx.log(`Resuming ${shown(rel)} at byte ${offset}`),
            onRestart: (why, dropped) => ctx.log(`Starting ${shown(rel)} over (${formatBytes(dropped)} dropped): ${why}`),
            checkpoint: () => ctx.checkpoint({ midItem: true }),
          },
        );
        try {
          const got = await fetch.run();
          deps.items.done(ctx.jobId, row.seq, { sha256: got.sha256, location: `s3://${this.bucket}/${this.fullPrefix}${rel}`, verified: got.check, size: got.size });
          this.checks[got.check] = (this.checks[got.check] ?? 0) + 1;
          this.totals.doneFiles++;
          this.totals.doneBytes += got.size;
          ctx.log(`OK    ${shown(rel)} (${formatBytes(got.size)}, checked by ${got.check as ObjectCheck})`);
          return;
        } catch (err) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          if (this.halt.signal.aborted) throw err;
          if (ac.signal.aborted) continue; // paused: the loop parks at its checkpoint, then resumes from the bytes written
          const e = err instanceof FerryError ? err : s3Error(op, err, ctx.signal);
          const details = detailsOf(e);
          if (details?.mismatch === true && ++mismatches < MISMATCH_TRIES) {
            ctx.log(`${e.message}; fetching it again`);
            saved = undefined;
            deps.items.dropSession(ctx.jobId, row.seq);
            this.moving.set(row.seq, 0);
            continue;
          }
          if (details?.retriable !== true) {
            deps.items.fail(ctx.jobId, row.seq, `${e.code}: ${e.message}`, false);
            ctx.log(`FAIL  ${shown(rel)}: ${e.message}`);
            this.failed();
            return;
          }
          failures = (this.moving.get(row.seq) ?? 0) > before ? 1 : failures + 1;
          // The network stays down: the attempt fails and the scheduler retries the job from here.
          if (failures > MAX_FAILURES) throw e;
          const delay = backoffDelay(failures, DEFAULT_BACKOFF);
          ctx.log(`${e.message}; retrying ${shown(rel)} from byte ${this.moving.get(row.seq) ?? 0} in ${(delay / 1000).toFixed(1)} s`);
          await sleep(delay, AbortSignal.any([ctx.signal, this.halt.signal]), op);
        } finally {
          this.requests.delete(ac);
        }
      }
    } finally {
      this.moving.delete(row.seq);
      this.report();
    }
  }

  private failed(): void {
    this.totals.failedFiles++;
    this.report();
  }

  private report(current?: string): void {
    const moving = [...this.moving.values()].reduce((a, b) => a + b, 0);
    this.ctx.progress({
      done: this.totals.doneBytes + moving,
      total: this.totals.bytes,
      unit: 'bytes',
      processed: this.totals.doneFiles,
      failed: this.totals.failedFiles,
      ...(current !== undefined ? { current } : {}),
    });
  }
}

/**
 * Downloads every object under a prefix of a saved S3 destination into a local folder, keys
 * below the prefix kept as relative paths: listed once into per-file items, objects fetched in
 * parallel with ranged GETs that resume from the bytes already written (after a pause, a network
 * loss or a kill), each checked against the dataset's manifest, else the store's checksum, else a
 * single-part ETag, and the check used recorded per file. Cancel removes the partial files.
 */
export function createBucketDownloadRunner(deps: S3DownloadDeps): JobRunner<S3DownloadParams, S3DownloadState> {
  return {
    kind: 's3download',
    run: (ctx) => new PrefixDownload(ctx, deps).run(),
    async discard({ jobId, log }) {
      let removed = 0;
      for (const row of deps.items.unfinished(jobId)) {
        if (!row.path) continue;
        await rm(row.path + PART_SUFFIX, { force: true }).catch(() => undefined);
        if (row.session) {
          deps.items.dropSession(jobId, row.seq);
          removed++;
        }
      }
      log(`Removed ${removed} partial ${plural(removed, 'file')}`);
    },
  };
}
