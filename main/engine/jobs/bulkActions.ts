import type { BulkAction, BulkResult } from '../../../shared/contract';
import { invalidInput } from '../../../shared/errors';
import type { JobState } from '../../../shared/model';
import type { JobsRepo } from '../db/jobsRepo';
import type { JobManager } from './jobManager';

/** Whom an action applies to when no ids are given. */
const DEFAULT_TARGETS: Record<Exclude<BulkAction, 'delete'>, JobState[]> = {
  retry: ['failed'],
  cancel: ['queued', 'running', 'paused', 'awaiting_approval'],
  pause: ['queued', 'running'],
  resume: ['paused'],
};
const MAX_SKIPPED = 1000;

/**
 * Applies one action to many jobs, each through the same command a single job gets, so the
 * transition table decides for every one; jobs it does not allow are reported, not changed.
 */
export function bulkAction(jobs: JobManager, repo: JobsRepo, action: BulkAction, ids?: number[]): BulkResult {
  if (!ids && action === 'delete') throw invalidInput('bulkAction: delete needs the ids of the jobs to delete');
  const targets = ids ?? repo.idsByState(DEFAULT_TARGETS[action as Exclude<BulkAction, 'delete'>]);
  const apply: Record<BulkAction, (id: number) => unknown> = {
    retry: (id) => jobs.retry(id),
    cancel: (id) => jobs.cancel(id),
    pause: (id) => jobs.pause(id),
    resume: (id) => jobs.resume(id),
    delete: (id) => jobs.delete(id),
  };
  const result: BulkResult = { action, affected: [], skipped: [] };
  for (const id of new Set(targets)) {
    try {
      apply[action](id);
      result.affected.push(id);
    } catch (err) {
      if (result.skipped.length < MAX_SKIPPED) result.skipped.push({ id, reason: (err as Error).message });
    }
  }
  return result;
}
