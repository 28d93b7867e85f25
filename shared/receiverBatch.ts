import { z } from 'zod';

/**
 * The built-in receiver's batch request: many small files of one dataset in one POST, so a dataset
 * of 10 000 small files costs a few dozen requests instead of 10 000 tus uploads.
 *
 * `POST <origin>/batch` with `Ferry-Batch-Index-Length: n`; the body is `n` bytes of UTF-8 JSON
 * (the index below) followed by every file's bytes in index order. The receiver checks each file's
 * SHA-256 before filing any (one mismatch answers 460 and files nothing), files them like finished
 * tus uploads (same paths, duplicates and ` (n)` suffixes), and answers 200 with `BatchAnswer`.
 * Sending a batch again is harmless: files already there with the same bytes are dropped as
 * duplicates. A batch that fails while filing (a full disk) may leave the files filed before the
 * failure in place, each complete and verified; the client sends the batch again once it can.
 */
export const BATCH_PATH = '/batch';
/**
 * On a tus PATCH to the built-in receiver: the hex SHA-256 the whole file must have. When the
 * request completes the upload, the receiver compares it with the SHA-256 of the bytes it stored
 * before it files them; a mismatch answers 460 and discards the upload (the client starts anew).
 * Ferry's client sends it instead of a per-request Upload-Checksum: one hash of every byte.
 */
export const FILE_SHA256_HEADER = 'Ferry-File-Sha256';
export const BATCH_INDEX_HEADER = 'Ferry-Batch-Index-Length';
/** What a receiver accepts in one batch. */
export const BATCH_LIMITS = { files: 4096, bytes: 64 * 1024 * 1024, indexBytes: 4 * 1024 * 1024 } as const;

export const batchIndexSchema = z.strictObject({
  /** Upload-Metadata keys shared by every file (dataset, sensorType, …). */
  metadata: z.record(z.string().max(1024), z.string().max(64 * 1024)),
  files: z
    .array(
      z.strictObject({
        relativePath: z.string().min(1).max(4096),
        size: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .min(1)
    .max(BATCH_LIMITS.files),
});
export type BatchIndex = z.infer<typeof batchIndexSchema>;

/** Per file, in index order: where it was filed, and whether identical bytes were there already. */
export interface BatchAnswer {
  files: { storedAs: string; duplicate: boolean }[];
}
