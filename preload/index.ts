/**
 * The sandboxed preload: exposes one function per contract command and `subscribe`, never the
 * raw ipcRenderer. Results arrive as envelopes; the renderer's client rebuilds typed errors.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { commandNames, type StreamMessage, type StreamName } from '../shared/contract';
import { IPC_CHANNELS } from '../shared/wire';

type Listener = (message: StreamMessage<StreamName>) => void;

const listeners = new Map<number, Listener>();
let nextSubscription = 1;

ipcRenderer.on(IPC_CHANNELS.streamMessage, (_event, frame: { subId: number; msg: StreamMessage<StreamName> }) => {
  listeners.get(frame.subId)?.(frame.msg);
});

const bridge: Record<string, unknown> = {};
for (const name of commandNames) {
  bridge[name] = (input: unknown) => ipcRenderer.invoke(IPC_CHANNELS.command(name), input);
}
bridge.subscribe = (name: StreamName, params: unknown, onMessage: Listener) => {
  const subId = nextSubscription++;
  listeners.set(subId, onMessage);
  ipcRenderer.send(IPC_CHANNELS.subscribe, { subId, name, params });
  return () => {
    if (!listeners.delete(subId)) return;
    ipcRenderer.send(IPC_CHANNELS.unsubscribe, { subId });
  };
};

contextBridge.exposeInMainWorld('ferry', bridge);
/** Desktop-only helpers that have no engine command: a dropped File's path on disk. */
contextBridge.exposeInMainWorld('ferryDesktop', {
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
