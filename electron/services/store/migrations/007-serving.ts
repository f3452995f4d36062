import type { Migration } from '../migration';

/**
 * Serving: deployments (one stable loopback port each), the versions they serve with their traffic
 * weights, rollouts (a persisted state machine, so one resumes after a restart), the event
 * timeline of decisions, per-version metrics at 10 s resolution, and the request log that
 * monitoring reads. Replicas are not stored: their containers carry labels and are found again.
 */
export const migration007: Migration = {
  version: 7,
  name: 'serving',
  up(db) {
    db.exec(`
      CREATE TABLE deployments (
        name        TEXT PRIMARY KEY,
        model_name  TEXT NOT NULL,
        port        INTEGER NOT NULL UNIQUE,
        settings    TEXT NOT NULL,
        token       TEXT,
        desired     TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
        created_at  INTEGER NOT NULL,
        created_by  TEXT NOT NULL
      );
      CREATE TABLE deployment_versions (
        deployment    TEXT NOT NULL REFERENCES deployments(name) ON DELETE CASCADE,
        version       INTEGER NOT NULL,
        requested_as  TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('stable', 'candidate', 'shadow', 'retiring')),
        weight        REAL NOT NULL,
        replicas      INTEGER NOT NULL,
        image         TEXT NOT NULL,
        model_path    TEXT NOT NULL,
        added_at      INTEGER NOT NULL,
        retire_at     INTEGER,
        PRIMARY KEY (deployment, version)
      );
      CREATE TABLE rollouts (
        rollout_id       INTEGER PRIMARY KEY,
        deployment       TEXT NOT NULL REFERENCES deployments(name) ON DELETE CASCADE,
        strategy         TEXT NOT NULL CHECK (strategy IN ('canary', 'blue-green', 'rolling', 'shadow')),
        from_version     INTEGER NOT NULL,
        to_version       INTEGER NOT NULL,
        state            TEXT NOT NULL,
        step             INTEGER NOT NULL DEFAULT 0,
        candidate_weight REAL NOT NULL DEFAULT 0,
        settings         TEXT NOT NULL,
        machine          TEXT NOT NULL DEFAULT '{}',
        started_at       INTEGER NOT NULL,
        step_started_at  INTEGER NOT NULL,
        ended_at         INTEGER
      );
      CREATE INDEX rollouts_by_deployment ON rollouts(deployment, rollout_id);
      CREATE TABLE deployment_events (
        id          INTEGER PRIMARY KEY,
        deployment  TEXT NOT NULL,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        message     TEXT NOT NULL,
        numbers     TEXT NOT NULL DEFAULT '{}',
        actor       TEXT NOT NULL
      );
      CREATE INDEX deployment_events_by_deployment ON deployment_events(deployment, id);
      CREATE TABLE serving_metrics (
        deployment  TEXT NOT NULL,
        version     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        requests    INTEGER NOT NULL,
        errors      INTEGER NOT NULL,
        p50_ms      REAL,
        p95_ms      REAL,
        p99_ms      REAL,
        PRIMARY KEY (deployment, at, version)
      ) WITHOUT ROWID;
      CREATE TABLE request_log (
        id           INTEGER PRIMARY KEY,
        deployment   TEXT NOT NULL,
        at           INTEGER NOT NULL,
        version      INTEGER NOT NULL,
        replica_id   TEXT NOT NULL,
        status       INTEGER NOT NULL,
        latency_ms   REAL NOT NULL,
        request_id   TEXT NOT NULL,
        model_error  INTEGER NOT NULL DEFAULT 0,
        row_count    INTEGER NOT NULL,
        truncated    INTEGER NOT NULL DEFAULT 0,
        inputs       TEXT,
        predictions  TEXT
      );
      CREATE INDEX request_log_by_deployment ON request_log(deployment, id);
      CREATE INDEX request_log_by_time ON request_log(at);
    `);
  },
};
