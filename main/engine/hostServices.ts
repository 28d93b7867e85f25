/** A folder reserved for files an interface streams to its host, and where it sends them. */
export interface StagingArea {
  stagingId: string;
  /** The folder on this computer the files land in (an upload job takes its paths from it). */
  path: string;
  /** Where the interface sends each file, its relative path appended. */
  uploadUrl: string;
}

/**
 * What a host (desktop or web) offers the engine beyond Node: OS dialogs, the file manager and a
 * staging area for dropped files. The engine answers UNAVAILABLE for what its host lacks.
 */
export interface HostServices {
  kind: 'desktop' | 'web';
  pickPaths?(kind: 'files' | 'folders'): Promise<string[]>;
  reveal?(path: string): void;
  /** Asks where to save a file in the OS save dialog; null when the user dismissed it. */
  pickSavePath?(suggestedName: string, kind: 'csv' | 'json'): Promise<string | null>;
  /** Dropped files arrive with paths (desktop) rather than as streamed bytes (web). */
  dropPaths: boolean;
  /** Asks the user in a native dialog whether command jobs may run; true when they said yes. */
  confirmCommandJobs?(): Promise<boolean>;
  /** Reserves a staging area for files the interface streams to the host (the web host's drops). */
  beginStaging?(): StagingArea;
  /**
   * The origin (`http://127.0.0.1:port`) of the host's HTTP API while it serves one, else null;
   * a job's log header names the URL to follow it there.
   */
  apiOrigin?(): string | null;
  /** How much the staging areas hold now (for health). */
  stagingUsage?(): { areas: number; bytes: number };
}

export const HEADLESS_HOST: HostServices = { kind: 'web', dropPaths: false };
