import { isEventTopic, RESYNC_TOPIC, type AppEventTopic, type ResyncEvent } from '../../shared/contract/index';
import { ipcChannels } from '../../shared/ipc-channels';
import { AckWindow } from '../services/events/ack-window';
import { defaultSinkLimits } from '../services/events/bounded-sink';
import type { EventBus } from '../services/events/event-bus';
import type { IpcEventLike, IpcMainLike, IpcSender } from './ipc';

export interface IpcEventLimits {
  /** The most event bytes a window may have been sent and not yet taken (as its page acknowledges). */
  maxUnackedBytes: number;
}

export const defaultIpcEventLimits: IpcEventLimits = { maxUnackedBytes: defaultSinkLimits.maxQueuedBytes };

const fellBehind = JSON.stringify({ reason: 'fell-behind' } satisfies ResyncEvent);

/**
 * One window's event subscriptions. Events go as JSON text (its length is what the page
 * acknowledges). A window that stops taking them (a frozen page) would let them pile up in
 * memory without limit, so past the cap it is dropped like a slow event-stream reader: every
 * subscription ends at once and a resync tells the page to subscribe again and re-read.
 */
class WindowEvents {
  private readonly topics = new Map<AppEventTopic, () => void>();
  private readonly window: AckWindow;

  constructor(
    private readonly sender: IpcSender,
    private readonly bus: EventBus,
    limits: IpcEventLimits,
  ) {
    this.window = new AckWindow(limits.maxUnackedBytes);
  }

  subscribe(topic: AppEventTopic): void {
    if (this.topics.has(topic)) return;
    this.topics.set(
      topic,
      this.bus.subscribe(topic, (payload) => this.forward(topic, JSON.stringify(payload))),
    );
  }

  unsubscribe(topic: AppEventTopic): void {
    this.topics.get(topic)?.();
    this.topics.delete(topic);
  }

  ack(total: unknown): void {
    this.window.ack(total);
  }

  dispose(): void {
    for (const unsubscribe of this.topics.values()) unsubscribe();
    this.topics.clear();
  }

  private forward(topic: AppEventTopic, json: string): void {
    if (this.window.trySend(json.length)) {
      this.sender.send(ipcChannels.event, topic, json);
      return;
    }
    console.warn(`[events] window ${this.sender.id} stopped taking events (${this.window.outstanding} bytes unacknowledged); dropped its subscriptions with a resync`);
    this.dispose();
    this.sender.send(ipcChannels.event, RESYNC_TOPIC, fellBehind);
  }
}

/** The event half of the IPC transport: subscribe, unsubscribe, acknowledge, reset, per window. */
export function registerIpcEvents(
  ipcMain: IpcMainLike,
  bus: EventBus,
  trusted: (event: IpcEventLike) => boolean,
  limits: IpcEventLimits = defaultIpcEventLimits,
): void {
  const windows = new Map<number, WindowEvents>();
  const windowOf = (sender: IpcSender): WindowEvents => {
    let window = windows.get(sender.id);
    if (!window) {
      const created = new WindowEvents(sender, bus, limits);
      windows.set(sender.id, (window = created));
      sender.once('destroyed', () => {
        windows.get(sender.id)?.dispose();
        windows.delete(sender.id);
      });
    }
    return window;
  };

  ipcMain.on(ipcChannels.subscribe, (event, topic) => {
    if (!trusted(event) || typeof topic !== 'string' || !isEventTopic(topic)) return;
    windowOf(event.sender).subscribe(topic);
  });
  ipcMain.on(ipcChannels.unsubscribe, (event, topic) => {
    if (typeof topic !== 'string' || !isEventTopic(topic)) return;
    windows.get(event.sender.id)?.unsubscribe(topic);
  });
  ipcMain.on(ipcChannels.eventAck, (event, total) => {
    if (!trusted(event)) return;
    windows.get(event.sender.id)?.ack(total);
  });
  // A reload keeps the window but not its page: what the old page subscribed to (and was sent
  // but never took) must not outlive it, or the sampler would run for nobody.
  ipcMain.on(ipcChannels.eventReset, (event) => {
    if (!trusted(event)) return;
    const window = windows.get(event.sender.id);
    if (!window) return;
    window.dispose();
    windows.set(event.sender.id, new WindowEvents(event.sender, bus, limits));
  });
}
