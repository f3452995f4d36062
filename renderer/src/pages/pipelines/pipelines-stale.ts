import type { StaleOn } from '../../lib/stale-events';

/** The pipeline events that make a view stale: all of them, or those of one pipeline file. */
export function pipelinesStale(file?: string): StaleOn {
  if (file === undefined) return { 'pipelines.run': true, 'pipelines.triggers': true };
  return { 'pipelines.run': (e) => e.file === file, 'pipelines.triggers': (e) => e.file === file };
}
