import { useEffect } from 'react';
import { useClient } from '../../api/client-context';
import { useResync } from '../../lib/use-resync';

/**
 * Reloads when a registry change concerns `name` (or any model when no name is given), and after
 * the event stream was lost (changes in the gap were missed).
 */
export function useRegistryEvents(reload: () => void, name?: string): void {
  const client = useClient();
  useEffect(
    () =>
      client.on('registry.version', (event) => {
        if (name === undefined || event.name === name) reload();
      }),
    [client, reload, name],
  );
  useResync(reload);
}
