/** What turns a rule's file events into upload jobs, one kind per mode. */
import type { WatchRule } from '../../../shared/watch';
import type { FileSig } from './fileIndex';
import type { PathFilter } from './glob';
import type { WatchLedgerTable } from '../db/watchLedgerRepo';
import type { ListedFile } from './treeWalk';

/** The most files one job is given (the createUpload contract's limit). */
export const MAX_JOB_FILES = 10_000;

export interface UploadRequest {
  /** What the job uploads: the files themselves, or (a dataset too large to list) its folder. */
  paths: string[];
  /** The files recorded as pending in the ledger once the job exists. */
  files: ListedFile[];
  /**
   * Where the files' places in the dataset are taken from: the watched folder (files mode) or the
   * dataset folder (dataset mode). Without it the job uploads `paths` as the folder it is.
   */
  base?: string;
  /** The job's scan applies the rule's patterns (a dataset too large to list is given as its folder). */
  filtered?: boolean;
  /** For the name template: the watched or dataset folder's name, and the first file's. */
  folder: string;
  file: string;
}

/** What a pipeline gets from its rule watcher. */
export interface PipelineHost {
  readonly rule: WatchRule;
  readonly filter: PathFilter;
  readonly ledger: WatchLedgerTable;
  /** Creates the upload job and records its files as pending. */
  submit(request: UploadRequest): Promise<void>;
  /** The status moved (counts, activity). */
  changed(): void;
  report(err: unknown): void;
}

export interface Pipeline {
  /** A file that is new or changed since the ledger last saw it. */
  offer(path: string, sig: FileSig): void;
  gone(path: string): void;
  /** Files or folders held before a job is made. */
  readonly waiting: number;
  stop(): void;
}
