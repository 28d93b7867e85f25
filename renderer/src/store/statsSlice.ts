/**
 * Aggregate figures: the latest `stats` payload and this session's throughput samples (one a
 * second at most), which the stats screen draws when the engine keeps no history itself.
 */
import type { StateCreator } from 'zustand';
import type { EngineStats } from '../../../shared/model';
import type { StatsSummary } from '../lib/statsSummary';
import type { FerryState } from './store';

export interface ThroughputSample {
  at: number;
  bytesPerSecond: number;
  running: number;
}

export interface StatsState {
  current: EngineStats | null;
  samples: ThroughputSample[];
  /** The stats screen's figures, loaded when it opens. */
  summary: StatsSummary | null;
  summaryStatus: 'idle' | 'loading' | 'ready' | 'error';
}

export interface StatsSlice {
  stats: StatsState;
  applyStats(stats: EngineStats, at: number): void;
  setStatsSummary(summary: StatsSummary | null, status: StatsState['summaryStatus']): void;
}

/** One hour at one sample a second. */
export const MAX_SAMPLES = 3600;
const MIN_SAMPLE_GAP_MS = 900;

export const createStatsSlice: StateCreator<FerryState, [], [], StatsSlice> = (set) => ({
  stats: { current: null, samples: [], summary: null, summaryStatus: 'idle' },
  applyStats: (current, at) =>
    set((s) => {
      const last = s.stats.samples[s.stats.samples.length - 1];
      const sample = { at, bytesPerSecond: current.bytesPerSecond, running: current.running };
      const samples =
        last && at - last.at < MIN_SAMPLE_GAP_MS
          ? [...s.stats.samples.slice(0, -1), sample]
          : [...s.stats.samples.slice(-(MAX_SAMPLES - 1)), sample];
      return { stats: { ...s.stats, current, samples } };
    }),
  setStatsSummary: (summary, summaryStatus) => set((s) => ({ stats: { ...s.stats, summary: summary ?? s.stats.summary, summaryStatus } })),
});
