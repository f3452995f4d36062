import { createContext, useContext, type ReactNode } from 'react';
import type { OrreryClient } from '../../../shared/client';

const ClientContext = createContext<OrreryClient | null>(null);

/** The one client (IPC or HTTP, the page never knows which), for pages that call the app directly. */
export function ClientProvider({ client, children }: { client: OrreryClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): OrreryClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('ClientProvider is missing above this component');
  return client;
}
