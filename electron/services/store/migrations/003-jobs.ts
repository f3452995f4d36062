import type { Migration } from '../migration';

/** Training jobs: the queue survives restarts, and a running job remembers its container. */
export const migration003: Migration = {
  version: 3,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
        priority INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        experiment_id INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        runner TEXT,
        handle TEXT,
        gpu_indices TEXT NOT NULL DEFAULT '[]',
        exit_code INTEGER,
        reason TEXT,
        -- Retries share the first attempt's checkpoint folder so they resume from it.
        root_job_id TEXT NOT NULL,
        -- Trials of a sweep: the parent run, and how many of its trials may run at once.
        sweep_run_id TEXT,
        max_parallel INTEGER
      ) STRICT;
      CREATE INDEX jobs_by_sweep ON jobs (sweep_run_id, status);
      CREATE INDEX jobs_queue ON jobs (status, priority DESC, created_at);
    `);
  },
};
