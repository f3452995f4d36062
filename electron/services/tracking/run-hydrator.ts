import { type Run, type RunColumns, PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import type { MetricStore } from './metric-store';
import { toRun } from './run-mapper';
import type { RunRepository, RunRow } from './run-repository';

/**
 * Runs with their params, tags and latest metrics, read for a whole page at once: three queries
 * whatever the page size. With `columns`, only those (and the parent link, which the runs table
 * nests by).
 */
export function hydrateRuns(runs: RunRepository, metrics: MetricStore, rows: RunRow[], columns?: RunColumns): Run[] {
  const ids = rows.map((r) => r.run_id);
  const params = runs.params(ids);
  const tags = runs.tags(ids);
  const latest = metrics.latestMany(ids);
  return rows.map((row) => {
    let runParams = params.get(row.run_id) ?? [];
    let runTags = tags.get(row.run_id) ?? [];
    let runLatest = latest.get(row.run_id) ?? [];
    if (columns) {
      runParams = runParams.filter((p) => columns.params.includes(p.key));
      runTags = runTags.filter((t) => columns.tags.includes(t.key) || t.key === PARENT_RUN_TAG);
      runLatest = runLatest.filter((m) => columns.metrics.includes(m.key));
    }
    return toRun(row, runParams, runTags, runLatest);
  });
}
