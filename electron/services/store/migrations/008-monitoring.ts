import type { Migration } from '../migration';

/**
 * Monitoring: a deployment's reference (its settings here, its profile in its own table because it
 * can be tens of MB), the windows checked against it with their reports, ground-truth labels by
 * request id, alert rules and the incidents they raise, and where alerts are sent.
 */
export const migration008: Migration = {
  version: 8,
  name: 'monitoring',
  up(db) {
    db.exec(`
      CREATE TABLE monitors (
        deployment     TEXT PRIMARY KEY,
        state          TEXT NOT NULL CHECK (state IN ('collecting', 'watching', 'failed')),
        reason         TEXT,
        source         TEXT NOT NULL,
        settings       TEXT NOT NULL,
        summary        TEXT,
        cursor_log_id  INTEGER NOT NULL DEFAULT 0,
        window_started INTEGER NOT NULL,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      );
      CREATE TABLE reference_profiles (
        deployment  TEXT PRIMARY KEY REFERENCES monitors(deployment) ON DELETE CASCADE,
        profile     BLOB NOT NULL,
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE monitor_windows (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        deployment    TEXT NOT NULL REFERENCES monitors(deployment) ON DELETE CASCADE,
        seq           INTEGER NOT NULL,
        start_at      INTEGER NOT NULL,
        end_at        INTEGER NOT NULL,
        first_log_id  INTEGER NOT NULL,
        last_log_id   INTEGER NOT NULL,
        requests      INTEGER NOT NULL,
        rows          INTEGER NOT NULL,
        unseen_rows   INTEGER NOT NULL,
        status        TEXT NOT NULL,
        dataset_drift INTEGER,
        drift_share   REAL,
        summary       TEXT NOT NULL,
        report        TEXT,
        UNIQUE (deployment, seq)
      );
      CREATE INDEX request_log_by_request_id ON request_log(deployment, request_id);
      CREATE TABLE feedback (
        deployment  TEXT NOT NULL,
        request_id  TEXT NOT NULL,
        label       TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (deployment, request_id)
      );
      CREATE TABLE alert_rules (
        id           INTEGER PRIMARY KEY,
        deployment   TEXT NOT NULL,
        name         TEXT NOT NULL,
        metric       TEXT NOT NULL,
        column_name  TEXT,
        comparison   TEXT NOT NULL,
        threshold    REAL NOT NULL,
        for_seconds  INTEGER NOT NULL,
        enabled      INTEGER NOT NULL DEFAULT 1,
        is_default   INTEGER NOT NULL DEFAULT 0,
        silenced_until INTEGER,
        created_at   INTEGER NOT NULL
      );
      CREATE INDEX alert_rules_by_deployment ON alert_rules(deployment);
      CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        rule_id         INTEGER NOT NULL,
        deployment      TEXT NOT NULL,
        -- The rule as it was when the incident last changed: the inbox keeps saying what crossed
        -- what after the rule is edited or deleted.
        name            TEXT NOT NULL,
        metric          TEXT NOT NULL,
        comparison      TEXT NOT NULL,
        threshold       REAL NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value           REAL,
        message         TEXT NOT NULL,
        started_at      INTEGER NOT NULL,
        firing_at       INTEGER,
        resolved_at     INTEGER,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        notified_at     INTEGER
      );
      CREATE INDEX alerts_by_rule ON alerts(rule_id, state);
      CREATE INDEX alerts_by_deployment ON alerts(deployment, id);
      -- Deployments that got their default rules once: setting the reference again (or deleting a
      -- default rule) does not bring them back.
      CREATE TABLE alert_rule_defaults (
        deployment  TEXT PRIMARY KEY,
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE alert_settings (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        webhook_url   TEXT,
        last_error    TEXT
      );
    `);
  },
};
