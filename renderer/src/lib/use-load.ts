import { useCallback, useEffect, useRef, useState } from 'react';
import { toLoadError, type LoadError } from '../stores/load-error';

export interface Loaded<T> {
  data: T | null;
  error: LoadError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `key` changes (and on reload()); an answer that arrives after a newer request
 * started is dropped. The previous data stays visible while reloading.
 */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: LoadError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (err: unknown) => mine === seq.current && setState((s) => ({ data: s.data, error: toLoadError(err), loading: false })),
    );
  }, []);
  useEffect(() => {
    setState({ data: null, error: null, loading: true });
    run();
  }, [key, run]);
  return { ...state, reload: run };
}
