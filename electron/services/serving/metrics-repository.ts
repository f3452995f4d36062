import type { Database } from 'better-sqlite3';
import type { MetricsPoint } from '../../../shared/contract/serving';
import { StatementCache } from '../store/statement-cache';
import type { MetricsRow } from './live-metrics';

interface StoredRow {
  version: number;
  at: number;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

/** The serving_metrics table: per-version numbers at 10 s resolution. */
export class MetricsRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  /** Stores rows in one transaction; a row for a window already stored replaces it. */
  insert(rows: readonly MetricsRow[]): void {
    if (rows.length === 0) return;
    const statement = this.sql.get(
      'INSERT OR REPLACE INTO serving_metrics (deployment, version, at, requests, errors, p50_ms, p95_ms, p99_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) statement.run(r.deployment, r.version, r.at, r.requests, r.errors, r.p50Ms, r.p95Ms, r.p99Ms);
    })();
  }

  /** A deployment's rows from sinceMs (inclusive) up to untilMs (exclusive), oldest first. */
  since(deployment: string, sinceMs: number, untilMs = Number.MAX_SAFE_INTEGER): MetricsPoint[] {
    const rows = this.sql
      .get('SELECT version, at, requests, errors, p50_ms, p95_ms, p99_ms FROM serving_metrics WHERE deployment = ? AND at >= ? AND at < ? ORDER BY at, version')
      .all(deployment, sinceMs, untilMs) as StoredRow[];
    return rows.map((r) => ({ at: r.at, version: r.version, requests: r.requests, errors: r.errors, p50Ms: r.p50_ms, p95Ms: r.p95_ms, p99Ms: r.p99_ms }));
  }

  deleteDeployment(deployment: string): number {
    return this.sql.get('DELETE FROM serving_metrics WHERE deployment = ?').run(deployment).changes;
  }

  /** Drops rows older than `beforeMs`, every deployment. */
  prune(beforeMs: number): number {
    return this.sql.get('DELETE FROM serving_metrics WHERE at < ?').run(beforeMs).changes;
  }
}
