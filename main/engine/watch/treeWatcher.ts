/** What a rule needs from a folder watcher, whichever way it watches (native events or polling). */
import type { FileIndex, FileSig } from './fileIndex';
import type { PathFilter } from './glob';

export interface TreeEvents {
  /** A file the filter takes appeared, or its size or time changed. */
  file(path: string, sig: FileSig): void;
  /** A known file is gone (deleted, renamed away, or its folder went). */
  gone(path: string): void;
  /** The first listing is complete: every file present at start has been reported. */
  ready(): void;
  /** `fatal`: this watcher cannot go on (the folder vanished, a system watch limit was hit). */
  error(err: Error, fatal: boolean): void;
  /** A problem reported as not fatal went away (a polled share is readable again). */
  recovered(): void;
}

export interface TreeOptions {
  root: string;
  filter: PathFilter;
  events: TreeEvents;
}

export interface TreeWatcher {
  readonly mode: 'watching' | 'polling';
  /** The files known right now. */
  readonly files: FileIndex;
  /** Begins the first listing; problems arrive as `error` events. */
  start(): void;
  close(): Promise<void>;
}
