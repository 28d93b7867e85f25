import { setTimeout as sleep } from 'node:timers/promises';
import { ITEM_RESULTS_CAP, type JobLogItemResults } from '../../../shared/jobLog';
import type { JobRunner } from '../jobs/runner';

export interface DemoParams {
  items: number;
  failRate: number;
  itemDelayMs: number;
  linesPerItem: number;
}

interface DemoState {
  next: number;
  processed: number;
  failed: number;
  /** The first processed and failed items, for the footer (capped, so the saved state stays small). */
  processedItems?: string[];
  failedItems?: { item: string; reason: string }[];
}

/**
 * Processes simulated items, one log line (or several) per item, failing some at random; pause,
 * stop-after-current and cancel are honoured between items, and progress survives restarts.
 */
export const demoRunner: JobRunner<DemoParams, DemoState> = {
  kind: 'demo',
  async run(ctx) {
    const { items, failRate, itemDelayMs, linesPerItem } = ctx.params;
    const state: DemoState = ctx.restore() ?? { next: 0, processed: 0, failed: 0 };
    const width = String(items).length;
    ctx.stage('processing');
    if (state.next > 0) ctx.log(`Resuming at item ${state.next + 1} of ${items}`);
    ctx.progress({ done: state.next, total: items, unit: 'items', processed: state.processed, failed: state.failed });
    for (let i = state.next; i < items; i++) {
      await ctx.checkpoint();
      const label = `item_${String(i + 1).padStart(width, '0')}`;
      ctx.log(`[ ${String(i + 1).padStart(width)} / ${items} ] Processing '${label}'...`);
      if (itemDelayMs > 0) await sleep(itemDelayMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      // Canceled mid-item: the item is not done, so it is neither counted nor persisted.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      for (let extra = 1; extra < linesPerItem; extra++) ctx.log(`  ${label}: step ${extra} of ${linesPerItem - 1}`);
      if (Math.random() < failRate) {
        ctx.log(`  FAIL: simulated error on '${label}'`);
        state.failed++;
        if ((state.failedItems ??= []).length < ITEM_RESULTS_CAP) state.failedItems.push({ item: label, reason: 'simulated error' });
      } else {
        ctx.log('  OK.');
        state.processed++;
        if ((state.processedItems ??= []).length < ITEM_RESULTS_CAP) state.processedItems.push(label);
      }
      state.next = i + 1;
      ctx.progress({ done: state.next, total: items, unit: 'items', processed: state.processed, failed: state.failed });
      ctx.persist(state);
    }
    ctx.log(`Done: ${state.processed} processed, ${state.failed} failed of ${items}`);
    const processedItems = state.processedItems ?? [];
    const failedItems = state.failedItems ?? [];
    const itemResults: JobLogItemResults = {
      processed: processedItems,
      processedMore: state.processed - processedItems.length,
      failed: failedItems,
      failedMore: state.failed - failedItems.length,
    };
    return { result: state.failed > 0 ? 'partial' : 'success', summary: { items: itemResults } };
  },
};
