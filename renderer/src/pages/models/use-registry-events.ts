import { useEffect } from 'react';
import { useClient } from '../../api/client-context';

/** Reloads when a registry change concerns `name` (or any model when no name is given). */
export function useRegistryEvents(reload: () => void, name?: string): void {
  const client = useClient();
  useEffect(
    () =>
      client.on('registry.version', (event) => {
        if (name === undefined || event.name === name) reload();
      }),
    [client, reload, name],
  );
}
