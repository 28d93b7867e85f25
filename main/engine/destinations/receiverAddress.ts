import type { EngineStateRepo } from '../db/engineStateRepo';
import type { ItemSession, ItemsTable } from '../db/itemsRepo';
import { createLogger } from '../util/logger';
import { BUILTIN_ID } from './destinationService';

const log = createLogger('receiver-address');
const KEY = 'receiver.address';

interface Remembered {
  port: number;
  url: string;
}

/**
 * Where the built-in receiver listened last. Saved tus sessions hold absolute upload URLs, so
 * the receiver keeps its port across starts (a free one chosen once), and when it must move
 * (the port is taken, or the user set another) the saved sessions move with it.
 */
export class ReceiverAddress {
  constructor(
    private readonly items: Pick<ItemsTable, 'sessionsContaining' | 'setSessions'>,
    private readonly state: EngineStateRepo,
  ) {}

  /** The port to listen on when the settings name none: the last one used, or 0 on a first start. */
  lastPort(): number {
    return this.state.get<Remembered | null>(KEY, null)?.port ?? 0;
  }

  /** Records where the receiver listens now; saved sessions that pointed at its old address are rebased onto it. */
  listening(url: string, port: number): number {
    const before = this.state.get<Remembered | null>(KEY, null);
    let moved = 0;
    if (before && before.url !== url) moved = this.rebase(before.url, url);
    this.state.put(KEY, { port, url } satisfies Remembered);
    if (moved) log.info(`the receiver moved from ${before!.url} to ${url}: ${moved} saved upload(s) follow it`);
    return moved;
  }

  /** Rewrites every upload URL under `from` (the receiver's old tus endpoint) to the same path under `to`. */
  private rebase(from: string, to: string): number {
    const rows = this.items.sessionsContaining(BUILTIN_ID, from);
    const move = (url: unknown) => (typeof url === 'string' && url.startsWith(from) ? to + url.slice(from.length) : url);
    const moved: ItemSession[] = [];
    for (const row of rows) {
      const saved = JSON.parse(row.session) as { session?: { url?: unknown; concat?: { parts?: { url?: unknown }[] } } };
      const s = saved.session;
      if (!s) continue;
      if ('url' in s) s.url = move(s.url);
      for (const part of s.concat?.parts ?? []) part.url = move(part.url);
      moved.push({ ...row, session: JSON.stringify(saved) });
    }
    this.items.setSessions(moved);
    return rows.length;
  }
}
