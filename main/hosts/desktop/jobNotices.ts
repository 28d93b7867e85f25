import type { NavigateRequest } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import type { Settings } from '../../../shared/settings';
import type { Engine } from '../../engine';

/** An OS notification for a finished job, and what clicking it opens. */
export interface JobNotice {
  jobId: number;
  title: string;
  body: string;
  /** A success makes no sound; a failure does. */
  silent: boolean;
  opens: NavigateRequest;
}

/** The notice a finished job earns under the user's settings, or null when none is due. */
export function noticeFor(job: JobView, settings: Pick<Settings, 'notifyOnComplete' | 'notifyOnFailure'>): JobNotice | null {
  const opens: NavigateRequest = { view: 'job', jobId: job.id };
  const failed = job.counts.failed;
  // Completed with failed items: a failure as much as a completion, so either setting shows it, with a sound.
  if (job.state === 'completed' && (job.result === 'partial' || failed > 0)) {
    if (!settings.notifyOnComplete && !settings.notifyOnFailure) return null;
    const what = job.kind === 'upload' ? 'file' : 'item';
    const of = failed + job.counts.processed;
    const next = job.kind === 'upload' ? ' Open the job to see why and send them again.' : '';
    return {
      jobId: job.id,
      title: `Completed with failures: ${job.name}`,
      body: `Job #${job.id}: ${failed} of ${of} ${of === 1 ? what : `${what}s`} failed.${next}`,
      silent: false,
      opens,
    };
  }
  if (job.state === 'completed' && settings.notifyOnComplete) {
    return { jobId: job.id, title: `Done: ${job.name}`, body: `Job #${job.id} completed.`, silent: true, opens };
  }
  if (job.state === 'failed' && settings.notifyOnFailure) {
    return { jobId: job.id, title: `Failed: ${job.name}`, body: `Job #${job.id}: ${job.error ?? 'see the log for details'}`, silent: false, opens };
  }
  return null;
}

/**
 * Shows a notice for every job that finishes while the settings ask for one; clicking it opens
 * that job in the window. Answers the function that stops watching.
 */
export function watchFinishedJobs(engine: Engine, open: (request: NavigateRequest) => void, show: (notice: JobNotice, click: () => void) => void): () => void {
  return engine.onJobFinished((job) => {
    const notice = noticeFor(job, engine.currentSettings());
    if (notice) show(notice, () => open(notice.opens));
  });
}
