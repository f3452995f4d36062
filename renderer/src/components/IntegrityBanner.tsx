import { useEffect, useState } from 'react';
import type { IntegrityStatus } from '../../../shared/contract/index';
import { useClient } from '../api/client-context';

/** How often to ask again while a large store is still being checked in the background. */
const POLL_MS = 3000;

/**
 * Above every page while the start-up check (app.integrity) says the store is damaged: what was
 * found and what to do. Nothing while it is checking, or when it passed.
 */
export function IntegrityBanner() {
  const client = useClient();
  const [status, setStatus] = useState<IntegrityStatus | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const next = await client.call('app.getIntegrity', {});
        if (cancelled) return;
        setStatus(next);
        if (next.state === 'checking') timer = setTimeout(() => void ask(), POLL_MS);
      } catch {
        // Unreachable or refused: the app store already shows that; ask again later.
        if (!cancelled) timer = setTimeout(() => void ask(), POLL_MS * 5);
      }
    };
    void ask();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client]);

  if (status?.state !== 'damaged') return null;
  return (
    <div className="notice notice-error integrity-banner" role="alert">
      <p>
        <strong>Damaged database.</strong> {status.message}
      </p>
      {status.problems.length > 0 && (
        <details>
          <summary>What SQLite reported</summary>
          <ul>
            {status.problems.map((problem, i) => (
              <li key={i}>
                <code>{problem}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
