import type { OrreryClient } from '../../../shared/client';
import { RESYNC_TOPIC, type AppEventMap, type AppEventTopic } from '../../../shared/contract/index';

/**
 * The events that make some shown data stale, by topic: `true` for every event of the topic, or
 * a test of its payload (e.g. "this experiment's runs only").
 */
export type StaleOn = { [K in AppEventTopic]?: true | ((payload: AppEventMap[K]) => boolean) };

/** One event that passed its test, typed by topic. */
export type StaleEvent = { [K in AppEventTopic]: { topic: K; payload: AppEventMap[K] } }[AppEventTopic];

/** What arrived during one debounce window. */
export interface StaleBatch {
  events: StaleEvent[];
  /**
   * Events may have been missed: the event stream came back after a drop, or it began carrying
   * these topics only after the data was read. Anything may have changed.
   */
  resynced: boolean;
}

/** How long a burst of events is gathered before one refresh; a log burst becomes one re-read. */
export const STALE_DEBOUNCE_MS = 400;

/**
 * Follows the `staleOn` events and the resync signal, and hands them to `flush` in batches: the
 * first event opens a window of `debounceMs`, later ones join it, and the window ends in one
 * flush. (A window, not a timer reset per event: a steady stream still refreshes regularly.)
 * Returns the stop function, which also drops a pending window.
 */
export function watchStale(client: OrreryClient, staleOn: StaleOn, flush: (batch: StaleBatch) => void, debounceMs = STALE_DEBOUNCE_MS): () => void {
  let events: StaleEvent[] = [];
  let resynced = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const schedule = (): void => {
    if (timer !== null || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      const batch = { events, resynced };
      events = [];
      resynced = false;
      flush(batch);
    }, debounceMs);
  };

  const missedSome = (): void => {
    resynced = true;
    schedule();
  };
  const offs = (Object.keys(staleOn) as AppEventTopic[]).map((topic) =>
    client.on(
      topic,
      (payload: unknown) => {
        const test = staleOn[topic] as true | ((p: unknown) => boolean) | undefined;
        if (test === undefined || (test !== true && !test(payload))) return;
        events.push({ topic, payload } as StaleEvent);
        schedule();
      },
      missedSome,
    ),
  );
  offs.push(client.on(RESYNC_TOPIC, missedSome));

  return () => {
    if (stopped) return;
    stopped = true;
    for (const off of offs) off();
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}
