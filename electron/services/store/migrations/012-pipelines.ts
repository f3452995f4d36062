import type { Migration } from '../migration';

/**
 * Pipeline runs and their stages (resumed after a restart from these rows), the last good result
 * of each stage (what a cache hit reuses), and triggers with the state they watch from.
 */
export const migration012: Migration = {
  version: 12,
  name: 'pipelines',
  up(db) {
    db.exec(`
      CREATE TABLE pipeline_runs (
        run_id TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        reason_kind TEXT NOT NULL,
        reason_detail TEXT NOT NULL,
        options TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        ended_at INTEGER,
        error TEXT
      );
      CREATE INDEX pipeline_runs_by_file ON pipeline_runs (file, created_at DESC);
      CREATE INDEX pipeline_runs_running ON pipeline_runs (status) WHERE status = 'running';
      CREATE TABLE pipeline_stage_runs (
        run_id TEXT NOT NULL REFERENCES pipeline_runs (run_id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        needs TEXT NOT NULL,
        status TEXT NOT NULL,
        cached INTEGER NOT NULL DEFAULT 0,
        stage_key TEXT,
        started_at INTEGER,
        ended_at INTEGER,
        job_id TEXT,
        mlflow_run_id TEXT,
        model_name TEXT,
        model_version INTEGER,
        deployment TEXT,
        message TEXT,
        log TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (run_id, stage)
      );
      CREATE TABLE pipeline_stage_results (
        file TEXT NOT NULL,
        stage TEXT NOT NULL,
        stage_key TEXT NOT NULL,
        mlflow_run_id TEXT,
        model_name TEXT,
        model_version INTEGER,
        deployment TEXT,
        -- What the verdict also rested on outside the key (an evaluate stage: the version it had to beat), as JSON.
        judged TEXT,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (file, stage)
      );
      CREATE TABLE pipeline_triggers (
        trigger_id TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        source TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        UNIQUE (file, kind, target)
      );
    `);
  },
};
