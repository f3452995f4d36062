import { useEffect } from 'react';
import { useClient } from '../api/client-context';
import { reloadOnResync } from '../api/resync';

/** Re-runs `reload` while mounted whenever the event stream comes back after a drop (see reloadOnResync). */
export function useResync(reload: () => void): void {
  const client = useClient();
  useEffect(() => reloadOnResync(client, reload), [client, reload]);
}
