import type { StaleOn } from '../../lib/stale-events';

/**
 * What a registry view re-reads on: a registry change that concerns `name` (or any model when no
 * name is given), promptly (one click's changes arrive together), and after a resync.
 */
export function registryStale(name?: string): { staleOn: StaleOn; debounceMs: number } {
  return { staleOn: { 'registry.version': (event) => name === undefined || event.name === name }, debounceMs: 0 };
}
