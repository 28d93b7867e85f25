import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { commandNames, IPC_CHANNELS } from '../../../shared/contract';
import { createLogger, dispatchCommand, openStream, type Engine } from '../../engine/index';
import { APP_ORIGIN } from './protocol';

const log = createLogger('ipc');

/** Only the app's own main frame, loaded from the app protocol, may talk to the engine. */
function senderOk(event: IpcMainEvent | IpcMainInvokeEvent, allowed: () => WebContents | undefined): boolean {
  const frame = event.senderFrame;
  const ok = !!frame && frame === event.sender.mainFrame && frame.url.startsWith(APP_ORIGIN + '/') && event.sender === allowed();
  if (!ok) log.warn(`refused IPC from ${frame?.url ?? 'an unknown frame'}`);
  return ok;
}

/** Registers a handler for every command of the contract and the stream channels. */
export function registerIpc(engine: Engine, allowed: () => WebContents | undefined): () => void {
  for (const name of commandNames) {
    ipcMain.handle(IPC_CHANNELS.command(name), (event, input: unknown) => {
      if (!senderOk(event, allowed)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC from an unexpected sender' } };
      return dispatchCommand(engine, name, input);
    });
  }
  const subscriptions = new Map<WebContents, Map<number, () => void>>();
  const onSubscribe = (event: IpcMainEvent, frame: { subId?: unknown; name?: unknown; params?: unknown }) => {
    if (!senderOk(event, allowed) || typeof frame?.subId !== 'number') return;
    const contents = event.sender;
    let subs = subscriptions.get(contents);
    if (!subs) {
      const created = new Map<number, () => void>();
      subscriptions.set(contents, created);
      contents.once('destroyed', () => {
        for (const close of created.values()) close();
        subscriptions.delete(contents);
      });
      subs = created;
    }
    const subId = frame.subId;
    subs.get(subId)?.();
    subs.set(
      subId,
      openStream(engine, frame.name, frame.params, (msg) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.streamMessage, { subId, msg });
      }),
    );
  };
  const onUnsubscribe = (event: IpcMainEvent, frame: { subId?: unknown }) => {
    if (!senderOk(event, allowed) || typeof frame?.subId !== 'number') return;
    const subs = subscriptions.get(event.sender);
    subs?.get(frame.subId)?.();
    subs?.delete(frame.subId);
  };
  ipcMain.on(IPC_CHANNELS.subscribe, onSubscribe);
  ipcMain.on(IPC_CHANNELS.unsubscribe, onUnsubscribe);
  return () => {
    for (const name of commandNames) ipcMain.removeHandler(IPC_CHANNELS.command(name));
    ipcMain.off(IPC_CHANNELS.subscribe, onSubscribe);
    ipcMain.off(IPC_CHANNELS.unsubscribe, onUnsubscribe);
    for (const subs of subscriptions.values()) for (const close of subs.values()) close();
  };
}
