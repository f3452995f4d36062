import type { Database } from 'better-sqlite3';
import type { ColumnDistributionView, DriftReportView, MonitorSettings, MonitorState, MonitorView, MonitorWindowView, ReferenceSource, WindowStatus } from '../../../shared/contract/monitoring';
import { StatementCache } from '../store/statement-cache';

export type ReferenceSummary = Omit<NonNullable<MonitorView['reference']>, 'createdAt'>;

export interface MonitorRow {
  deployment: string;
  state: MonitorState;
  reason: string | null;
  source: ReferenceSource;
  settings: MonitorSettings;
  summary: ReferenceSummary | null;
  /** The newest request-log id already in a window (or in the reference, for 'requests'). */
  cursorLogId: number;
  windowStarted: number;
  createdAt: number;
  updatedAt: number;
}

/** What a closed window keeps: its numbers for lists and the heatmap, and the whole report. */
export interface WindowRow {
  id: number;
  deployment: string;
  seq: number;
  startAt: number;
  endAt: number;
  firstLogId: number;
  lastLogId: number;
  requests: number;
  rows: number;
  unseenRows: number;
  status: WindowStatus;
  datasetDrift: boolean | null;
  driftShare: number | null;
  summary: Pick<MonitorWindowView, 'driftedColumns' | 'testedColumns' | 'qualityBreaches' | 'cells' | 'performance' | 'note'>;
}

export interface StoredReport {
  report: DriftReportView;
  distributions: ColumnDistributionView[];
}

interface RawMonitor {
  deployment: string;
  state: MonitorState;
  reason: string | null;
  source: string;
  settings: string;
  summary: string | null;
  cursor_log_id: number;
  window_started: number;
  created_at: number;
  updated_at: number;
}

interface RawWindow {
  id: number;
  deployment: string;
  seq: number;
  start_at: number;
  end_at: number;
  first_log_id: number;
  last_log_id: number;
  requests: number;
  rows: number;
  unseen_rows: number;
  status: WindowStatus;
  dataset_drift: number | null;
  drift_share: number | null;
  summary: string;
}

