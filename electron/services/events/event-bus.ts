import type { AppEventMap as EventMap, AppEventTopic as EventTopic } from '../../../shared/contract/index';

/** `seq` is the event's place in this bus's order of publication, across all topics (1, 2, ...). */
type Listener<T extends EventTopic> = (payload: EventMap[T], seq: number) => void;
type CountListener = (count: number) => void;

/**
 * Typed publish/subscribe for the events the app pushes (the transports' resync signal is not
 * one of them). Producers can watch how many listeners a topic has, so costly work (hardware
 * sampling) runs only while someone listens.
 *
 * Every event gets the next sequence number: a client that moves to a new stream while the old
 * one still delivers uses it to drop what it already had.
 */
export class EventBus {
  private readonly listeners = new Map<EventTopic, Set<Listener<EventTopic>>>();
  private readonly countWatchers = new Map<EventTopic, Set<CountListener>>();
  private seq = 0;

  subscribe<T extends EventTopic>(topic: T, listener: Listener<T>): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    this.listeners.set(topic, set);
    const entry = listener as Listener<EventTopic>;
    set.add(entry);
    this.notifyCount(topic);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(entry);
      this.notifyCount(topic);
    };
  }

  publish<T extends EventTopic>(topic: T, payload: EventMap[T]): void {
    const seq = ++this.seq;
    for (const listener of [...(this.listeners.get(topic) ?? [])]) {
      try {
        listener(payload, seq);
      } catch (error) {
        // One broken listener (a closed socket) must not starve the others.
        console.error(`[events] listener for ${topic} failed:`, error);
      }
    }
  }

  /** The sequence number of the last event published (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  listenerCount(topic: EventTopic): number {
    return this.listeners.get(topic)?.size ?? 0;
  }

  onListenerCount(topic: EventTopic, watcher: CountListener): () => void {
    const set = this.countWatchers.get(topic) ?? new Set();
    this.countWatchers.set(topic, set);
    set.add(watcher);
    return () => set.delete(watcher);
  }

  private notifyCount(topic: EventTopic): void {
    const count = this.listenerCount(topic);
    for (const watcher of this.countWatchers.get(topic) ?? []) watcher(count);
  }
}
