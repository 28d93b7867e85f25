import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';

/** The local file that records the user's decision; no command of the API writes it. */
export const LOCAL_CONFIG_FILE = 'local-config.json';

const HOW_TO_ENABLE =
  'start `ferry serve` with --allow-command-jobs, or (desktop) choose "Allow command jobs…" in Settings and confirm, ' +
  `or set "allowCommandJobs": true in ${LOCAL_CONFIG_FILE} of the data directory`;

/**
 * Whether command jobs (programs run on this computer) may run. It is the user's decision at the
 * host, never an API client's: a `ferry serve` flag, the desktop's native confirmation, or a local
 * file in the data directory. It is checked when a job is created and again each time one starts
 * (retries included), so turning it off stops what is queued.
 */
export class CommandJobsGate {
  constructor(
    private readonly dataDir: string,
    /** The host's start-up decision (`ferry serve --allow-command-jobs`). */
    private readonly allowedAtStart: boolean,
  ) {}

  allowed(): boolean {
    return this.allowedAtStart || this.readLocal().allowCommandJobs === true;
  }

  /** Throws a CONFLICT that says how to turn them on; never retried (only the user can change it). */
  check(op: string): void {
    if (!this.allowed()) throw new FerryError('CONFLICT', `${op}: command jobs are off; ${HOW_TO_ENABLE}`, { retriable: false, commandJobs: 'off' });
  }

  /** Records the user's confirmation (the desktop host calls this after its native dialog). */
  allow(): void {
    const path = join(this.dataDir, LOCAL_CONFIG_FILE);
    writeFileSync(path, JSON.stringify({ ...this.readLocal(), allowCommandJobs: true }, null, 2) + '\n', { mode: 0o600 });
  }

  private readLocal(): { allowCommandJobs?: unknown } {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(this.dataDir, LOCAL_CONFIG_FILE), 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as { allowCommandJobs?: unknown }) : {};
    } catch {
      // Missing or unreadable: the default, off.
      return {};
    }
  }
}
