import type { Migration } from '../migration';

/**
 * Alerts raised by failing pipelines besides those of deployments' rules. A pipeline alert has no
 * rule, deployment, metric or threshold, so those columns become nullable: SQLite cannot drop a
 * NOT NULL, so the table is rebuilt, keeping every id and the AUTOINCREMENT counter (an id is
 * never reused, even one a dropped pending incident had). A CHECK keeps each kind whole.
 */
export const migration013: Migration = {
  version: 13,
  name: 'pipeline-alerts',
  up(db) {
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'alerts'").get() as { seq: number } | undefined;
    db.exec(`
      CREATE TABLE alerts_new (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        source          TEXT NOT NULL DEFAULT 'rule' CHECK (source IN ('rule', 'pipeline')),
        rule_id         INTEGER,
        deployment      TEXT,
        -- The rule as it was when the incident last changed: the inbox keeps saying what crossed
        -- what after the rule is edited or deleted.
        name            TEXT NOT NULL,
        metric          TEXT,
        comparison      TEXT,
        threshold       REAL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value           REAL,
        message         TEXT NOT NULL,
        started_at      INTEGER NOT NULL,
        firing_at       INTEGER,
        resolved_at     INTEGER,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        notified_at     INTEGER,
        -- A pipeline alert: the file (one open incident per file), its name, the latest failed run
        -- and stage, the error, and how many failures this streak has had.
        pipeline_file   TEXT,
        pipeline_name   TEXT,
        pipeline_run_id TEXT,
        pipeline_stage  TEXT,
        pipeline_error  TEXT,
        failures        INTEGER,
        CHECK (
          (source = 'rule' AND rule_id IS NOT NULL AND deployment IS NOT NULL AND metric IS NOT NULL AND comparison IS NOT NULL AND threshold IS NOT NULL)
          OR (source = 'pipeline' AND pipeline_file IS NOT NULL AND pipeline_name IS NOT NULL AND pipeline_error IS NOT NULL AND failures >= 1)
        )
      );
      INSERT INTO alerts_new (id, source, rule_id, deployment, name, metric, comparison, threshold, state, value, message,
                              started_at, firing_at, resolved_at, acknowledged_at, acknowledged_by, notified_at)
        SELECT id, 'rule', rule_id, deployment, name, metric, comparison, threshold, state, value, message,
               started_at, firing_at, resolved_at, acknowledged_at, acknowledged_by, notified_at FROM alerts;
      DROP TABLE alerts;
      ALTER TABLE alerts_new RENAME TO alerts;
      CREATE INDEX alerts_by_rule ON alerts(rule_id, state);
      CREATE INDEX alerts_by_deployment ON alerts(deployment, id);
      CREATE UNIQUE INDEX alerts_open_by_pipeline ON alerts(pipeline_file) WHERE source = 'pipeline' AND state != 'resolved';
    `);
    if (seq) {
      // The copy made a row only if there were alerts to copy; the old counter is never below it.
      db.prepare("DELETE FROM sqlite_sequence WHERE name = 'alerts'").run();
      db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('alerts', ?)").run(seq.seq);
    }
  },
};
