import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OrreryClient } from '../../../shared/client';
import type { AppInfo } from '../../../shared/contract/index';
import { createLiveQuery } from '../lib/live-query';
import type { LoadError } from './load-error';

export interface AppState {
  info: AppInfo | null;
  loading: boolean;
  error: LoadError | null;
  load(): Promise<void>;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(client: OrreryClient): AppStore {
  const infoQuery = createLiveQuery(client, { load: (c) => c.call('app.getInfo', {}) });
  return createStore<AppState>()((set) => {
    infoQuery.subscribe(() => {
      const { data, loading, error } = infoQuery.getState();
      set({ info: data, loading, error });
    });
    return { info: null, loading: false, error: null, load: () => infoQuery.reload() };
  });
}
