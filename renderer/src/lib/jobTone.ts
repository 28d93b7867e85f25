/** The colour family a job is drawn in: its state, except that a partial success has its own. */
import type { JobView } from '../../../shared/model';

export function jobTone(job: Pick<JobView, 'state' | 'result'>): string {
  return job.state === 'completed' && job.result === 'partial' ? 'partial' : job.state;
}
