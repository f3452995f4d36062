import type { OrreryClient } from '../../../../shared/client';
import { watchStale } from '../../lib/stale-events';
import type { RunsStore } from './runs-store';

const LIVE_DEBOUNCE_MS = 500;

/**
 * Keeps the runs table current, batched: changed rows are re-read in place; a new, deleted or
 * restored run, or a resync (which runs changed is unknown), re-reads the loaded list.
 * Returns the stop function.
 */
export function followRuns(client: OrreryClient, store: RunsStore, experimentId: string): () => void {
  const ours = (event: { experimentId: string }) => event.experimentId === experimentId;
  return watchStale(
    client,
    { 'tracking.run': ours, 'tracking.metrics': ours },
    ({ events, resynced }) => {
      const state = store.getState();
      const reload = resynced || events.some((e) => e.topic === 'tracking.run' && e.payload.change !== 'updated');
      if (reload) void state.reload();
      else void state.refreshRuns(events.flatMap((e) => (e.topic === 'tracking.run' || e.topic === 'tracking.metrics' ? [e.payload.runId] : [])));
    },
    LIVE_DEBOUNCE_MS,
  );
}
