import type { Migration } from '../migration';

/**
 * Indexes that let runs/search read runs in the order of the sort key and stop after a page,
 * instead of sorting a whole experiment:
 * - metric_series by (key, last_is_nan, last_value, run_id): a metric order walks the latest values
 *   in order, NaN apart, with the run id at hand (covering). It replaces (key, last_value), which
 *   it serves as well, so a metric write still updates one index.
 * - runs by (experiment_id, lifecycle_stage, start_time DESC, run_id): the default order (newest
 *   first, then run id) as stored, replacing the (…, start_time) index it extends.
 * - runs by (run_id, experiment_id, lifecycle_stage): a walk driven by a metric or param index
 *   checks each run's experiment and lifecycle in this small index, not in the wide runs rows
 *   (a total over 50k matching runs is several times faster).
 * - runs by (experiment_id, lifecycle_stage, last activity): an experiment's run count and last
 *   activity (its page header, the experiments list) read this small index, not every run row
 *   (0.4–1 s at 100k runs, all of it blocking the server).
 */
/** A run's last activity; written the same way in the index and in the query that reads it. */
export const LAST_ACTIVITY = 'max(coalesce(end_time, 0), coalesce(start_time, 0), last_update_time)';

export const migration010: Migration = {
  version: 10,
  name: 'search-order-indexes',
  up(db) {
    db.exec(`
      DROP INDEX IF EXISTS metric_series_by_key;
      CREATE INDEX metric_series_by_key_value ON metric_series (key, last_is_nan, last_value, run_id);
      DROP INDEX IF EXISTS runs_by_experiment;
      CREATE INDEX runs_by_experiment_start ON runs (experiment_id, lifecycle_stage, start_time DESC, run_id);
      CREATE INDEX runs_scope ON runs (run_id, experiment_id, lifecycle_stage);
      CREATE INDEX runs_activity ON runs (experiment_id, lifecycle_stage, ${LAST_ACTIVITY});
    `);
  },
};
