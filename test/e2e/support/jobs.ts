import type { ServedFerry } from '../fixtures';

interface JobView {
  id: number;
  name: string;
  state: string;
}

/** Demo jobs made through the API, for tables that need many rows in known states. */
export async function createDemoJobs(
  ferry: ServedFerry,
  count: number,
  input: { name?: (i: number) => string; items?: number; itemDelayMs?: number; linesPerItem?: number; failRate?: number } = {},
  parallel = 16,
): Promise<JobView[]> {
  const out: JobView[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      out[i] = await ferry.call<JobView>('createDemoJob', {
        items: input.items ?? 1,
        itemDelayMs: input.itemDelayMs ?? 0,
        failRate: input.failRate ?? 0,
        ...(input.linesPerItem ? { linesPerItem: input.linesPerItem } : {}),
        ...(input.name ? { name: input.name(i) } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

/** Waits until the engine reports a job in one of the states. */
export async function waitForState(ferry: ServedFerry, id: number, states: string[], timeoutMs = 20_000): Promise<JobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await ferry.call<JobView>('getJob', { id });
    if (states.includes(job.state)) return job;
    if (Date.now() > end) throw new Error(`job ${id} is ${job.state}, not ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
