import { notFound } from '../../../shared/errors';
import type { PipelineView } from '../../../shared/model';
import type { JobRow, JobsTable } from '../db/jobsRepo';
import type { PipelineState } from './pipelineService';

/** More steps than any pipeline has: a guard against a cycle in damaged links. */
const MAX_STEPS = 50;

/**
 * A job's pipeline as its jobs are linked: back through the parent ids to the first step, forward
 * through the jobs each step created, and the steps the last one still carries (they start when it
 * succeeds). A job outside any pipeline has an empty one.
 */
export function pipelineChain(rows: Pick<JobsTable, 'get' | 'nextStepOf'>, id: number): PipelineView {
  const start = rows.get(id);
  if (!start) throw notFound(`getPipeline(job ${id}): there is no such job`);
  if (start.pipeline === null && start.parent_id === null) return { steps: [], planned: [] };
  const chain: JobRow[] = [start];
  for (let row = start, i = 0; row.parent_id !== null && i < MAX_STEPS; i++) {
    const parent = rows.get(row.parent_id);
    if (!parent) break;
    chain.unshift(parent);
    row = parent;
  }
  for (let row = start, i = 0; i < MAX_STEPS; i++) {
    const next = rows.nextStepOf(row.id);
    const child = next === undefined ? undefined : rows.get(next);
    if (!child) break;
    chain.push(child);
    row = child;
  }
  const last = chain[chain.length - 1] as JobRow;
  let planned: PipelineView['planned'] = [];
  try {
    planned = last.pipeline ? (JSON.parse(last.pipeline) as PipelineState).steps.map((s) => s.kind) : [];
  } catch {
    // A damaged pipeline column starts no more steps; the chain so far is still true.
  }
  return { steps: chain.map((r) => ({ id: r.id, kind: r.kind, name: r.name, state: r.state, result: r.result })), planned };
}
