/** Transfers: uploads of local files and folders, downloads, verification, and the files of a dataset job. */
import { z } from 'zod';
import type { JobView } from '../model';
import { datasetMetadata } from '../destinations';
import type { UploadPreview } from '../files';
import { pipelineSteps } from '../automation';
import { command, destinationId, idInput, jobId, localPath, MAX_NAME, noInput, priority } from './define';

const localPaths = z.array(localPath).min(1).max(10_000);

export interface JobItemView {
  seq: number;
  relativePath: string;
  size: number;
  state: 'pending' | 'uploading' | 'done' | 'failed';
  bytesDone: number;
  sha256: string | null;
  verified: string | null;
  /** What the destination answered for the file (a URL, an object, a place in the receiver's storage). */
  location: string | null;
  /**
   * Where the file's bytes are, in full, once it landed: a path on this computer (a folder
   * destination, the built-in receiver), an `s3://bucket/key` or a tus upload URL.
   */
  where: string | null;
  error: string | null;
}

/** Where a dataset goes: the folder, URL or bucket and key prefix its files land under. */
export interface DatasetPlace {
  kind: 'receiver' | 'tus' | 's3' | 'folder';
  /** The destination's name. */
  destination: string;
  /** A folder path on this computer, an `s3://bucket/prefix/` or the tus server's URL. */
  where: string;
  /** On this computer's file system (a folder destination, the built-in receiver): it can be shown in the file manager. */
  local: boolean;
}

export interface JobItemPage {
  items: JobItemView[];
  total: number;
  /** Where the dataset goes, or null when its destination is gone. */
  place?: DatasetPlace | null;
}

/** How one file of a dataset compares with what the destination holds. */
export type PlanChange = 'new' | 'changed' | 'unchanged' | 'removed';

/** One file of an upload plan. */
export interface PlannedFile {
  path: string;
  change: PlanChange;
  /** Its size here (null for a file gone from the source). */
  size: number | null;
  /** Why it is changed or unchanged, in words. */
  why: string | null;
}

/** What an incremental upload of a dataset to a destination would send (the planUpload command). */
export interface UploadPlan {
  dataset: string;
  /** The destination's id and name. */
  destinationId: string;
  destination: string;
  /** Whether the destination's holdings could be read back; when not, `why` says why and every file counts as new. */
  readable: boolean;
  /** Whether the destination holds a manifest of the dataset. */
  found: boolean;
  why: string | null;
  counts: { new: number; changed: number; unchanged: number; removed: number };
  /** Bytes of the new and changed files (what will be sent), and of the unchanged ones. */
  bytesToSend: number;
  bytesUnchanged: number;
  /** Files that differ first (removed, changed, new), then unchanged ones; at most `PLAN_LIST_CAP`. */
  files: PlannedFile[];
  /** Whether `files` was cut to its cap. */
  truncated: boolean;
}

/** The most files a plan lists (the counts cover every file). */
export const PLAN_LIST_CAP = 1000;

/** What an upload is asked with that decides where it goes (shared by createUpload and planUpload). */
const uploadTarget = {
  paths: localPaths,
  /**
   * The folder the files' places in the dataset are taken from (it must hold every path): a file
   * at `<base>/a/b/c.tif` lands at `a/b/c.tif`. Without it a single folder is the dataset's root
   * and several items land by their names.
   */
  base: localPath.optional(),
  destinationId: destinationId.optional(),
  name: z.string().trim().min(1).max(MAX_NAME).optional(),
  /** Hash every local file the destination lists, even one whose size and modification time match the last send. */
  rehash: z.boolean().optional(),
};

export const transferCommands = {
  /** Counts what a set of local paths amounts to (files, bytes, skipped) before uploading. */
  previewUpload: command<UploadPreview>()(z.strictObject({ paths: localPaths })),
  /** Creates a dataset upload job from local files and folders. */
  createUpload: command<JobView>()(
    z.strictObject({
      ...uploadTarget,
      /**
       * Send only what differs from what the destination holds of the dataset (its own manifest
       * decides): new and changed files are sent, unchanged ones skipped, and the new manifest
       * replaces the old one once every file is in place.
       */
      incremental: z.boolean().optional(),
      /** With `incremental`: delete at the destination the files gone from the source (each one logged). */
      deleteRemoved: z.boolean().optional(),
      metadata: datasetMetadata.default(datasetMetadata.parse({})),
      priority: priority.default('normal'),
      /** Steps to run after the upload completes (verify, command), each optionally gated. */
      then: pipelineSteps.optional(),
    }),
  ),
  /**
   * Compares local files with what a destination holds of the dataset (its manifest-sha256.txt,
   * sizes, and SHA-256s where they must decide) and says what an incremental upload would send.
   */
  planUpload: command<UploadPlan>()(z.strictObject(uploadTarget)),
  /** The files of a dataset job with per-file state, bytes and SHA-256, in pages. */
  listJobItems: command<JobItemPage>()(
    z.strictObject({
      id: jobId,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      state: z.enum(['pending', 'uploading', 'done', 'failed']).optional(),
    }),
  ),
  /**
   * Queues a new attempt of a completed upload that has failed files: only those are sent again,
   * to the same destination with the same options and places in the dataset; the files that
   * landed are left as they are, and the manifest is sent again to cover every file.
   */
  resendFailed: command<JobView>()(idInput),
  /** Reserves a staging area for files a browser streams to the engine (web host drops). */
  beginStaging: command<{ stagingId: string; path: string; uploadUrl: string }>()(noInput),
  /** Downloads one http(s) URL to a local file: resumable, retried, checked against an optional SHA-256. */
  createDownloadJob: command<JobView>()(
    z.strictObject({
      url: z.string().max(8192).url().refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address'),
      dest: localPath,
      expectedSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 is 64 hex digits').optional(),
      headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/), z.string().max(8192).refine((v) => !/[\r\n\0]/.test(v), 'no line breaks')).optional(),
      /** More header names to keep in the secret store (Authorization, Cookie and X-Amz-* always are). */
      secretHeaders: z.array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/)).max(64).optional(),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      priority: priority.default('normal'),
    }),
  ),
  /**
   * Downloads every object under a prefix of a saved S3 destination into a local folder (keys
   * below the prefix kept as relative paths): resumable, parallel, each file checked against the
   * dataset's manifest or the store's checksum. Give `destinationId` and `prefix`, or
   * `sourceJobId` (a completed upload to S3) to download that dataset back.
   */
  createBucketDownload: command<JobView>()(
    z.strictObject({
      destinationId: destinationId.optional(),
      /** Under the destination's own prefix; a trailing '/' is added when missing. */
      prefix: z.string().max(1024).optional(),
      sourceJobId: jobId.optional(),
      /** The folder the files land in: new, or empty. */
      dest: localPath,
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      priority: priority.default('normal'),
    }),
  ),
  /** Checks that a destination holds an upload job's files (size and SHA-256 against its manifest). */
  createVerifyJob: command<JobView>()(z.strictObject({ sourceJobId: jobId, priority: priority.default('normal') })),
} as const;
