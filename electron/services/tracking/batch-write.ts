import type { LatestMetric } from '../../../shared/contract/tracking';
import { invalid } from '../../../shared/errors';
import type { GroupedWrite } from '../store/commit-group';
import type { MetricPoint, MetricStore } from './metric-store';
import { RUN_NAME_TAG } from './run-mapper';
import type { RunRepository, RunRow } from './run-repository';
import { checkBatchLimits, validateSafeInteger } from '../../../shared/tracking-limits';

export interface LogBatch {
  metrics: MetricPoint[];
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
}

/** The checks a batch passes before its run is read: MLflow's limits, the integer range, one value per param key. */
export function checkBatch({ metrics, params, tags }: LogBatch): void {
  checkBatchLimits(metrics.length, params.length, tags.length);
  // Every path in (REST, RPC, a job's metric lines) meets the same range: SQLite refuses some
  // values outside it only at write time, and others it would store rounded.
  for (const metric of metrics) {
    if (!Number.isSafeInteger(metric.step)) validateSafeInteger(metric.step, 'step');
    if (!Number.isSafeInteger(metric.timestamp)) validateSafeInteger(metric.timestamp, 'timestamp');
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const param of params) (seen.has(param.key) ? duplicates : seen).add(param.key);
  if (duplicates.size > 0) {
    throw invalid(
      `Duplicate parameter keys have been submitted: [${[...duplicates].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
    );
  }
}

/**
 * A batch's write to an active run: `check` only reads (a refused batch must not have written
 * anything, see CommitGroup) and refuses a changed param value; `write` stores what is new.
 */
export function batchWrite(runs: RunRepository, metricStore: MetricStore, now: () => number, row: RunRow, batch: LogBatch): GroupedWrite<LatestMetric[]> {
  const { metrics, params, tags } = batch;
  const fresh: Array<{ key: string; value: string }> = [];
  const check = () => {
    fresh.length = 0;
    for (const param of params) {
      const existing = runs.param(row.run_id, param.key);
      if (existing !== undefined && existing !== param.value) {
        throw invalid(
          `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${existing}' for run ID='${row.run_id}'. Attempted logging new value '${param.value}'.`,
        );
      }
      if (existing === undefined) fresh.push(param);
    }
  };
  const write = (): LatestMetric[] => {
    for (const param of fresh) {
      runs.insertParam(row.run_id, param.key, param.value);
      runs.noteKey(row.experiment_id, 'param', param.key);
    }
    for (const tag of tags) {
      runs.setTag(row.run_id, tag.key, tag.value);
      runs.noteKey(row.experiment_id, 'tag', tag.key);
      if (tag.key === RUN_NAME_TAG) runs.update(row.run_id, { name: tag.value }, now());
    }
    if (metrics.length === 0) return [];
    const latest = metricStore.append(row.run_id, metrics);
    for (const metric of latest) runs.noteKey(row.experiment_id, 'metric', metric.key);
    return latest;
  };
  return { check, write };
}
