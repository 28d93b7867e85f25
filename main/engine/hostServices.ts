/**
 * What a host (desktop or web) offers the engine beyond Node: OS dialogs and the file manager.
 * The engine answers UNAVAILABLE for what its host lacks.
 */
export interface HostServices {
  kind: 'desktop' | 'web';
  pickPaths?(kind: 'files' | 'folders'): Promise<string[]>;
  reveal?(path: string): void;
  /** Dropped files arrive with paths (desktop) rather than as streamed bytes (web). */
  dropPaths: boolean;
  /** Asks the user in a native dialog whether command jobs may run; true when they said yes. */
  confirmCommandJobs?(): Promise<boolean>;
}

export const HEADLESS_HOST: HostServices = { kind: 'web', dropPaths: false };
