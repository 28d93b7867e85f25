import type { JobsChanged } from '../../../shared/contract';
import { isFinished, type JobState, type JobView } from '../../../shared/model';
import type { WebhookEvent } from './webhooks';

/** The part of the job manager the bridge listens to. */
export interface JobSource {
  onChanged(listener: (batch: JobsChanged) => void): () => void;
  onFinished(listener: (view: JobView) => void): () => void;
}

const FINAL_EVENTS: Partial<Record<JobState, WebhookEvent>> = { completed: 'job.completed', failed: 'job.failed', canceled: 'job.canceled' };

/**
 * Turns job state changes into webhook events: started and paused from the change batches (a
 * state seen for the first time or changed since the last batch), the three final ones from
 * `onFinished`. A job that passes through a state within one batch (~100 ms) is not announced
 * in it. While a job runs, its progress goes out as `job.progress` at most once per
 * `progressEveryMs()` (and only when it moved). Returns the function that stops listening.
 */
export function bridgeJobWebhooks(jobs: JobSource, notify: (event: WebhookEvent, job: JobView) => void, progressEveryMs: () => number = () => 10_000): () => void {
  const last = new Map<number, JobState>();
  const progressed = new Map<number, { at: number; done: number }>();
  const offChanged = jobs.onChanged((batch) => {
    const now = Date.now();
    for (const job of batch.upserts) {
      // Final states are announced by onFinished; forgetting the job keeps the maps small.
      if (isFinished(job.state)) {
        last.delete(job.id);
        progressed.delete(job.id);
        continue;
      }
      const before = last.get(job.id);
      if (job.state !== before) {
        last.set(job.id, job.state);
        if (job.state === 'running') notify('job.started', job);
        else if (job.state === 'paused') notify('job.paused', job);
      }
      if (job.state !== 'running') continue;
      const sent = progressed.get(job.id);
      if (sent && (now - sent.at < progressEveryMs() || sent.done === job.done)) continue;
      if (!sent && job.done === 0) continue;
      progressed.set(job.id, { at: now, done: job.done });
      notify('job.progress', job);
    }
    for (const id of batch.removed) {
      last.delete(id);
      progressed.delete(id);
    }
  });
  const offFinished = jobs.onFinished((job) => {
    last.delete(job.id);
    progressed.delete(job.id);
    const event = FINAL_EVENTS[job.state];
    if (event) notify(event, job);
  });
  return () => {
    offChanged();
    offFinished();
  };
}
