import { TestWsClient } from '../../helpers/wsClient';
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

/**
 * Waits until the engine reports a job in one of the states: the job is read again on every
 * `jobs.changed` batch the instance pushes, over a WebSocket of its own.
 */
export async function waitForState(ferry: ServedFerry, id: number, states: string[], timeoutMs = 20_000): Promise<JobView> {
  const client = await TestWsClient.connect(`ws://${new URL(ferry.url).host}/ws`, { authorization: `Bearer ${ferry.token}` });
  let last = 'unknown';
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<JobView>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`job ${id} is ${last}, not ${states.join('/')}`)), timeoutMs);
      const check = async () => {
        const res = await client.call('getJob', { id });
        if (!res.ok) throw new Error(`getJob(${id}): ${res.error.message}`);
        const job = res.value as JobView;
        last = job.state;
        if (states.includes(job.state)) resolve(job);
      };
      client.subscribe('jobs.changed', {}, () => void check().catch(reject));
      // Frames of one socket are handled in order: this read follows the subscription's start.
      void check().catch(reject);
    });
  } finally {
    clearTimeout(timer);
    client.close();
  }
}
