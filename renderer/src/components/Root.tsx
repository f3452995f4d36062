import { useEffect, useMemo, useState } from 'react';
import { ClientProvider } from '../api/client-context';
import { watchPastedTokens, type ClientChoice } from '../api/pick-transport';
import { createAppStore } from '../stores/app-store';
import { createHardwareStore } from '../stores/hardware-store';
import { StoresProvider, type Stores } from '../stores/stores-context';
import { App } from './App';
import { TokenPage } from './TokenPage';

/**
 * The app for the current client. A token pasted into the address bar later replaces the client,
 * and everything below is built afresh on it (stores, live queries, the event stream); the old
 * tree's subscriptions end as it unmounts, so the refused token's stream closes.
 */
export function Root({ initial }: { initial: ClientChoice }) {
  const [current, setCurrent] = useState({ choice: initial, generation: 0 });
  useEffect(() => watchPastedTokens((choice) => setCurrent((prev) => ({ choice, generation: prev.generation + 1 }))), []);
  const { choice, generation } = current;
  const stores = useMemo<Stores | null>(
    () => (choice.kind === 'ready' ? { app: createAppStore(choice.client), hardware: createHardwareStore(choice.client) } : null),
    [choice],
  );
  if (choice.kind === 'no-token' || !stores) return <TokenPage />;
  return (
    <ClientProvider key={generation} client={choice.client}>
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>
    </ClientProvider>
  );
}