/** Monitors, their reference profiles, checked windows and ground-truth labels: the only SQL of monitoring (alerts aside). */
export class MonitoringRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  get(deployment: string): MonitorRow | null {
    const raw = this.sql.get('SELECT * FROM monitors WHERE deployment = ?').get(deployment) as RawMonitor | undefined;
    return raw ? monitorOf(raw) : null;
  }

  list(): MonitorRow[] {
    return (this.sql.get('SELECT * FROM monitors ORDER BY deployment').all() as RawMonitor[]).map(monitorOf);
  }

  /** A new reference replaces the old one with its windows: they were checked against something else. */
  replace(row: MonitorRow, profile: Uint8Array | null): void {
    this.db.transaction(() => {
      this.sql.get('DELETE FROM monitors WHERE deployment = ?').run(row.deployment);
      this.sql
        .get(
          `INSERT INTO monitors (deployment, state, reason, source, settings, summary, cursor_log_id, window_started, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(row.deployment, row.state, row.reason, JSON.stringify(row.source), JSON.stringify(row.settings), row.summary ? JSON.stringify(row.summary) : null, row.cursorLogId, row.windowStarted, row.createdAt, row.updatedAt);
      if (profile) this.sql.get('INSERT INTO reference_profiles (deployment, profile, created_at) VALUES (?, ?, ?)').run(row.deployment, Buffer.from(profile.buffer, profile.byteOffset, profile.byteLength), row.updatedAt);
    })();
  }

  /** A reference gathered from logged requests is ready: the profile arrives and watching starts. */
  setProfile(deployment: string, profile: Uint8Array, summary: ReferenceSummary, cursorLogId: number, at: number): void {
    this.db.transaction(() => {
      this.sql.get('INSERT OR REPLACE INTO reference_profiles (deployment, profile, created_at) VALUES (?, ?, ?)').run(deployment, Buffer.from(profile.buffer, profile.byteOffset, profile.byteLength), at);
      this.sql
        .get("UPDATE monitors SET state = 'watching', reason = NULL, summary = ?, cursor_log_id = ?, window_started = ?, updated_at = ? WHERE deployment = ?")
        .run(JSON.stringify(summary), cursorLogId, at, at, deployment);
    })();
  }

  profile(deployment: string): { bytes: Uint8Array; createdAt: number } | null {
    const row = this.sql.get('SELECT profile, created_at FROM reference_profiles WHERE deployment = ?').get(deployment) as { profile: Buffer; created_at: number } | undefined;
    return row ? { bytes: new Uint8Array(row.profile.buffer, row.profile.byteOffset, row.profile.byteLength), createdAt: row.created_at } : null;
  }

  updateSettings(deployment: string, settings: MonitorSettings, at: number): void {
    this.sql.get('UPDATE monitors SET settings = ?, updated_at = ? WHERE deployment = ?').run(JSON.stringify(settings), at, deployment);
  }

  setState(deployment: string, state: MonitorState, reason: string | null, at: number): void {
    this.sql.get('UPDATE monitors SET state = ?, reason = ?, updated_at = ? WHERE deployment = ?').run(state, reason, at, deployment);
  }

  delete(deployment: string): boolean {
    return this.db.transaction(() => {
      this.sql.get('DELETE FROM feedback WHERE deployment = ?').run(deployment);
      return this.sql.get('DELETE FROM monitors WHERE deployment = ?').run(deployment).changes > 0;
    })();
  }

  /** Stores a checked window and moves the cursor past its rows, in one transaction (a crash never checks rows twice). */
  addWindow(window: Omit<WindowRow, 'id' | 'seq'>, report: StoredReport | null, expectedCursor: number, closedAt: number): WindowRow {
    return this.db.transaction(() => {
      // Only the close that read from the current cursor may store: two closes never count the same rows.
      const moved = this.sql
        .get('UPDATE monitors SET cursor_log_id = ?, window_started = ?, updated_at = ? WHERE deployment = ? AND cursor_log_id = ?')
        .run(window.lastLogId, closedAt, closedAt, window.deployment, expectedCursor).changes;
      if (moved === 0) throw new Error(`the monitor of '${window.deployment}' moved on while this window was checked`);
      const seq = ((this.sql.get('SELECT max(seq) AS s FROM monitor_windows WHERE deployment = ?').get(window.deployment) as { s: number | null }).s ?? 0) + 1;
      const info = this.sql
        .get(
          `INSERT INTO monitor_windows (deployment, seq, start_at, end_at, first_log_id, last_log_id, requests, rows, unseen_rows, status, dataset_drift, drift_share, summary, report)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          window.deployment,
          seq,
          window.startAt,
          window.endAt,
          window.firstLogId,
          window.lastLogId,
          window.requests,
          window.rows,
          window.unseenRows,
          window.status,
          window.datasetDrift === null ? null : window.datasetDrift ? 1 : 0,
          window.driftShare,
          JSON.stringify(window.summary),
          report ? JSON.stringify(report) : null,
        );
      return { ...window, id: Number(info.lastInsertRowid), seq };
    })();
  }

  /** Moves the window clock on without a window (a time window with no rows). */
  restartWindow(deployment: string, at: number): void {
    this.sql.get('UPDATE monitors SET window_started = ? WHERE deployment = ?').run(at, deployment);
  }

  windows(deployment: string, limit: number): WindowRow[] {
    const rows = this.sql.get('SELECT * FROM monitor_windows WHERE deployment = ? ORDER BY seq DESC LIMIT ?').all(deployment, limit) as RawWindow[];
    return rows.reverse().map(windowOf);
  }

  latestWindow(deployment: string): WindowRow | null {
    const raw = this.sql.get('SELECT * FROM monitor_windows WHERE deployment = ? ORDER BY seq DESC LIMIT 1').get(deployment) as RawWindow | undefined;
    return raw ? windowOf(raw) : null;
  }

  window(deployment: string, id: number): WindowRow | null {
    const raw = this.sql.get('SELECT * FROM monitor_windows WHERE deployment = ? AND id = ?').get(deployment, id) as RawWindow | undefined;
    return raw ? windowOf(raw) : null;
  }

  report(id: number): StoredReport | null {
    const text = this.sql.get('SELECT report FROM monitor_windows WHERE id = ?').pluck().get(id) as string | null | undefined;
    return text ? (JSON.parse(text) as StoredReport) : null;
  }

  /** Windows whose request-log span holds any of these ids (labels arrived for them). */
  windowsHolding(deployment: string, logIds: readonly number[]): WindowRow[] {
    const found = new Map<number, WindowRow>();
    const statement = this.sql.get('SELECT * FROM monitor_windows WHERE deployment = ? AND first_log_id <= ? AND last_log_id >= ? LIMIT 1');
    for (const id of logIds) {
      const raw = statement.get(deployment, id, id) as RawWindow | undefined;
      if (raw) found.set(raw.id, windowOf(raw));
    }
    return [...found.values()];
  }

  updateWindowSummary(id: number, summary: WindowRow['summary']): void {
    this.sql.get('UPDATE monitor_windows SET summary = ? WHERE id = ?').run(JSON.stringify(summary), id);
  }

  saveLabels(deployment: string, labels: ReadonlyArray<{ requestId: string; label: unknown }>, at: number): void {
    const statement = this.sql.get('INSERT OR REPLACE INTO feedback (deployment, request_id, label, at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const l of labels) statement.run(deployment, l.requestId, JSON.stringify(l.label), at);
    })();
  }

  labels(deployment: string, requestIds: readonly string[]): Map<string, unknown> {
    const found = new Map<string, unknown>();
    const statement = this.sql.get('SELECT label FROM feedback WHERE deployment = ? AND request_id = ?').pluck();
    for (const id of requestIds) {
      const text = statement.get(deployment, id) as string | undefined;
      if (text !== undefined) found.set(id, JSON.parse(text));
    }
    return found;
  }
}

function monitorOf(r: RawMonitor): MonitorRow {
  return {
    deployment: r.deployment,
    state: r.state,
    reason: r.reason,
    source: JSON.parse(r.source) as ReferenceSource,
    settings: JSON.parse(r.settings) as MonitorSettings,
    summary: r.summary ? (JSON.parse(r.summary) as ReferenceSummary) : null,
    cursorLogId: r.cursor_log_id,
    windowStarted: r.window_started,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function windowOf(r: RawWindow): WindowRow {
  return {
    id: r.id,
    deployment: r.deployment,
    seq: r.seq,
    startAt: r.start_at,
    endAt: r.end_at,
    firstLogId: r.first_log_id,
    lastLogId: r.last_log_id,
    requests: r.requests,
    rows: r.rows,
    unseenRows: r.unseen_rows,
    status: r.status,
    datasetDrift: r.dataset_drift === null ? null : r.dataset_drift === 1,
    driftShare: r.drift_share,
    summary: JSON.parse(r.summary) as WindowRow['summary'],
  };
}
