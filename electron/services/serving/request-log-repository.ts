import type { Database } from 'better-sqlite3';
import type { RequestLogEntry } from '../../../shared/contract/serving';
import { StatementCache } from '../store/statement-cache';
import type { LoggedCount, LoggedRequest } from './serving-telemetry';

/** A request-log row as written; inputs and predictions already JSON text (null when unknown). */
export interface RequestLogRow {
  deployment: string;
  at: number;
  version: number;
  replicaId: string;
  status: number;
  latencyMs: number;
  requestId: string;
  modelError: boolean;
  rowCount: number;
  truncated: boolean;
  inputs: string | null;
  predictions: string | null;
}

interface StoredRow {
  id: number;
  deployment: string;
  at: number;
  version: number;
  replica_id: string;
  status: number;
  latency_ms: number;
  request_id: string;
  model_error: number;
  row_count: number;
  truncated: number;
  inputs: string | null;
  predictions: string | null;
}

/** The request_log table that monitoring reads. */
export class RequestLogRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  /** Writes a batch in one transaction. */
  insertBatch(rows: readonly RequestLogRow[]): void {
    if (rows.length === 0) return;
    const statement = this.sql.get(
      `INSERT INTO request_log (deployment, at, version, replica_id, status, latency_ms, request_id, model_error, row_count, truncated, inputs, predictions)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        statement.run(r.deployment, r.at, r.version, r.replicaId, r.status, r.latencyMs, r.requestId, r.modelError ? 1 : 0, r.rowCount, r.truncated ? 1 : 0, r.inputs, r.predictions);
      }
    })();
  }

  /** A deployment's newest entries, newest first. */
  newest(deployment: string, limit: number): RequestLogEntry[] {
    const rows = this.sql.get('SELECT * FROM request_log WHERE deployment = ? ORDER BY id DESC LIMIT ?').all(deployment, limit) as StoredRow[];
    return rows.map(toEntry);
  }

  /** Entries after an id, oldest first. */
  after(deployment: string, afterId: number, limit: number): LoggedRequest[] {
    const rows = this.sql.get('SELECT * FROM request_log WHERE deployment = ? AND id > ? ORDER BY id LIMIT ?').all(deployment, afterId, limit) as StoredRow[];
    return rows.map(toLogged);
  }

  countAfter(deployment: string, afterId: number): LoggedCount {
    const row = this.sql
      .get('SELECT count(*) AS requests, coalesce(sum(row_count), 0) AS rows, coalesce(max(id), ?) AS lastId, min(at) AS firstAt FROM request_log WHERE deployment = ? AND id > ?')
      .get(afterId, deployment, afterId) as LoggedCount;
    return row;
  }

  byRequestId(deployment: string, requestIds: readonly string[]): LoggedRequest[] {
    const found: LoggedRequest[] = [];
    const statement = this.sql.get('SELECT * FROM request_log WHERE deployment = ? AND request_id = ? ORDER BY id DESC LIMIT 1');
    for (const id of new Set(requestIds)) {
      const row = statement.get(deployment, id) as StoredRow | undefined;
      if (row) found.push(toLogged(row));
    }
    return found;
  }

  count(deployment: string): number {
    return (this.sql.get('SELECT count(*) AS n FROM request_log WHERE deployment = ?').get(deployment) as { n: number }).n;
  }

  deleteDeployment(deployment: string): number {
    return this.sql.get('DELETE FROM request_log WHERE deployment = ?').run(deployment).changes;
  }

  /**
   * Keeps at most `maxRowsPerDeployment` newest entries of each deployment and none older than
   * `beforeMs`. Returns the entries removed.
   */
  prune(maxRowsPerDeployment: number, beforeMs: number): number {
    return this.db.transaction(() => {
      let removed = this.sql.get('DELETE FROM request_log WHERE at < ?').run(beforeMs).changes;
      const deployments = this.sql.get('SELECT DISTINCT deployment FROM request_log').pluck().all() as string[];
      for (const deployment of deployments) {
        // The id of the oldest entry kept; everything of this deployment below it goes.
        const keepFrom = this.sql.get('SELECT id FROM request_log WHERE deployment = ? ORDER BY id DESC LIMIT 1 OFFSET ?').pluck().get(deployment, maxRowsPerDeployment - 1) as number | undefined;
        if (keepFrom !== undefined) removed += this.sql.get('DELETE FROM request_log WHERE deployment = ? AND id < ?').run(deployment, keepFrom).changes;
      }
      return removed;
    })();
  }
}

function toLogged(r: StoredRow): LoggedRequest {
  return { id: r.id, at: r.at, version: r.version, status: r.status, requestId: r.request_id, rowCount: r.row_count, truncated: r.truncated === 1, inputs: r.inputs, predictions: r.predictions };
}

function toEntry(r: StoredRow): RequestLogEntry {
  return {
    id: r.id,
    at: r.at,
    deployment: r.deployment,
    version: r.version,
    replicaId: r.replica_id,
    status: r.status,
    latencyMs: r.latency_ms,
    requestId: r.request_id,
    modelError: r.model_error === 1,
    inputs: r.inputs === null ? null : JSON.parse(r.inputs),
    predictions: r.predictions === null ? null : JSON.parse(r.predictions),
    rowCount: r.row_count,
    truncated: r.truncated === 1,
  };
}
