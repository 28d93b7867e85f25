/** What the host offers beyond the engine: native dialogs, reveal in folder, and requests to show a view. */
import { z } from 'zod';
import { command, jobId, noInput, stream } from './define';

/** Something the host asks the interface to show. */
export type NavigateRequest = { view: 'job'; jobId: number } | { view: 'newUpload' } | { view: 'settings' };

/** What a host offers beyond the engine. */
export interface Capabilities {
  host: 'desktop' | 'web';
  pickPaths: boolean;
  reveal: boolean;
  /** The OS save dialog (desktop): an export asks where to go; otherwise it is downloaded. */
  saveDialog: boolean;
  /** Dropped files come with their paths (desktop); otherwise they are streamed (web). */
  dropPaths: boolean;
  /** Where the built-in receiver files what it receives. */
  receiverDir: string | null;
  /** Command jobs may run (the user allowed them at the host: a serve flag, a dialog, a local file). */
  commandJobs: boolean;
  /** The host can ask the user to allow them (`requestCommandJobs` shows a native dialog). */
  askCommandJobs: boolean;
}

export const hostCommands = {
  /** What this host can do beyond the engine (dialogs, reveal in folder, dropped file paths). */
  capabilities: command<Capabilities>()(noInput),
  /** Opens the OS file dialog (desktop only) and answers the chosen paths, or [] if dismissed. */
  pickPaths: command<string[]>()(z.strictObject({ kind: z.enum(['files', 'folders']) })),
  /** Opens the OS save dialog (desktop only) for a jobs export; answers the chosen path, or null if dismissed. */
  pickSavePath: command<{ path: string | null }>()(z.strictObject({ name: z.string().min(1).max(200), kind: z.enum(['csv', 'json']) })),
  /**
   * Shows a job's log file, a dataset file's source, or where a dataset (`destination`; with `seq`,
   * one of its files) landed in the OS file manager (desktop only; `destination` only for a folder
   * destination or the built-in receiver).
   */
  revealPath: command<{ path: string }>()(
    z.strictObject({ id: jobId, what: z.enum(['log', 'source', 'folder', 'destination']), seq: z.number().int().min(0).optional() }),
  ),
} as const;

export const hostStreams = {
  /** Requests from the host to show something (a notification or a menu item was clicked). */
  'app.navigate': stream<NavigateRequest>()(noInput),
} as const;
