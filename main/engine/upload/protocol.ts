/**
 * The one interface every destination (tus, S3 multipart, folder) implements.
 *
 * A protocol opens a session per file; the engine (uploadFile) reads the file once, in chunks of
 * the size the session asks for, and hands each chunk to `sendChunk`. Append-only destinations
 * (tus, folder) take one chunk at a time in order; S3 takes parts in any order and in parallel
 * (`maxParallel`). After every acknowledged chunk the engine persists `saved()`, so a later
 * process can call `begin(file, saved)` and continue where the destination says it stands.
 *
 * Sessions that create something remote (`saveBeforePass`) have `saved()` persisted before each
 * pass too, so before any request that creates it. Such a session puts in it what it takes to find that thing again if
 * the creation's answer is lost (a reset connection, a kill, a shutdown mid-request): tus sends an
 * idempotency key the built-in receiver honours, S3 notes when it began creating, so the next
 * attempt can abort multipart uploads of the key it never learned of.
 */

/** The file as the destination sees it. `relativePath` uses '/' and is checked by the rule of shared/storedPath.ts. */
export interface UploadFileInfo {
  /** Size in bytes, as stat saw it when the upload began. */
  size: number;
  /** Display name, usually the last segment of `relativePath`. */
  name: string;
  /** Path inside the dataset, e.g. `run-7/images/0001.tif`. */
  relativePath: string;
  /** Extra key/value metadata (e.g. `dataset`); travels as tus Upload-Metadata or S3 user metadata. */
  metadata: Record<string, string>;
  /** Hex SHA-256 when known before the upload (manifest, pre-scan); lets the server verify at finish. */
  sha256?: string;
}

/** tus: the upload URL is all a resume needs (the server answers HEAD with its offset). */
export interface SavedTusSession {
  protocol: 'tus';
  /** The upload (with concatenation: the final upload, once created). */
  url: string | null;
  /** From Upload-Expires, epoch ms; after it the server may answer 404/410. */
  expiresAt?: number;
  /**
   * Sent as the `idempotencyKey` metadata of the creation POST (32 hex digits). A POST repeated
   * with the same key, after its answer was lost, replaces the upload the first one made on
   * Ferry's receiver instead of leaving it behind; other servers ignore it.
   */
  key?: string;
  /** Concatenation: the file goes as partial uploads of `partSize`, sent in parallel. */
  concat?: { partSize: number; parts: SavedTusPart[] };
}

/** One partial upload of a concatenated tus upload. */
export interface SavedTusPart {
  offset: number;
  length: number;
  url: string;
  /** The server acknowledged every byte of it. */
  done: boolean;
}

/** One part S3 acknowledged; field names follow the S3 API so they pass through unchanged. */
export interface S3SavedPart {
  PartNumber: number;
  ETag: string;
  /** Base64 SHA-256 of the part, as sent in x-amz-checksum-sha256. */
  ChecksumSHA256?: string;
  Size: number;
}

/** S3: the UploadId plus the parts we know of (ListParts is the truth where the server has it). */
export interface SavedS3Session {
  protocol: 's3';
  bucket: string;
  key: string;
  /** null when the file goes as one PutObject (small files): nothing to resume. */
  uploadId: string | null;
  partSize: number;
  parts: S3SavedPart[];
  /**
   * Epoch ms, while `uploadId` is null on a multipart file: a CreateMultipartUpload begun after
   * this may have created an upload whose UploadId never arrived. The next attempt aborts this
   * key's multipart uploads initiated since (less a margin for clock skew) before creating one.
   */
  creatingSince?: number;
}

/** Folder: the partial file's size is the resume offset. */
export interface SavedFolderSession {
  protocol: 'folder';
  partialPath: string;
  targetPath: string;
}

/** Plain JSON resume state of one file's upload; the engine stores it after every ack. */
export type SavedSession = SavedTusSession | SavedS3Session | SavedFolderSession;

/** A chunk of the file on its way out. The bytes stay in memory until the chunk is acknowledged. */
export interface OutgoingChunk {
  /** Byte offset of `bytes[0]` in the file. */
  readonly offset: number;
  readonly bytes: Buffer;
  /** Raw 32-byte SHA-256 of `bytes`; computed on first call (tus without checksum never pays it). */
  sha256(): Buffer;
  /**
   * The bytes from `from` (relative to the chunk) in slices, each released by the global throttle.
   * Protocols put these on the wire (or the disk) instead of `bytes`, so the rate limit is smooth.
   */
  body(signal: AbortSignal, from?: number): AsyncIterable<Buffer>;
}

/** What `finish` could check on the destination side. */
export interface FinishResult {
  /**
   * `checksum`: the destination checked a checksum of every byte (tus Upload-Checksum on every
   * PATCH or the receiver's Ferry-Sha256, S3 echoed part checksums or the composite object
   * checksum); `size`: only the byte count was confirmed; `local`: folder copy, fsynced.
   */
  verified: 'checksum' | 'size' | 'local';
  /** Where the file landed (tus URL, s3://bucket/key, absolute path). */
  location: string;
}

