import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OrreryClient } from '../../../shared/client';
import type { AppInfo } from '../../../shared/contract/index';
import { toLoadError, type LoadError } from './load-error';

export interface AppState {
  info: AppInfo | null;
  loading: boolean;
  error: LoadError | null;
  load(): Promise<void>;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(client: OrreryClient): AppStore {
  return createStore<AppState>()((set) => ({
    info: null,
    loading: false,
    error: null,
    async load() {
      set({ loading: true, error: null });
      try {
        set({ info: await client.call('app.info', {}), loading: false });
      } catch (err) {
        set({ error: toLoadError(err), loading: false });
      }
    },
  }));
}
