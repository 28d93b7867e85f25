import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { ERRORS, Upload, isPathInsideDirectory } from '@tus/server';
import { HttpError, ioHttpError } from './httpError';
import { bodyCheck } from './uploadChecksum';
import type { SpaceBudget } from './spaceBudget';

/** What the receiver remembers about an upload once it has been verified and filed. */
export interface FiledInfo {
  /** `<dataset>/<relativePath>` (possibly with a ` (n)` suffix) under the storage dir. */
  storedAs: string;
  sha256: string;
  /** True when an identical file was already there and this copy was dropped. */
  duplicate: boolean;
}

/** Filed uploads whose SHA-256 stays at hand for HEAD answers (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;

/** The JSON the config store keeps per upload; `filed` is our addition. */
export type StoredRecord = Upload & { filed?: FiledInfo };

export interface ReceiverStoreOptions {
  directory: string;
  expirationMs: number;
  /** Uploads being verified right now; expiry cleanup leaves them alone. */
  isBusy: (id: string) => boolean;
  /**
   * Verifies and files `id` when its data is complete but not filed yet (a cut finishing PATCH, a
   * crash), and waits for a filing under way; resolves once neither is left.
   */
  settle: (id: string) => Promise<void>;
  /** The disk space promised to unfinished uploads (reserved at creation, released when filed or removed). */
  budget: SpaceBudget;
}

/** The client's `idempotencyKey` metadata: 32 lowercase hex digits (tusProtocol.ts). */
const IDEMPOTENCY_KEY = /^[0-9a-f]{32}$/;

/**
 * FileStore with five changes the receiver needs:
 * - an upload created with an idempotency key gets an id derived from it, and a creation repeated
 *   with the same key (its first answer was lost) replaces the unfinished upload the first one
 *   made instead of leaving it behind in `.incoming` until it expires;
 * - creation promises the upload's whole length on the disk (SpaceBudget), so one that cannot fit
 *   is refused with 507 before a byte is sent, and deferred lengths are not offered;
 * - a filed upload keeps its `<id>.json` as a tombstone, so a client whose final PATCH answer was
 *   lost sees HEAD report the whole length (done) instead of 404 (which would make it upload again);
 * - write errors keep their cause: FileStore turns every failure into a generic 500, which hides a
 *   full disk (ENOSPC) from the client and the user;
 * - expiry cleanup also removes tombstones and orphaned data files, which FileStore's list() skips.
 */
/** A PATCH body read straight from its request: at most `limit` bytes, cut short by `stop`. */
interface DirectBody {
  limit: number;
  stop: AbortSignal;
}

/** How long a PATCH asked to stop (another request wants its upload) goes on reading what arrives. */
const STOP_GRACE_MS = 200;

/** Bytes of a request body gathered before they go to the disk in one write, or at most this long. */
const WRITE_BATCH_BYTES = 1024 * 1024;
const WRITE_BATCH_MS = 20;

/** Bytes a request may have in flight to the disk before its socket is paused. */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

export class ReceiverStore extends FileStore {
  private readonly isBusy: (id: string) => boolean;
  private readonly settle: (id: string) => Promise<void>;
  private readonly budget: SpaceBudget;
  /** SHA-256 of filed uploads as getUpload last saw them, for the HEAD answer's Ferry-Sha256. */
  private readonly filedSha = new Map<string, string>();
  private readonly writes = new Set<Promise<number>>();
  /**
   * SHA-256 of each upload's bytes as they arrived, while they arrived in order from byte 0 in this
   * process: `offset` is how far the hash has seen. Lets the finish skip re-reading the whole file.
   * A write that fails part-way, a restart or a gap drops the entry (the finish then reads the file).
   */
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  constructor(opts: ReceiverStoreOptions) {
    super({ directory: opts.directory, expirationPeriodInMilliseconds: opts.expirationMs });
    this.isBusy = opts.isBusy;
    this.settle = opts.settle;
    this.budget = opts.budget;
    // Every upload declares its length at creation, so its disk space can be promised (or refused) then.
    this.extensions = this.extensions.filter((e) => e !== 'creation-defer-length');
    // Checked in appendTo (uploadChecksum.ts); the algorithms are announced by the receiver's OPTIONS.
    this.extensions = [...this.extensions, 'checksum'];
  }