/** One file's upload on one destination. Every I/O method takes an AbortSignal. */
export interface UploadSession {
  /** Chunk size the engine must read (every chunk but the last has exactly this size). */
  readonly chunkSize: number;
  /** How many chunks may be in flight at once: 1 for append-only destinations. */
  readonly maxParallel: number;
  /**
   * True when `saved()` must be persisted before each pass: it holds what finds a remote upload
   * again whose creation answer is lost (see the top of this file).
   */
  readonly saveBeforePass?: boolean;
  /**
   * Bytes from the start the destination already holds (tus HEAD, S3 ListParts prefix, folder
   * stat). Creates the remote upload when there is none yet (new or expired). The engine re-reads
   * the file up to here to rebuild the whole-file SHA-256, then sends from here.
   */
  resumeOffset(signal: AbortSignal): Promise<number>;
  /** True when the chunk at `offset` is already on the destination (S3 parts beyond the prefix). */
  hasChunk(offset: number, length: number): boolean;
  /** Sends one chunk; resolves once the destination acknowledged it. */
  sendChunk(chunk: OutgoingChunk, signal: AbortSignal): Promise<void>;
  /** Completes the upload once every chunk is acknowledged. `sha256` is the whole file's, hex. */
  finish(sha256: string, signal: AbortSignal): Promise<FinishResult>;
  /**
   * Discards the unfinished upload on the destination (tus DELETE, S3 AbortMultipartUpload, rm of
   * the partial). Call it on cancel, after the engine's sends have settled; not on pause or
   * shutdown, where the point is to resume.
   */
  abort(signal: AbortSignal): Promise<void>;
  /** The resume state as of the last acknowledged chunk (a fresh copy each call). */
  saved(): SavedSession;
  /**
   * Present when the destination takes long request bodies streamed from the file (tus, one
   * upload after another): the engine then sends `requestBytes` per request from a small ring of
   * read buffers instead of holding whole chunks, and `sendChunk` is not used.
   */
  readonly stream?: StreamingSession;
}

/** Read size of a streamed pass; two of these (and one for re-sends) are all it holds. */
export const STREAM_PIECE_BYTES = 4 * 1024 * 1024;

/** An append-only destination fed by streamed request bodies. */
export interface StreamingSession {
  /** Bytes per request; the last request of a file may be shorter. */
  readonly requestBytes: number;
  /**
   * Set when the destination checks a checksum of every request body (tus `Upload-Checksum`):
   * the header goes before the body, so the engine hashes each request's range with this
   * algorithm (a second local read of it) before sending it, and passes the digest to `append`.
   */
  readonly checksum?: 'sha256' | 'sha1';
  /**
   * Set when the destination checks the whole file's SHA-256 before it keeps the file (Ferry's
   * receiver, `Ferry-File-Sha256` on the finishing PATCH): the file's last piece goes in a request
   * of its own, read (so the file is hashed) before that request starts, and `append` gets the
   * file's hex SHA-256 for it. One hash of every byte instead of two (`checksum`).
   */
  readonly fileSha256?: boolean;
  /**
   * The destination's offset (asking it when the last exchange left it unsure). A destination
   * that lost the upload throws a `restart` error, like `sendChunk`.
   */
  position(signal: AbortSignal): Promise<number>;
  /**
   * Appends `length` bytes at `from`, streamed from `body`; resolves the destination's new offset.
   * `digest` is the raw `checksum` digest of exactly those bytes, when `checksum` is set;
   * `fileSha256` the whole file's hex SHA-256, on the request that ends the file when `fileSha256` is set.
   */
  append(from: number, length: number, body: AsyncIterable<Buffer>, signal: AbortSignal, digest?: Buffer, fileSha256?: string): Promise<number>;
}

/** A small file read whole (and hashed) before it goes out in a batch. */
export interface BatchFile {
  info: UploadFileInfo;
  bytes: Buffer;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
}

/**
 * Present on destinations that take many small files in one exchange (the built-in receiver, a
 * folder): a dataset of 10 000 small files then costs a few dozen exchanges and durability points,
 * not 10 000 of each. A batch is at most one chunk of bytes, so an interrupted batch is simply
 * sent again (nothing to resume inside it).
 */
export interface BatchSender {
  /** Files up to this size go in batches; larger ones get a session of their own. */
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxBytes: number;
  /**
   * Sends every file; resolves one result per file, in order, once all of them are complete (and
   * durable or verified, as `verified` says) on the destination. Fails as a whole: no file of a
   * failed batch counts as sent.
   */
  send(files: BatchFile[], signal: AbortSignal): Promise<FinishResult[]>;
}

/** A configured destination. */
export interface UploadProtocol {
  readonly kind: SavedSession['protocol'];
  /** Set when the destination takes small files in batches (see BatchSender). */
  readonly batch?: BatchSender;
  /**
   * Why the destination cannot store a file under this path (it would refuse it), or undefined;
   * asked before sending, so such a file fails alone instead of failing its batch or its job.
   */
  nameProblem?(relativePath: string, metadata: Record<string, string>): string | undefined;
  /** Opens a session; with `saved`, picks up the upload it describes (if the destination still has it). */
  begin(file: UploadFileInfo, saved: SavedSession | undefined, signal: AbortSignal): Promise<UploadSession>;
  /**
   * Discards the unfinished upload a saved state describes, without opening a session (cancel of
   * a job whose process is gone). Gone already is fine; a destination that cannot discard is REMOTE.
   */
  discard(saved: SavedSession, signal: AbortSignal): Promise<void>;
  /**
   * Why finished files cannot be deleted here, or undefined when `remove` works (asked before a
   * job's files are deleted, so that a refusal deletes nothing). Absent: `remove` always works.
   */
  removeProblem?(signal: AbortSignal): Promise<string | undefined>;
  /**
   * Deletes a finished file at `relativePath` (a job deleted with its files), or at `location`,
   * where the upload answered it (a tus upload URL); gone already is fine. Absent where the
   * destination offers no way to delete.
   */
  remove?(relativePath: string, signal: AbortSignal, location?: string | null): Promise<void>;
  /** Releases pooled connections once the destination is no longer used. */
  close(): void;
}
