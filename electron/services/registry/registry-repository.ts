import type { Database } from 'better-sqlite3';
import type { ApprovalStatus, GateSpec, GateStatus, ModelStage } from '../../../shared/contract/registry';
import { StatementCache } from '../store/statement-cache';

export interface ModelRow {
  name: string;
  description: string;
  created_at: number;
  created_by: string;
  updated_at: number;
}

export interface VersionRow {
  model: string;
  version: number;
  source_type: 'run' | 'folder';
  source_run_id: string | null;
  source_path: string;
  storage_path: string;
  files: string;
  total_size: number;
  flavor: string;
  flavors: string;
  input_schema: string | null;
  metrics: string;
  lineage: string;
  stage: ModelStage;
  gate_status: GateStatus;
  gate_results: string;
  description: string;
  created_at: number;
  created_by: string;
  updated_at: number;
}

export interface RequestRow {
  request_id: number;
  model: string;
  version: number;
  target_stage: 'Production';
  requested_by: string;
  comment: string;
  requested_at: number;
  status: ApprovalStatus;
  reviewer: string | null;
  review_comment: string | null;
  reviewed_at: number | null;
}

export interface AuditRow {
  audit_id: number;
  at: number;
  actor: string;
  action: string;
  model: string | null;
  version: number | null;
  details: string;
}

