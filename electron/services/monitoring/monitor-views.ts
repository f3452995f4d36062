import type { MonitorView, MonitorWindowDetail, MonitorWindowView } from '../../../shared/contract/monitoring';
import type { MonitorRow, StoredReport, WindowRow } from './monitoring-repository';

export function windowView(row: WindowRow): MonitorWindowView {
  return {
    id: row.id,
    deployment: row.deployment,
    seq: row.seq,
    startAt: row.startAt,
    endAt: row.endAt,
    requests: row.requests,
    rows: row.rows,
    unseenRows: row.unseenRows,
    status: row.status,
    datasetDrift: row.datasetDrift,
    driftShare: row.driftShare,
    driftedColumns: row.summary.driftedColumns,
    testedColumns: row.summary.testedColumns,
    qualityBreaches: row.summary.qualityBreaches,
    cells: row.summary.cells,
    performance: row.summary.performance,
    note: row.summary.note,
  };
}

export function windowDetail(row: WindowRow, stored: StoredReport | null): MonitorWindowDetail {
  return { ...windowView(row), report: stored?.report ?? null };
}

export function monitorView(
  row: MonitorRow,
  extra: { collected: number; pendingRows: number; latest: WindowRow | null; referenceCreatedAt: number | null; runMetrics: MonitorView['runMetrics'] },
): MonitorView {
  return {
    deployment: row.deployment,
    state: row.state,
    reason: row.reason,
    source: row.source,
    settings: row.settings,
    reference: row.summary ? { ...row.summary, createdAt: extra.referenceCreatedAt ?? row.updatedAt } : null,
    collected: extra.collected,
    pendingRows: extra.pendingRows,
    latest: extra.latest ? windowView(extra.latest) : null,
    runMetrics: extra.runMetrics,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
