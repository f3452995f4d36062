import type { Transport } from '../../shared/client';
import type { Envelope } from '../../shared/errors';
import { invokeChannel, ipcChannels } from '../../shared/ipc-channels';

/** The slice of Electron's ipcRenderer the bridge uses; tests pass a fake. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * The Transport the renderer gets as `window.orrery`. Only these two functions cross the
 * context bridge; ipcRenderer itself never does. Main is told about a topic once, however many
 * listeners the page adds, and told again when the last one leaves.
 */
export function createIpcBridge(ipc: IpcRendererLike): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipc.on(ipcChannels.event, (_event, topic, payload) => {
    for (const listener of listeners.get(String(topic)) ?? []) listener(payload);
  });
  return {
    invoke: (method, input) => ipc.invoke(invokeChannel(method), input) as Promise<Envelope<unknown>>,
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      if (set.size === 0) ipc.send(ipcChannels.subscribe, topic);
      set.add(listener);
      return () => {
        if (!set.delete(listener)) return;
        if (set.size === 0) ipc.send(ipcChannels.unsubscribe, topic);
      };
    },
  };
}
