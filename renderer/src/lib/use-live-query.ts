import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { OrreryClient } from '../../../shared/client';
import { useClient } from '../api/client-context';
import { createLiveQuery, type LiveQueryOptions, type LiveQueryState } from './live-query';

export interface LiveResult<T> extends LiveQueryState<T> {
  reload(): Promise<void>;
  setData(update: (data: T) => T): void;
}

/**
 * A live query for as long as the component is mounted: `load` runs at once, again when a value
 * in `deps` changes (starting from empty, as a new subject), and again (debounced) on the events
 * in `options.staleOn` and on resync. The newest `load` runs, so it may capture props; the
 * events and their tests are those of the render that started the query (put what they test in `deps`).
 */
export function useLiveQuery<T>(
  load: (client: OrreryClient) => Promise<T>,
  deps: readonly unknown[],
  options: Omit<LiveQueryOptions<T>, 'load'> = {},
): LiveResult<T> {
  const client = useClient();
  const latest = useRef({ load, options });
  latest.current = { load, options };

  // The caller's deps name the subject: a new subject gets a new query.
  const query = useMemo(
    () => createLiveQuery<T>(client, { ...latest.current.options, load: (c) => latest.current.load(c) }),
    [client, ...deps],
  );

  useEffect(() => query.connect(), [query]);
  const state = useSyncExternalStore(query.subscribe, query.getState);
  return { ...state, reload: query.reload, setData: query.setData };
}
