import type { Health } from '../../../shared/contract';
import type { DestinationService } from './destinationService';

type Reachability = NonNullable<Health['destinations']>[number];
interface Found {
  reachable: boolean;
  message: string;
  checkedAt: number;
}

/** A round of checks is started when the last one is older than this. */
const MAX_AGE_MS = 60_000;

/**
 * Whether each destination answers, for health: checked in the background (the destinations'
 * own test, with its timeouts) and cached, so asking never waits on a slow or dead server.
 */
export class DestinationReachability {
  private readonly found = new Map<string, Found>();
  private round: Promise<void> | undefined;
  private roundAt = 0;

  constructor(
    private readonly destinations: DestinationService,
    private readonly maxAgeMs = MAX_AGE_MS,
  ) {}

  /** What the last checks found; starts the next round in the background when they are stale. */
  snapshot(): Reachability[] {
    const list = this.destinations.list();
    const unknown = list.some((d) => !this.found.has(d.id));
    if (!this.round && (unknown || Date.now() - this.roundAt > this.maxAgeMs)) {
      this.roundAt = Date.now();
      this.round = this.checkAll(list.map((d) => d.id)).finally(() => (this.round = undefined));
    }
    return list.map((d) => {
      const f = this.found.get(d.id);
      return { id: d.id, name: d.name, kind: d.kind, reachable: f?.reachable ?? null, message: f?.message ?? null, checkedAt: f?.checkedAt ?? null };
    });
  }

  private async checkAll(ids: string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const result = await this.destinations.test(id).catch((err: unknown) => ({ ok: false, message: err instanceof Error ? err.message : String(err) }));
        this.found.set(id, { reachable: result.ok, message: result.message, checkedAt: Date.now() });
      }),
    );
  }
}
