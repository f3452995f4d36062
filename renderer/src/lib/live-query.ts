import type { OrreryClient } from '../../../shared/client';
import type { AppEventMap, AppEventTopic } from '../../../shared/contract/index';
import { toLoadError, type LoadError } from '../stores/load-error';
import { watchStale, type StaleOn } from './stale-events';

export interface LiveQueryState<T> {
  /** The last answer; kept while a refresh runs and when one fails. */
  data: T | null;
  error: LoadError | null;
  loading: boolean;
  /**
   * Whether a read has answered (data or error). `loading` is also true during every re-read, so a
   * screen that shows something for an empty answer (a form when there is no monitor) keys it on
   * this, or each re-read would unmount it and lose what the user typed.
   */
  answered: boolean;
}

/** Changes an event applies to the data at once, before the debounced re-read confirms them. */
export type PatchOn<T> = { [K in AppEventTopic]?: (data: T, payload: AppEventMap[K]) => T };

export interface LiveQueryOptions<T> {
  load(client: OrreryClient): Promise<T>;
  /** Events after which the data is read again (debounced); the resync signal always is one. */
  staleOn?: StaleOn;
  patch?: PatchOn<T>;
  debounceMs?: number;
}

/**
 * Data read from the app and kept current by its events: loading / error / data states, a
 * debounced re-read on the events that make it stale and on resync, and answers that arrive after
 * a newer request started dropped (they would overwrite newer data).
 */
export interface LiveQuery<T> {
  getState(): LiveQueryState<T>;
  subscribe(listener: () => void): () => void;
  /** Loads now and follows the events until the returned function is called; may be called again. */
  connect(): () => void;
  /** Reads again now (a retry button, or after an action of this page). */
  reload(): Promise<void>;
  /** Applies a local change (an action's answer) to the current data; nothing when none is loaded. */
  setData(update: (data: T) => T): void;
}

export function createLiveQuery<T>(client: OrreryClient, options: LiveQueryOptions<T>): LiveQuery<T> {
  let state: LiveQueryState<T> = { data: null, error: null, loading: true, answered: false };
  let seq = 0;
  const listeners = new Set<() => void>();
  // Patches applied while a read was on its way: its answer may predate them, so they are applied
  // to it again (in order) rather than lost under it.
  let patchLog: Array<(data: T) => T> = [];
  let loadsInFlight = 0;

  const set = (next: Partial<LiveQueryState<T>>): void => {
    state = { ...state, ...next };
    for (const listener of [...listeners]) listener();
  };

  const reload = async (): Promise<void> => {
    const mine = ++seq;
    if (!state.loading) set({ loading: true });
    loadsInFlight++;
    const from = patchLog.length;
    try {
      let data: T = await options.load(client);
      if (mine === seq) {
        for (const apply of patchLog.slice(from)) data = apply(data);
        set({ data, error: null, loading: false, answered: true });
      }
    } catch (err) {
      if (mine === seq) set({ error: toLoadError(err), loading: false, answered: true });
    } finally {
      loadsInFlight--;
      if (loadsInFlight === 0) patchLog = [];
    }
  };

  const setData = (update: (data: T) => T): void => {
    if (state.data !== null) set({ data: update(state.data) });
  };

  const follow = (): (() => void) => {
    const offs: Array<() => void> = [];
    for (const topic of Object.keys(options.patch ?? {}) as AppEventTopic[]) {
      const patch = options.patch?.[topic] as ((data: T, payload: unknown) => T) | undefined;
      if (patch) {
        offs.push(
          client.on(topic, (payload: unknown) => {
            const apply = (data: T) => patch(data, payload);
            setData(apply);
            if (loadsInFlight > 0) patchLog.push(apply);
          }),
        );
      }
    }
    offs.push(watchStale(client, options.staleOn ?? {}, () => void reload(), options.debounceMs));
    return () => offs.forEach((off) => off());
  };

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connect() {
      const stop = follow();
      void reload();
      let connected = true;
      return () => {
        if (!connected) return;
        connected = false;
        stop();
        seq++; // an answer still on its way belongs to nobody now
      };
    },
    reload,
    setData,
  };
}