/** Every SQL statement of the registry. */
export class RegistryRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  /** Runs `fn` in one transaction: all of its writes, or (when it throws) none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- models ----

  model(name: string): ModelRow | undefined {
    return this.sql.get('SELECT * FROM registered_models WHERE name = ?').get(name) as ModelRow | undefined;
  }

  models(): ModelRow[] {
    return this.sql.get('SELECT * FROM registered_models ORDER BY updated_at DESC, name').all() as ModelRow[];
  }

  insertModel(name: string, description: string, actor: string, now: number): void {
    this.sql.get('INSERT INTO registered_models (name, description, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?)').run(name, description, now, actor, now);
  }

  touchModel(name: string, now: number): void {
    this.sql.get('UPDATE registered_models SET updated_at = ? WHERE name = ?').run(now, name);
  }

  // ---- versions ----

  nextVersion(model: string): number {
    return (this.sql.get('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE model = ?').get(model) as { next: number }).next;
  }

  insertVersion(row: VersionRow): void {
    this.sql
      .get(
        `INSERT INTO model_versions (model, version, source_type, source_run_id, source_path, storage_path, files, total_size, flavor, flavors,
           input_schema, metrics, lineage, stage, gate_status, gate_results, description, created_at, created_by, updated_at)
         VALUES (@model, @version, @source_type, @source_run_id, @source_path, @storage_path, @files, @total_size, @flavor, @flavors,
           @input_schema, @metrics, @lineage, @stage, @gate_status, @gate_results, @description, @created_at, @created_by, @updated_at)`,
      )
      .run(row);
  }

  version(model: string, version: number): VersionRow | undefined {
    return this.sql.get('SELECT * FROM model_versions WHERE model = ? AND version = ?').get(model, version) as VersionRow | undefined;
  }

  /** The first version of `model` pulled from the artifact with this manifest digest, if any. */
  pulledVersion(model: string, digest: string): number | undefined {
    const row = this.sql
      .get(
        `SELECT version FROM model_versions
         WHERE model = ? AND json_extract(lineage, '$.pulledFrom') IS NOT NULL AND json_extract(lineage, '$.digest') = ?
         ORDER BY version LIMIT 1`,
      )
      .get(model, digest) as { version: number } | undefined;
    return row?.version;
  }

  /** The first push of `model` whose artifact has this manifest digest: the version and where it went. */
  pushedVersion(model: string, digest: string): { version: number; reference: string } | undefined {
    const row = this.sql
      .get(
        `SELECT version, json_extract(details, '$.reference') AS reference FROM audit_log
         WHERE model = ? AND action = 'pushed' AND version IS NOT NULL AND json_extract(details, '$.digest') = ?
         ORDER BY audit_id LIMIT 1`,
      )
      .get(model, digest) as { version: number; reference: string } | undefined;
    return row;
  }

  versionExists(model: string, version: number): boolean {
    return this.sql.get('SELECT 1 FROM model_versions WHERE model = ? AND version = ?').get(model, version) !== undefined;
  }

  versionCount(model: string): number {
    return (this.sql.get('SELECT count(*) AS n FROM model_versions WHERE model = ?').get(model) as { n: number }).n;
  }

  versions(model: string): VersionRow[] {
    return this.sql.get('SELECT * FROM model_versions WHERE model = ? ORDER BY version DESC').all(model) as VersionRow[];
  }

  versionCounts(): Map<string, { count: number; latest: number; production: number | null }> {
    const rows = this.sql
      .get(
        `SELECT model, count(*) AS count, max(version) AS latest, max(CASE WHEN stage = 'Production' THEN version END) AS production
         FROM model_versions GROUP BY model`,
      )
      .all() as Array<{ model: string; count: number; latest: number; production: number | null }>;
    return new Map(rows.map((r) => [r.model, r]));
  }

  productionVersion(model: string): number | null {
    const row = this.sql.get("SELECT version FROM model_versions WHERE model = ? AND stage = 'Production'").get(model) as { version: number } | undefined;
    return row?.version ?? null;
  }

  setStage(model: string, version: number, stage: ModelStage, now: number): void {
    this.sql.get('UPDATE model_versions SET stage = ?, updated_at = ? WHERE model = ? AND version = ?').run(stage, now, model, version);
  }

  setGateResults(model: string, version: number, status: GateStatus, results: string): void {
    this.sql.get('UPDATE model_versions SET gate_status = ?, gate_results = ? WHERE model = ? AND version = ?').run(status, results, model, version);
  }

  // ---- aliases ----

  aliases(model: string): Array<{ alias: string; version: number }> {
    return this.sql.get('SELECT alias, version FROM model_aliases WHERE model = ? ORDER BY alias').all(model) as Array<{ alias: string; version: number }>;
  }

  allAliases(): Array<{ model: string; alias: string; version: number }> {
    return this.sql.get('SELECT model, alias, version FROM model_aliases ORDER BY model, alias').all() as Array<{ model: string; alias: string; version: number }>;
  }

  alias(model: string, alias: string): number | undefined {
    const row = this.sql.get('SELECT version FROM model_aliases WHERE model = ? AND alias = ?').get(model, alias) as { version: number } | undefined;
    return row?.version;
  }

  setAlias(model: string, alias: string, version: number): void {
    this.sql
      .get('INSERT INTO model_aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version')
      .run(model, alias, version);
  }

  deleteAlias(model: string, alias: string): number {
    return this.sql.get('DELETE FROM model_aliases WHERE model = ? AND alias = ?').run(model, alias).changes;
  }

  // ---- gates ----

  gates(model: string): GateSpec[] {
    const rows = this.sql.get('SELECT spec FROM model_gates WHERE model = ? ORDER BY gate_id').all(model) as Array<{ spec: string }>;
    return rows.map((r) => JSON.parse(r.spec) as GateSpec);
  }

  replaceGates(model: string, gates: readonly GateSpec[]): void {
    this.sql.get('DELETE FROM model_gates WHERE model = ?').run(model);
    const insert = this.sql.get('INSERT INTO model_gates (model, kind, spec) VALUES (?, ?, ?)');
    for (const gate of gates) insert.run(model, gate.kind, JSON.stringify(gate));
  }

  // ---- approvals ----

  insertRequest(model: string, version: number, actor: string, comment: string, now: number): number {
    const result = this.sql
      .get('INSERT INTO approval_requests (model, version, requested_by, comment, requested_at) VALUES (?, ?, ?, ?, ?)')
      .run(model, version, actor, comment, now);
    return Number(result.lastInsertRowid);
  }

  request(requestId: number): RequestRow | undefined {
    return this.sql.get('SELECT * FROM approval_requests WHERE request_id = ?').get(requestId) as RequestRow | undefined;
  }

  requests(model: string, version?: number): RequestRow[] {
    if (version === undefined) return this.sql.get('SELECT * FROM approval_requests WHERE model = ? ORDER BY request_id DESC').all(model) as RequestRow[];
    return this.sql.get('SELECT * FROM approval_requests WHERE model = ? AND version = ? ORDER BY request_id DESC').all(model, version) as RequestRow[];
  }

  review(requestId: number, status: 'approved' | 'rejected', reviewer: string, comment: string, now: number): void {
    this.sql
      .get("UPDATE approval_requests SET status = ?, reviewer = ?, review_comment = ?, reviewed_at = ? WHERE request_id = ? AND status = 'open'")
      .run(status, reviewer, comment, now, requestId);
  }

  // ---- audit ----

  appendAudit(entry: { at: number; actor: string; action: string; model: string | null; version: number | null; details: Record<string, unknown> }): void {
    this.sql
      .get('INSERT INTO audit_log (at, actor, action, model, version, details) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.model, entry.version, JSON.stringify(entry.details));
  }

  audit(model: string | undefined, limit: number): AuditRow[] {
    if (model === undefined) return this.sql.get('SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT ?').all(limit) as AuditRow[];
    return this.sql.get('SELECT * FROM audit_log WHERE model = ? ORDER BY audit_id DESC LIMIT ?').all(model, limit) as AuditRow[];
  }

  auditFor(model: string, version: number, action: string): AuditRow[] {
    return this.sql.get('SELECT * FROM audit_log WHERE model = ? AND version = ? AND action = ? ORDER BY audit_id').all(model, version, action) as AuditRow[];
  }
}
