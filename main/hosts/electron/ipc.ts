import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { commandNames } from '../../../shared/contract';
import { IPC_CHANNELS } from '../../../shared/wire';
import { dispatchCommand } from '../../engine';
import type { Engine } from '../../engine';
import { createLogger } from '../../engine';
import { IpcStreams, senderAllowed, UNAUTHORIZED } from '../desktop/ipcStreams';

const log = createLogger('ipc');

function senderOk(event: IpcMainEvent | IpcMainInvokeEvent, allowed: () => WebContents | undefined): boolean {
  const frame = event.senderFrame;
  const ok = senderAllowed({ frameUrl: frame?.url ?? null, mainFrame: !!frame && frame === event.sender.mainFrame, appWindow: event.sender === allowed() });
  if (!ok) log.warn(`refused IPC from ${frame?.url ?? 'an unknown frame'}`);
  return ok;
}

/** Registers a handler for every command of the contract and the stream channels. */
export function registerIpc(engine: Engine, allowed: () => WebContents | undefined): () => void {
  const streams = new IpcStreams<WebContents>(engine);
  for (const name of commandNames) {
    ipcMain.handle(IPC_CHANNELS.command(name), (event, input: unknown) => (senderOk(event, allowed) ? dispatchCommand(engine, name, input, 'desktop') : UNAUTHORIZED));
  }
  const onSubscribe = (event: IpcMainEvent, frame?: { subId?: unknown }) => {
    if (!senderOk(event, allowed)) return;
    const contents = event.sender;
    const owned = streams.subscribe(contents, frame, (message) => !contents.isDestroyed() && contents.send(IPC_CHANNELS.streamMessage, message));
    if (owned) contents.once('destroyed', () => streams.dropOwner(contents));
  };
  const onUnsubscribe = (event: IpcMainEvent, frame?: { subId?: unknown }) => senderOk(event, allowed) && streams.unsubscribe(event.sender, frame);
  ipcMain.on(IPC_CHANNELS.subscribe, onSubscribe);
  ipcMain.on(IPC_CHANNELS.unsubscribe, onUnsubscribe);
  return () => {
    for (const name of commandNames) ipcMain.removeHandler(IPC_CHANNELS.command(name));
    ipcMain.off(IPC_CHANNELS.subscribe, onSubscribe);
    ipcMain.off(IPC_CHANNELS.unsubscribe, onUnsubscribe);
    streams.closeAll();
  };
}
