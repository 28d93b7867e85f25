/** A job's pipeline for the detail panel, and going to one of its steps. */
import type { PipelineView } from '../../../../shared/model';
import { ferry } from '../../transport';
import { ensureJob } from './jobs';
import { showJob } from './selection';
import { describeError } from './toasts';

export type PipelineLoad = { status: 'ready'; pipeline: PipelineView } | { status: 'error'; error: string };

export async function loadPipeline(id: number): Promise<PipelineLoad> {
  try {
    return { status: 'ready', pipeline: await ferry.getPipeline({ id }) };
  } catch (err) {
    return { status: 'error', error: describeError(err) };
  }
}

/** Selects a step's job (loading it when the table has not), as a click on its row would. */
export async function showStep(id: number): Promise<void> {
  const job = await ensureJob(id);
  if (job) showJob(job.id);
}
