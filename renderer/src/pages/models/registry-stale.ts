import type { StaleOn } from '../../lib/stale-events';

/**
 * What a registry view re-reads on: a registry change that concerns `name` (or any model when no
 * name is given), promptly (one click's changes arrive together), and after a resync. Every
 * audited change counts (gates, alias removals, pushes, pulls), not only version events.
 */
export function registryStale(name?: string): { staleOn: StaleOn; debounceMs: number } {
  const concerns = (event: { name: string | null }) => name === undefined || event.name === name;
  return { staleOn: { 'registry.version': concerns, 'registry.audit': concerns }, debounceMs: 0 };
}
