import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OrreryClient } from '../../../shared/client';
import type { HardwareOverview, HardwareSample } from '../../../shared/contract/index';
import { appendSample, emptyHistory, type SampleHistory } from '../lib/sample-history';
import { createLiveQuery } from '../lib/live-query';
import { toLoadError, type LoadError } from './load-error';

export interface HardwareState {
  overview: HardwareOverview | null;
  loading: boolean;
  error: LoadError | null;
  /** Newest live sample; null until the first one arrives. */
  latest: HardwareSample | null;
  history: SampleHistory;
  dockerChecking: boolean;
  dockerError: LoadError | null;
  load(): Promise<void>;
  checkDocker(): Promise<void>;
  /** Starts live samples; call the returned function to stop (the stream closes when nobody listens). */
  startLive(): () => void;
}

export type HardwareStore = StoreApi<HardwareState>;

export function createHardwareStore(client: OrreryClient): HardwareStore {
  // The overview is read on demand (a page opens, Refresh); a later read wins over one in flight.
  const overviewQuery = createLiveQuery(client, { load: (c) => c.call('hardware.getOverview', {}) });
  let liveCount = 0;

  return createStore<HardwareState>()((set, get) => {
    overviewQuery.subscribe(() => {
      const { data, loading, error } = overviewQuery.getState();
      set({ overview: data, loading, error });
    });
    const addSample = (sample: HardwareSample): void => {
      const history = appendSample(get().history, sample);
      if (history !== get().history) set({ history, latest: sample });
    };

    return {
      overview: null,
      loading: false,
      error: null,
      latest: null,
      history: emptyHistory(),
      dockerChecking: false,
      dockerError: null,

      load: () => overviewQuery.reload(),

      async checkDocker() {
        set({ dockerChecking: true, dockerError: null });
        try {
          const docker = await client.call('hardware.getDocker', {});
          overviewQuery.setData((overview) => ({ ...overview, docker }));
          set({ dockerChecking: false });
        } catch (err) {
          set({ dockerChecking: false, dockerError: toLoadError(err) });
        }
      },

      startLive() {
        // A fresh window each time the page is opened: an old one would join across the gap.
        if (liveCount++ === 0) set({ history: emptyHistory(), latest: null });
        const off = client.on('hardware.sample', addSample);
        // Prime with one sample now so the bars aren't empty until the first event.
        void client.call('hardware.getSample', {}).then(addSample, () => undefined);
        let stopped = false;
        return () => {
          if (stopped) return;
          stopped = true;
          liveCount--;
          off();
        };
      },
    };
  });
}
