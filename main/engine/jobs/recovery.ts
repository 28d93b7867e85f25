import type { JobEventType, JobResult, JobState } from '../../../shared/model';
import type { JobRow, JobsRepo } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import { createLogger } from '../util/logger';
import type { JobRecorder } from './jobRecorder';
import { ensureOpenSection } from './logFormat';

const log = createLogger('recovery');

const FINAL_EVENT: Partial<Record<JobState, JobEventType>> = { completed: 'completed', failed: 'failed', canceled: 'canceled' };
const RESULT_OF: Partial<Record<JobState, JobResult>> = { completed: 'success', failed: 'failed', canceled: 'canceled' };

/**
 * Start-up after a stop or a crash, before anything is scheduled:
 * - a job whose final state was committed but whose log was not sealed gets its final event (if
 *   missing) and its footer, exactly once;
 * - a job that was running goes back to the queue and resumes from its saved state (same attempt);
 * - queued and paused jobs stay as they are; a queued one whose log never got its header gets it.
 * A completed job is never run again.
 */
export function recoverJobs(repo: JobsRepo, logs: LogStore, recorder: JobRecorder): { sealed: number; resumed: number } {
  let sealed = 0;
  for (const row of repo.unsealed()) {
    try {
      sealFinished(row, repo, logs, recorder);
      sealed++;
    } catch (err) {
      log.error(`job ${row.id}: sealing its log at start-up failed`, err);
    }
  }
  const running = repo.byState('running');
  for (const row of running) {
    const w = logs.writer(row.id);
    ensureOpenSection(w, row, Math.max(1, row.attempts));
    recorder.transition(row, 'requeue', 'recovered', 'Resuming after a restart from the saved state');
  }
  for (const row of repo.byState('queued')) {
    if (logs.logSize(row.id) === 0) {
      ensureOpenSection(logs.writer(row.id), row, Math.max(1, row.attempts));
      logs.writer(row.id).flush();
    }
  }
  if (sealed || running.length) log.info(`recovered: ${running.length} job(s) resume, ${sealed} log(s) sealed`);
  return { sealed, resumed: running.length };
}

/** The final event and footer of a job whose row already says it finished. */
function sealFinished(row: JobRow, repo: JobsRepo, logs: LogStore, recorder: JobRecorder): void {
  const w = logs.writer(row.id);
  const type = FINAL_EVENT[row.state]!;
  const last = w.lastEvent();
  const eventWritten = last?.type === type && last.state === row.state;
  if (eventWritten && w.endsWithFooter()) {
    // The footer made it to disk; only the row's mark did not.
    logs.finish(row.id);
    repo.update(row.id, { sealed: 1 });
    return;
  }
  if (!eventWritten) recorder.event(row.id, type, row.state, `${row.state[0]!.toUpperCase()}${row.state.slice(1)} (recorded at start-up)`);
  recorder.seal(row.id, row.result ?? RESULT_OF[row.state]!, { error: row.error ?? undefined, notify: false });
}
