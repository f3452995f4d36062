import type { Migration } from '../migration';

/**
 * The model registry: models, their immutable versions (files, flavor, schema, metrics snapshot,
 * lineage), aliases, validation gates, approval requests, and an audit log that triggers keep
 * append-only. At most one version of a model is in Production (a partial unique index).
 */
export const migration004: Migration = {
  version: 4,
  name: 'registry',
  up(db) {
    db.exec(`
      CREATE TABLE registered_models (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE model_versions (
        model TEXT NOT NULL REFERENCES registered_models (name),
        version INTEGER NOT NULL CHECK (version >= 1),
        source_type TEXT NOT NULL CHECK (source_type IN ('run', 'folder')),
        source_run_id TEXT,
        source_path TEXT NOT NULL,
        storage_path TEXT NOT NULL,
        files TEXT NOT NULL,
        total_size INTEGER NOT NULL,
        flavor TEXT NOT NULL,
        flavors TEXT NOT NULL DEFAULT '[]',
        input_schema TEXT,
        metrics TEXT NOT NULL DEFAULT '{}',
        lineage TEXT NOT NULL DEFAULT '{}',
        stage TEXT NOT NULL DEFAULT 'None' CHECK (stage IN ('None', 'Staging', 'Production', 'Archived')),
        gate_status TEXT NOT NULL DEFAULT 'none' CHECK (gate_status IN ('passed', 'failed', 'none')),
        gate_results TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (model, version)
      ) STRICT;
      CREATE UNIQUE INDEX model_versions_one_production ON model_versions (model) WHERE stage = 'Production';
      CREATE INDEX model_versions_by_run ON model_versions (source_run_id);

      CREATE TABLE model_aliases (
        model TEXT NOT NULL,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE model_gates (
        gate_id INTEGER PRIMARY KEY,
        model TEXT NOT NULL REFERENCES registered_models (name),
        kind TEXT NOT NULL CHECK (kind IN ('required_file', 'metric', 'max_size')),
        spec TEXT NOT NULL
      ) STRICT;
      CREATE INDEX model_gates_by_model ON model_gates (model);

      CREATE TABLE approval_requests (
        request_id INTEGER PRIMARY KEY,
        model TEXT NOT NULL,
        version INTEGER NOT NULL,
        target_stage TEXT NOT NULL DEFAULT 'Production' CHECK (target_stage IN ('Production')),
        requested_by TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        requested_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
        reviewer TEXT,
        review_comment TEXT,
        reviewed_at INTEGER,
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      ) STRICT;
      CREATE INDEX approval_requests_by_version ON approval_requests (model, version, status);

      CREATE TABLE audit_log (
        audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        model TEXT,
        version INTEGER,
        details TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX audit_log_by_model ON audit_log (model, audit_id);

      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
      END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
      END;
    `);
  },
};