  /** Promises the space of every unfinished upload left from an earlier run; call once before serving. */
  async trackUnfinished(): Promise<void> {
    for (const name of await fsp.readdir(this.directory)) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      const record = await this.record(id).catch(() => undefined);
      if (!record || record.filed || record.size === undefined) continue;
      const written = await fsp.stat(this.dataPath(id)).then(
        (stat) => stat.size,
        () => 0,
      );
      this.budget.track(id, record.size, written);
    }
  }

  /**
   * The id of a new upload: derived from the client's idempotency key when it sent one, so a POST
   * repeated after a lost answer lands on the same upload; random otherwise, and also when the
   * upload of that key has been filed already (the repeat is then filed again, as a duplicate).
   */
  async newId(metadata: Record<string, string | null> | undefined): Promise<string> {
    const key = metadata?.idempotencyKey;
    if (!key || !IDEMPOTENCY_KEY.test(key)) return randomBytes(16).toString('hex');
    const id = createHash('sha256').update(`ferry-upload:${key}`).digest('hex').slice(0, 32);
    await this.settle(id);
    return (await this.record(id))?.filed ? randomBytes(16).toString('hex') : id;
  }

  override async create(upload: Upload): Promise<Upload> {
    // Creation holds the upload's lock, so no request writes to an earlier upload of this id now.
    const earlier = await this.record(upload.id);
    if (earlier?.filed) throw new HttpError(503, `create upload ${upload.id}: an upload with this idempotency key was finished meanwhile; try again`);
    if (earlier) await this.remove(upload.id);
    await this.budget.reserve(`create upload ${upload.id}`, upload.id, upload.size ?? 0);
    try {
      return await super.create(upload);
    } catch (err) {
      this.budget.release(upload.id);
      throw err;
    }
  }

  /** Path of an upload's data file; ids come from URLs, so refuse any that would leave the directory. */
  dataPath(id: string): string {
    const file = path.join(this.directory, id);
    if (!isPathInsideDirectory(this.directory, file)) throw ERRORS.FILE_NOT_FOUND;
    return file;
  }

  /** The stored record (metadata, size, filed tombstone), or undefined for an unknown id. */
  async record(id: string): Promise<StoredRecord | undefined> {
    return (await this.configstore.get(id)) as StoredRecord | undefined;
  }

  /** Turns the record into a tombstone; called after the data file has left `.incoming`. */
  async markFiled(id: string, filed: FiledInfo, known?: StoredRecord): Promise<void> {
    const record = known ?? (await this.record(id));
    if (!record) throw ERRORS.FILE_NOT_FOUND;
    await this.configstore.set(id, { ...record, offset: record.size ?? 0, filed } as StoredRecord);
    this.budget.release(id);
  }

  override async getUpload(id: string): Promise<Upload> {
    // "offset == length" must mean "verified and filed": finish complete data first, and wait out
    // a filing under way (its data has left .incoming before the tombstone is written).
    await this.settle(id);
    const record = await this.record(id);
    if (record?.filed) {
      if (this.filedSha.size >= MAX_REMEMBERED) this.filedSha.delete(this.filedSha.keys().next().value as string);
      this.filedSha.set(id, record.filed.sha256);
      const size = record.size ?? 0;
      return new Upload({ id, size, offset: size, metadata: record.metadata, creation_date: record.creation_date });
    }
    return super.getUpload(id);
  }

  override write(readable: Readable, id: string, offset: number): Promise<number> {
    return this.tracked(id, this.writeData(readable, id, offset));
  }

  /**
   * Appends a PATCH body taken straight from the request (patchRequest.ts), at most `limit`
   * bytes. A client that goes away, or a `stop` (another request wants the upload), ends the
   * append with the bytes received so far, as @tus/server's handling does: they are kept, and a
   * resume continues after them. Resolves the new offset.
   */
  appendRequest(request: Readable, id: string, offset: number, limit: number, stop: AbortSignal): Promise<number> {
    return this.tracked(id, this.writeData(request, id, offset, { limit, stop }));
  }

  private tracked(id: string, writing: Promise<number>): Promise<number> {
    this.writes.add(writing);
    const forget = () => this.writes.delete(writing);
    writing.then((end) => {
      this.budget.wrote(id, end);
      forget();
    }, forget);
    return writing;
  }

  /** Resolves when every write under way has ended (cut-off requests still flush what they got). */
  async writesSettled(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  private async writeData(readable: Readable, id: string, offset: number, direct?: DirectBody): Promise<number> {
    const record = await this.record(id);
    if (record?.filed) {
      // Only an empty PATCH at the final offset gets here (tus rejects longer bodies as too large):
      // answer it like any completed upload instead of failing on the moved data file.
      for await (const chunk of readable) if (direct && (chunk as Buffer).length > 0) throw ERRORS.ERR_MAX_SIZE_EXCEEDED;
      return record.size ?? offset;
    }
    return this.appendTo(this.dataPath(id), readable, id, offset, direct);
  }

  /** The SHA-256 a filed upload was verified with, if getUpload has just seen it filed. */
  filedSha256(id: string): string | undefined {
    return this.filedSha.get(id);
  }

  /**
   * The hex SHA-256 of upload `id` when its bytes were hashed on arrival and the hash has seen
   * exactly `size` of them; undefined otherwise (the caller hashes the file). Single use.
   */
  takeDigest(id: string, size: number): string | undefined {
    const entry = this.running.get(id);
    this.running.delete(id);
    return entry && entry.offset === size ? entry.hash.digest('hex') : undefined;
  }

  /** The running hash that continues at `offset`, or undefined (out of order, or not from 0). */
  private hashAt(id: string, offset: number): { hash: Hash; offset: number } | undefined {
    const entry = this.running.get(id);
    if (entry && entry.offset === offset) return entry;
    this.running.delete(id);
    if (offset !== 0) return undefined;
    const fresh = { hash: createHash('sha256'), offset: 0 };
    this.running.set(id, fresh);
    return fresh;
  }

  /**
   * Copies the request body into the data file at `offset`. Not stream.pipeline: it would destroy
   * the request stream with the raw disk error, and @tus/server would report that one (a generic
   * 500) before ours. Here the request stream is left alone; the caller's pipeline tears it down
   * with the HttpError this rejects with.
   *
   * The file stream buffers up to WRITE_BUFFER_BYTES: the socket keeps flowing while a write is
   * on the thread pool, and what arrived meanwhile goes down in one writev. With the stream's
   * default 16 KiB the request paused after every 64 KiB socket read until its write came back.
   */
  private appendTo(file: string, readable: Readable, id: string, offset: number, direct?: DirectBody): Promise<number> {
    const hashing = this.hashAt(id, offset);
    // A body with an Upload-Checksum is kept only if it hashes to it: otherwise the file goes back
    // to `offset` (and the running hash to its copy from there), as if the request never came.
    const check = bodyCheck(`PATCH upload ${id} at ${offset}`);
    const hashBefore = check && hashing ? hashing.hash.copy() : undefined;
    const undo = async (): Promise<void> => {
      await fsp.truncate(file, offset);
      if (hashing && hashBefore) this.running.set(id, { hash: hashBefore, offset });
    };
    return new Promise((resolve, reject) => {
      let received = 0;
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        done();
      };
      const sink = createWriteStream(file, { flags: 'r+', start: offset, highWaterMark: WRITE_BUFFER_BYTES });
      /** Bytes held back since the last write; the sink is corked exactly while `holding`. */
      let corked = 0;
      let holding = false;
      const hold = () => {
        if (holding || ended || sink.destroyed) return;
        holding = true;
        sink.cork();
      };
      const release = () => {
        corked = 0;
        if (!holding) return;
        holding = false;
        sink.uncork();
      };
      let flushTimer: NodeJS.Timeout | undefined;
      const flush = () => {
        flushTimer = undefined;
        if (corked === 0 || ended || sink.destroyed) return;
        release();
        hold();
      };
      sink.once('close', () => clearTimeout(flushTimer));
      /** Ends the append early, keeping what was received (a cut request body). */
      let ended = false;
      const cut = () => {
        if (ended || settled) return;
        ended = true;
        readable.off('data', onData);
        if (check) {
          // A cut body cannot be checked against its checksum: none of it is kept.
          this.running.delete(id);
          sink.destroy();
          sink.once('close', () => {
            undo().then(
              () => settle(() => reject(ERRORS.ABORTED)),
              () => settle(() => reject(ERRORS.ABORTED)),
            );
          });
          return;
        }
        // What the request holds already is kept too: a newer request for the upload (a client's
        // HEAD after its connection broke) may stop this one before it has read a byte.
        for (let chunk = readable.read() as Buffer | null; chunk !== null && !sink.destroyed; chunk = readable.read() as Buffer | null) onData(chunk);
        if (!sink.destroyed) sink.end();
      };
      const onData = (chunk: Buffer) => {
        if (direct && received + chunk.length > direct.limit) {
          // More than the upload has room for: nothing of this request is kept.
          ended = true;
          readable.off('data', onData);
          this.running.delete(id);
          sink.destroy();
          sink.once('close', () => {
            fsp.truncate(file, offset).then(
              () => settle(() => reject(ERRORS.ERR_MAX_SIZE_EXCEEDED)),
              (err: unknown) => settle(() => reject(ioHttpError(`truncate(upload ${id} to offset ${offset})`, err))),
            );
          });
          return;
        }
        received += chunk.length;
        hashing?.hash.update(chunk);
        check?.update(chunk);
        // Held back (corked) until WRITE_BATCH_BYTES have come, then written in one writev: a
        // slow or busy sender delivers a few KiB per socket read, and one write per read cost a
        // thread-pool round trip each (most of the receiver's system time per GiB).
        // A sender that stalls still has its bytes on the disk within WRITE_BATCH_MS.
        if (corked === 0 && !flushTimer) flushTimer = setTimeout(flush, WRITE_BATCH_MS);
        corked += chunk.length;
        if (!sink.write(chunk)) {
          // WRITE_BUFFER_BYTES wait: all of it goes to the disk now, and the socket waits for it.
          release();
          readable.pause();
          sink.once('drain', () => {
            hold();
            readable.resume();
          });
        } else if (corked >= WRITE_BATCH_BYTES) {
          flush();
        }
      };
      sink.on('error', (err) => {
        readable.off('data', onData);
        this.running.delete(id);
        settle(() => reject(ioHttpError(`write(upload ${id} from offset ${offset})`, err)));
      });
      // 'close' after 'finish': the descriptor is released and every byte is in the file.
      sink.once('close', () => {
        if (!sink.writableFinished) return;
        const mismatch = check?.verify();
        if (mismatch) {
          this.running.delete(id);
          undo().then(
            () => settle(() => reject(mismatch)),
            (err: unknown) => settle(() => reject(ioHttpError(`truncate(upload ${id} to offset ${offset})`, err))),
          );
          return;
        }
        if (hashing) hashing.offset = offset + received;
        settle(() => resolve(offset + received));
      });
      hold();
      readable.on('data', onData);
      readable.once('end', () => {
        ended = true;
        sink.end();
      });
      if (direct) {
        // Straight from the request: a client gone, or a stop, keeps what came (see appendRequest).
        // Asked to stop: bytes already on their way (a body sent whole just before its connection
        // went) still get a moment to arrive, so the request that asked sees them.
        let grace: NodeJS.Timeout | undefined;
        const stopSoon = () => {
          grace = setTimeout(cut, STOP_GRACE_MS);
          sink.once('close', () => clearTimeout(grace));
        };
        if (direct.stop.aborted) stopSoon();
        else direct.stop.addEventListener('abort', stopSoon, { once: true });
        readable.once('error', cut);
        readable.once('close', cut);
        return;
      }
      // Request-side errors keep their identity: @tus/server recognises them as a client abort.
      readable.once('error', (err) => {
        // Bytes still buffered are dropped with the sink, so the hash no longer matches the file.
        this.running.delete(id);
        sink.destroy();
        if (!check) {
          settle(() => reject(err));
          return;
        }
        // A cut body cannot be checked against its checksum: none of it is kept.
        sink.once('close', () => {
          undo().then(
            () => settle(() => reject(err)),
            () => settle(() => reject(err)),
          );
        });
      });
    });
  }

  override async remove(id: string): Promise<void> {
    const record = await this.record(id);
    if (!record) throw ERRORS.FILE_NOT_FOUND;
    // A tombstone has no data file any more, and a crash may have left a record without one.
    this.running.delete(id);
    this.filedSha.delete(id);
    this.budget.release(id);
    await fsp.rm(this.dataPath(id), { force: true });
    await this.configstore.delete(id);
  }

  override async deleteExpired(): Promise<number> {
    const ttl = this.getExpiration();
    if (ttl <= 0) return 0;
    const now = Date.now();
    const names = await fsp.readdir(this.directory);
    const nameSet = new Set(names);
    let removed = 0;
    for (const name of names) {
      if (name.endsWith('.json')) {
        const id = name.slice(0, -'.json'.length);
        if (this.isBusy(id)) continue;
        const record = await this.record(id);
        const created = record?.creation_date ? Date.parse(record.creation_date) : Number.NaN;
        if (Number.isNaN(created) || now <= created + ttl) continue;
        await this.remove(id);
        removed++;
      } else if (!nameSet.has(`${name}.json`) && !this.isBusy(name)) {
        // Data without a record: a crash between creating the file and writing its JSON.
        const stat = await fsp.stat(path.join(this.directory, name)).catch(() => undefined);
        if (stat?.isFile() && now > stat.mtimeMs + ttl) {
          await fsp.rm(path.join(this.directory, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}

/*
 * FileStore's constructor makes its directory with a callback that throws on failure, out of any
 * caller's reach: a storage folder removed at the wrong moment would crash the process.
 * startReceiver makes the folder (awaited, with a clear error) before the store exists, so the
 * store's own attempt is switched off. The method is private in FileStore's types, hence this.
 */
Object.defineProperty(ReceiverStore.prototype, 'checkOrCreateDirectory', { value: () => undefined });
