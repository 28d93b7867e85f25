import type { Settings } from '../../../shared/settings';
import { globalThrottle, limitAt, type Throttle } from '../upload/throttle';

const RECHECK_MS = 30_000;

/**
 * Keeps the global throttle at the limit the settings give for this moment: the weekly schedule
 * where an entry applies, else the plain limit. Re-checked every 30 s and on every change.
 */
export class BandwidthGovernor {
  private timer: NodeJS.Timeout | undefined;
  private settings: Pick<Settings, 'bandwidthLimit' | 'bandwidthSchedule'> = { bandwidthLimit: 0, bandwidthSchedule: [] };

  constructor(private readonly throttle: Throttle = globalThrottle) {}

  apply(settings: Pick<Settings, 'bandwidthLimit' | 'bandwidthSchedule'>): void {
    this.settings = settings;
    this.tick();
    if (!this.timer && settings.bandwidthSchedule.length > 0) {
      this.timer = setInterval(() => this.tick(), RECHECK_MS);
      this.timer.unref();
    }
  }

  private tick(): void {
    const rate = limitAt(new Date(), this.settings.bandwidthSchedule, this.settings.bandwidthLimit);
    if (rate !== this.throttle.rate) this.throttle.setRate(rate);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
