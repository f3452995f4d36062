import { useCallback, useState } from 'react';
import { toLoadError, type LoadError } from '../stores/load-error';

export interface Action {
  busy: boolean;
  error: LoadError | null;
  /** Runs `call` with busy set and the previous error cleared; a failure lands in `error`. True when it succeeded. */
  run(call: () => Promise<unknown>): Promise<boolean>;
  clearError(): void;
}

/** A button's call to the app: busy while it runs, its error kept for the form to show. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<LoadError | null>(null);
  const run = useCallback(async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      return true;
    } catch (err) {
      setError(toLoadError(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
