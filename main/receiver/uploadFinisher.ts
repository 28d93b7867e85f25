import fsp from 'node:fs/promises';
import { ERRORS } from '@tus/server';
import { FerryError } from '../../shared/errors';
import { CHECKSUM_MISMATCH, HttpError, ferryHttpError, ioHttpError } from './httpError';
import { placeFile } from './placeFile';
import type { FiledInfo, ReceiverStore } from './receiverStore';
import type { ReceiverLogger } from './receiverLogger';
import { sha256File } from '../util/sha256File';
import { filingTarget } from './uploadMetadata';

/**
 * Verifies a complete upload (streamed SHA-256 against the announced one) and files it into the
 * final tree. Idempotent and shared: the finishing PATCH, a HEAD from a client whose PATCH answer
 * was lost, and a HEAD after a restart all end up in the same single run per upload.
 */
export class UploadFinisher {
  private readonly inFlight = new Map<string, Promise<FiledInfo>>();

  constructor(
    private readonly store: ReceiverStore,
    private readonly storageDir: string,
    private readonly log: ReceiverLogger,
  ) {}

  /** True while an upload is being verified or filed (expiry cleanup must not pull it away). */
  isBusy(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** Resolves when every verification under way has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Verifies and files upload `id`; throws an HttpError (460 mismatch, 4xx/5xx) on failure.
   * `fileSha256` is the SHA-256 the client says the whole file has (FILE_SHA256_HEADER): checked,
   * like one announced in the metadata, before the file is filed.
   */
  finish(id: string, fileSha256?: string): Promise<FiledInfo> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const run = this.run(id, fileSha256).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, run);
    return run;
  }

  /**
   * Before a HEAD answers: if the data is complete but not filed (a crash or a failed filing
   * earlier), file it now, so that "offset == length" always means "verified and filed".
   * A checksum mismatch is not an error here: the upload is gone and HEAD answers 404.
   */
  async settle(id: string): Promise<void> {
    let work = this.inFlight.get(id);
    if (!work) {
      const record = await this.store.record(id);
      if (!record || record.filed || record.size === undefined) return;
      const bytes = await fsp.stat(this.store.dataPath(id)).then(
        (stat) => stat.size,
        () => -1,
      );
      if (bytes !== record.size) return;
      work = this.finish(id);
    }
    try {
      await work;
    } catch (err) {
      if (err instanceof HttpError && err.status_code === CHECKSUM_MISMATCH) return;
      throw err;
    }
  }

  private async run(id: string, fileSha256: string | undefined): Promise<FiledInfo> {
    const record = await this.store.record(id);
    if (!record) throw ERRORS.FILE_NOT_FOUND;
    if (record.filed) return record.filed;

    let target;
    try {
      target = filingTarget(record.metadata);
    } catch (err) {
      // Checked at creation already; only a record written by another tool gets here.
      throw err instanceof FerryError ? ferryHttpError(err) : err;
    }
    const source = this.store.dataPath(id);
    const what = `upload ${id} (${target.relative})`;

    let sha256: string;
    try {
      // Hashed as the bytes arrived when they came in order in this process; read back otherwise.
      sha256 = this.store.takeDigest(id, record.size ?? 0) ?? (await sha256File(source));
    } catch (err) {
      throw ioHttpError(`verify(${what})`, err);
    }
    const expected = [target.sha256, fileSha256].find((want) => want !== undefined && want !== sha256);
    if (expected !== undefined) {
      // Drop the bad bytes so the client's next attempt starts clean instead of resuming them.
      await this.store.remove(id).catch((err: unknown) => {
        this.log.error(`verify(${what}): could not discard mismatched data: ${String(err)}`);
      });
      this.log.warn(`verify(${what}): sha256 mismatch, expected ${expected}, received ${sha256}`);
      throw new HttpError(
        CHECKSUM_MISMATCH,
        `Checksum Mismatch: ${what}: expected sha256 ${expected}, received ${sha256}; ` +
          'the data was discarded, create the upload anew',
      );
    }

    let filed: FiledInfo;
    try {
      const size = record.size ?? 0;
      filed = { ...(await placeFile({ source, storageDir: this.storageDir, segments: target.segments, sha256, size })), sha256 };
    } catch (err) {
      this.log.error(`file(${what}): ${String(err)}`);
      // The data stays in .incoming: a later HEAD retries the filing once the cause is fixed.
      throw err instanceof FerryError ? ferryHttpError(err) : ioHttpError(`file(${what})`, err);
    }
    try {
      await this.store.markFiled(id, filed, record);
    } catch (err) {
      // The file is safely filed; without the tombstone a retrying client re-uploads it and the
      // duplicate check drops the copy. Worth a log line, not a failed upload.
      this.log.warn(`file(${what}): filed as ${filed.storedAs} but could not record it: ${String(err)}`);
    }
    this.log.info(`file(${what}): ${filed.duplicate ? 'duplicate of' : 'filed as'} ${filed.storedAs}`);
    return filed;
  }
}
