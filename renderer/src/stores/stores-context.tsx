import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-store';
import type { HardwareState, HardwareStore } from './hardware-store';

/** Every store, built once from the client at start-up and handed down (no module singletons). */
export interface Stores {
  app: AppStore;
  hardware: HardwareStore;
}

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresProvider is missing above this component');
  return stores;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useStores().app, selector);
}

export function useHardwareStore<T>(selector: (state: HardwareState) => T): T {
  return useStore(useStores().hardware, selector);
}
