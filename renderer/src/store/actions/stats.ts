/**
 * The stats screen's figures: the engine's `jobStats` (last 24 hours), or, from an engine without
 * it, figures computed from the newest finished jobs.
 */
import type { JobView } from '../../../../shared/model';
import { fromJobStats, summarizeJobs } from '../../lib/statsSummary';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { JOB_PAGE } from './jobs';

const store = useFerryStore.getState;
/** Newest finished jobs read for the computed figures. */
const SAMPLE_JOBS = 2000;
const DAY = 24 * 3_600_000;

async function sampleSummary(): Promise<ReturnType<typeof summarizeJobs>> {
  const raw = await ferry.getStats({});
  store().applyStats(raw, Date.now());
  const finished: JobView[] = [];
  for (let offset = 0; offset < SAMPLE_JOBS; offset += JOB_PAGE) {
    const page = await ferry.listJobs({ state: ['completed', 'failed', 'canceled'], limit: JOB_PAGE, offset });
    finished.push(...page.jobs);
    if (page.jobs.length < JOB_PAGE) break;
  }
  return summarizeJobs(finished, raw.counts, Date.now(), raw.partial ?? 0);
}

export async function loadStatsSummary(): Promise<void> {
  store().setStatsSummary(null, 'loading');
  try {
    const now = Date.now();
    let summary;
    try {
      summary = fromJobStats(await ferry.jobStats({ from: now - DAY, to: now }));
    } catch {
      summary = await sampleSummary();
    }
    store().setStatsSummary(summary, 'ready');
  } catch {
    store().setStatsSummary(null, 'error');
  }
}
