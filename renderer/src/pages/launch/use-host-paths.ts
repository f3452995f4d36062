import { useCallback, useRef, useState } from 'react';
import { useClient } from '../../api/client-context';
import { toLoadError } from '../../stores/load-error';
import { hostPathMessage } from './spec-extras';

export type HostPathKind = 'dataset' | 'workspace';

export interface HostPaths {
  /** The server's verdict per field key ('workspace.source', 'ds.<i>.source'), shown under the field. */
  errors: Readonly<Record<string, string>>;
  /** Asks the host whether `source` may be mounted; true when it may (an empty source is not checked). */
  check(key: string, source: string, kind: HostPathKind): Promise<boolean>;
  /** Forgets a field's verdict (it was edited); a key ending in '.' forgets every key it starts. */
  clear(key: string): void;
}

/**
 * Host paths checked on the host (training.checkHostPath) on blur and again at submit, so a
 * missing folder is named at its field before anything is sent.
 */
export function useHostPaths(): HostPaths {
  const client = useClient();
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Only the newest check of a field may set its verdict.
  const seq = useRef(new Map<string, number>());

  const clear = useCallback((key: string) => {
    seq.current.set(key, (seq.current.get(key) ?? 0) + 1);
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => (key.endsWith('.') ? !k.startsWith(key) : k !== key))));
  }, []);

  const check = useCallback(
    async (key: string, source: string, kind: HostPathKind): Promise<boolean> => {
      const mine = (seq.current.get(key) ?? 0) + 1;
      seq.current.set(key, mine);
      const trimmed = source.trim();
      let message: string | null = null;
      if (trimmed) {
        try {
          await client.call('training.checkHostPath', { source: trimmed, kind });
        } catch (err) {
          message = hostPathMessage(toLoadError(err).message);
        }
      }
      if (seq.current.get(key) === mine) {
        setErrors((e) => {
          const { [key]: _old, ...rest } = e;
          return message === null ? rest : { ...rest, [key]: message };
        });
      }
      return message === null;
    },
    [client],
  );

  return { errors, check, clear };
}
