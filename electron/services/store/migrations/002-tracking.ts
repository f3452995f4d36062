import type { Migration } from '../migration';

/**
 * Experiment tracking. Metric points are stored once per point (clustered by series and step),
 * plus rollups: per series, buckets of 16^level steps holding count, min, max and last, so a
 * downsampled read costs about the number of buckets asked for, not the length of the series.
 * NaN cannot be stored in SQLite (it becomes NULL), so it is a flag beside the value.
 */
export const migration002: Migration = {
  version: 2,
  name: 'tracking',
  up(db) {
    db.exec(`
      CREATE TABLE experiments (
        experiment_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        artifact_location TEXT NOT NULL,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
        creation_time INTEGER NOT NULL,
        last_update_time INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
        name TEXT NOT NULL,
        user_id TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
        start_time INTEGER,
        end_time INTEGER,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
        deleted_time INTEGER,
        artifact_uri TEXT NOT NULL,
        environment TEXT,
        last_update_time INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time);

      CREATE TABLE run_params (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_params_by_key ON run_params (key, value);

      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_tags_by_key ON run_tags (key, value);

      CREATE TABLE run_inputs (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        digest TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source TEXT NOT NULL,
        schema TEXT,
        profile TEXT,
        tags TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, name, digest)
      ) STRICT, WITHOUT ROWID;

      -- One row per (run, metric key), holding the latest value (highest step, then timestamp).
      CREATE TABLE metric_series (
        series_id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        point_count INTEGER NOT NULL DEFAULT 0,
        min_step INTEGER,
        max_step INTEGER,
        last_value REAL,
        last_is_nan INTEGER NOT NULL DEFAULT 0,
        last_step INTEGER,
        last_timestamp INTEGER,
        UNIQUE (run_id, key)
      ) STRICT;
      CREATE INDEX metric_series_by_key ON metric_series (key, last_value);

      -- A point identical in step, timestamp and value is stored once, as MLflow does.
      CREATE TABLE metric_points (
        series_id INTEGER NOT NULL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        is_nan INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (series_id, step, timestamp, is_nan, value)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE metric_rollups (
        series_id INTEGER NOT NULL,
        level INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        count INTEGER NOT NULL,
        first_step INTEGER NOT NULL,
        last_step INTEGER NOT NULL,
        min_value REAL,
        min_step INTEGER,
        max_value REAL,
        max_step INTEGER,
        last_value REAL NOT NULL,
        last_is_nan INTEGER NOT NULL,
        last_timestamp INTEGER NOT NULL,
        PRIMARY KEY (series_id, level, bucket)
      ) STRICT, WITHOUT ROWID;

      -- Every param, metric and tag key ever used in an experiment: the runs table's column picker
      -- reads this instead of scanning every run's params.
      CREATE TABLE experiment_keys (
        experiment_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('param', 'metric', 'tag')),
        key TEXT NOT NULL,
        PRIMARY KEY (experiment_id, kind, key)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
      VALUES (0, 'Default', 'mlflow-artifacts:/0', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
    `);
  },
};
