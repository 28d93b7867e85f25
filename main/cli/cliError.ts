import { FerryError } from '../../shared/errors';

/** The CLI's exit codes: scripts branch on these, so they never change meaning. */
export const EXIT = {
  ok: 0,
  /** The job followed (`--wait`, `logs -f`) failed or was canceled. */
  jobFailed: 1,
  usage: 2,
  /** No running instance, or the instance file is stale. */
  noInstance: 3,
  /** The instance answered an error. */
  server: 4,
} as const;

/** An error that already knows its exit code and its message for the user. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, `${message}\nRun \`ferry help\` for usage.`);

/** Exit code and message for anything a command threw. */
export function describeFailure(err: unknown): { exitCode: number; message: string } {
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof FerryError) {
    if (err.code === 'INVALID_INPUT') return { exitCode: EXIT.usage, message: err.message };
    if (err.code === 'UNAUTHORIZED') return { exitCode: EXIT.noInstance, message: `${err.message} (the instance file is stale: its token was refused)` };
    return { exitCode: EXIT.server, message: `${err.code}: ${err.message}` };
  }
  return { exitCode: EXIT.server, message: err instanceof Error ? err.message : String(err) };
}
