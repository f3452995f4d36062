import type { Transport } from '../../shared/client';
import type { RESYNC_TOPIC } from '../../shared/contract/index';
import type { Envelope } from '../../shared/errors';
import { invokeChannel, ipcChannels } from '../../shared/ipc-channels';

/** The slice of Electron's ipcRenderer the bridge uses; tests pass a fake. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

// Only the name: the contract's value import would pull every schema into the preload.
const resyncTopic: typeof RESYNC_TOPIC = 'resync';

/** How many event bytes the page takes before it tells main (main allows a few MiB outstanding). */
export const ACK_EVERY_BYTES = 64 * 1024;

/**
 * The Transport the renderer gets as `window.orrery`. Only these two functions cross the
 * context bridge; ipcRenderer itself never does. Main is told about a topic once, however many
 * listeners the page adds, and told again when the last one leaves.
 *
 * Events arrive as JSON text, and the page acknowledges the bytes it has taken, so main can stop
 * sending to a page that is frozen. When it does, it sends `resync` last: the bridge subscribes
 * again to every topic it still has listeners for, then tells the `resync` listeners, whose
 * re-reads go to main after the new subscriptions and so miss nothing. For the same reason a
 * subscription is live before any call made after it, so `onLive` is never needed here.
 */
export function createIpcBridge(ipc: IpcRendererLike): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let taken = 0;
  let acknowledged = 0;

  const notify = (topic: string, json: string) => {
    const set = listeners.get(topic);
    if (!set || set.size === 0) return;
    const payload: unknown = JSON.parse(json);
    for (const listener of [...set]) listener(payload);
  };

  // A new page: main forgets what a previous page in this window subscribed to.
  ipc.send(ipcChannels.eventReset);
  ipc.on(ipcChannels.event, (_event, topic, json) => {
    const name = String(topic);
    const text = String(json);
    if (name === resyncTopic) {
      for (const [subscribed, set] of listeners) {
        if (subscribed !== resyncTopic && set.size > 0) ipc.send(ipcChannels.subscribe, subscribed);
      }
      notify(name, text);
      return;
    }
    taken += text.length;
    if (taken - acknowledged >= ACK_EVERY_BYTES) {
      acknowledged = taken;
      ipc.send(ipcChannels.eventAck, taken);
    }
    notify(name, text);
  });

  return {
    invoke: (method, input) => ipc.invoke(invokeChannel(method), input) as Promise<Envelope<unknown>>,
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      // resync comes from main unasked.
      if (set.size === 0 && topic !== resyncTopic) ipc.send(ipcChannels.subscribe, topic);
      set.add(listener);
      return () => {
        if (!set.delete(listener)) return;
        if (set.size === 0 && topic !== resyncTopic) ipc.send(ipcChannels.unsubscribe, topic);
      };
    },
  };
}
