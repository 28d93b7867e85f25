import type { StreamMessage, StreamName } from '../../../shared/contract';
import type { Engine } from '../../engine';
import { openStream } from '../../engine';
import { isAppUrl } from './appProtocol';

/** What the host knows of an IPC message's sender. */
export interface SenderFacts {
  /** The URL of the frame that sent it, null when the frame is gone. */
  frameUrl: string | null;
  /** The frame is its page's main frame, not an iframe. */
  mainFrame: boolean;
  /** The page is the app's own window. */
  appWindow: boolean;
}

/** Only the app's own main frame, loaded from the app protocol, may talk to the engine. */
export function senderAllowed(sender: SenderFacts): boolean {
  return sender.frameUrl !== null && sender.mainFrame && sender.appWindow && isAppUrl(sender.frameUrl);
}

export const UNAUTHORIZED = { ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC from an unexpected sender' } } as const;

export type StreamFrame = { subId: number; msg: StreamMessage<StreamName> };

/**
 * The engine streams each page (owner) subscribed to over IPC, by the page's subscription id:
 * a repeated id replaces the old stream, and everything a page held closes when it goes away.
 */
export class IpcStreams<Owner> {
  private readonly byOwner = new Map<Owner, Map<number, () => void>>();

  constructor(private readonly engine: Engine) {}

  /** Answers true when the owner is new: the host then calls `dropOwner` when it goes away. */
  subscribe(owner: Owner, frame: { subId?: unknown; name?: unknown; params?: unknown } | undefined, send: (frame: StreamFrame) => void): boolean {
    const subId = frame?.subId;
    if (typeof subId !== 'number') return false;
    const subs = this.byOwner.get(owner) ?? new Map<number, () => void>();
    const isNew = !this.byOwner.has(owner);
    this.byOwner.set(owner, subs);
    subs.get(subId)?.();
    subs.set(subId, openStream(this.engine, frame?.name, frame?.params, (msg) => send({ subId, msg })));
    return isNew;
  }

  unsubscribe(owner: Owner, frame: { subId?: unknown } | undefined): void {
    const subId = frame?.subId;
    if (typeof subId !== 'number') return;
    const subs = this.byOwner.get(owner);
    subs?.get(subId)?.();
    subs?.delete(subId);
  }

  dropOwner(owner: Owner): void {
    for (const close of this.byOwner.get(owner)?.values() ?? []) close();
    this.byOwner.delete(owner);
  }

  closeAll(): void {
    for (const owner of [...this.byOwner.keys()]) this.dropOwner(owner);
  }
}
