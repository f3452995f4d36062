import type { AlertMetric, ColumnDriftView, MonitorWindowView, PerformanceView } from '../../../shared/contract/monitoring';
import type { EventBus } from '../events/event-bus';
import type { MonitoringCompute } from './compute/monitoring-compute';
import type { WindowCheckResult } from './compute/compute-protocol';
import type { LoggedRequestText } from './logged-window';
import type { MonitoringRepository, MonitorRow, WindowRow } from './monitoring-repository';
import type { ServedDeployments } from './ports';

export type AlertValues = Array<{ metric: AlertMetric; column: string | null; value: number | null; detail?: string }>;

/** What a window's numbers are handed to: the alerts service. */
export interface AlertObserver {
  observe(deployment: string, at: number, values: AlertValues): void;
}

const PAGE = 2_000;
/** A window larger than this many rows is checked on its first rows; the rest count as unseen. */
const MAX_WINDOW_ROWS = 2_000_000;

/**
 * Closes windows: reads the logged requests after the monitor's cursor, has the worker check them
 * against the reference, stores the window (moving the cursor in the same transaction) and tells
 * the alert rules its numbers.
 */
export class WindowChecker {
  /** Profiles the worker was sent (it keeps them); after a worker restart the check asks again. */
  private readonly sent = new Set<string>();

  constructor(
    private readonly deps: {
      repository: MonitoringRepository;
      compute: MonitoringCompute;
      deployments: ServedDeployments;
      alerts: AlertObserver;
      bus: EventBus;
      now: () => number;
    },
  ) {}

  /** Closes a window of up to `rows` input rows (all pending rows when null); null when nothing was logged. */
  async close(monitor: MonitorRow, rows: number | null): Promise<WindowRow | null> {
    const requests = this.read(monitor.deployment, monitor.cursorLogId, rows);
    if (requests.length === 0) return null;
    const at = this.deps.now();
    const texts: LoggedRequestText[] = requests.map((r) => ({ requestId: r.requestId, rowCount: r.rowCount, truncated: r.truncated, inputs: r.inputs, predictions: r.predictions }));
    const labels = [...this.deps.repository.labels(monitor.deployment, requests.map((r) => r.requestId))];
    // A window spans the times its requests were logged (rows checked later, e.g. after a new
    // reference, keep their own times).
    const base = {
      deployment: monitor.deployment,
      startAt: Math.min(monitor.windowStarted, requests[0]!.at),
      endAt: Math.max(requests[requests.length - 1]!.at, requests[0]!.at),
      firstLogId: requests[0]!.id,
      lastLogId: requests[requests.length - 1]!.id,
      requests: requests.length,
    };
    let stored: WindowRow;
    try {
      const result = withPredictionNote(await this.check(monitor, texts, labels), monitor.settings.predictionColumn, requests.some((r) => r.predictions !== null));
      stored = this.deps.repository.addWindow({ ...base, ...windowNumbers(result) }, { report: result.report, distributions: result.distributions }, monitor.cursorLogId, at);
      this.deps.alerts.observe(monitor.deployment, at, alertValues(result, stored.seq));
    } catch (error) {
      // The worker went away (a crash, or the app closing): the rows stay pending for the next check.
      if (error instanceof Error && /monitoring worker stopped|shutting down|moved on/.test(error.message)) throw error;
      // A window that cannot be checked is kept as failed, so the next one starts after it.
      const note = `The check failed: ${error instanceof Error ? error.message : String(error)}`;
      stored = this.deps.repository.addWindow(
        {
          ...base,
          rows: requests.reduce((s, r) => s + r.rowCount, 0),
          unseenRows: 0,
          status: 'failed',
          datasetDrift: null,
          driftShare: null,
          summary: { driftedColumns: 0, testedColumns: 0, qualityBreaches: 0, cells: [], performance: null, note },
        },
        null,
        monitor.cursorLogId,
        at,
      );
    }
    this.deps.bus.publish('monitoring.window', { deployment: monitor.deployment, windowId: stored.id, datasetDrift: stored.datasetDrift });
    return stored;
  }

  /** Labels arrived: the windows holding those requests get their performance again. */
  async refreshPerformance(monitor: MonitorRow, window: WindowRow): Promise<PerformanceView | null> {
    const requests = this.deps.deployments.loggedAfter(monitor.deployment, window.firstLogId - 1, window.requests).filter((r) => r.id <= window.lastLogId);
    const labels = [...this.deps.repository.labels(monitor.deployment, requests.map((r) => r.requestId))];
    const performance = await this.deps.compute.run({
      type: 'performance',
      requests: requests.map((r) => ({ requestId: r.requestId, rowCount: r.rowCount, truncated: r.truncated, inputs: r.inputs, predictions: r.predictions })),
      labels,
      predictionColumn: monitor.settings.predictionColumn,
    });
    this.deps.repository.updateWindowSummary(window.id, { ...window.summary, performance });
    return performance;
  }

  private read(deployment: string, cursor: number, rows: number | null) {
    const limit = Math.min(rows ?? MAX_WINDOW_ROWS, MAX_WINDOW_ROWS);
    const out: ReturnType<ServedDeployments['loggedAfter']> = [];
    let seen = 0;
    let after = cursor;
    while (seen < limit) {
      const page = this.deps.deployments.loggedAfter(deployment, after, PAGE);
      for (const r of page) {
        out.push(r);
        seen += Math.max(r.rowCount, 1);
        if (seen >= limit) break;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    return out;
  }

  private async check(monitor: MonitorRow, requests: LoggedRequestText[], labels: Array<[string, unknown]>): Promise<WindowCheckResult> {
    const profile = this.deps.repository.profile(monitor.deployment);
    if (!profile) throw new Error('the reference profile is missing from the store');
    const key = `${monitor.deployment}@${profile.createdAt}`;
    const settings = { driftShare: monitor.settings.driftShare, minRows: monitor.settings.minRows, methods: monitor.settings.methods, predictionColumn: monitor.settings.predictionColumn };
    const ask = (bytes: Uint8Array | null) => this.deps.compute.run({ type: 'check-logged', profileKey: key, profile: bytes, requests, labels, settings });
    if (this.sent.has(key)) {
      try {
        return await ask(null);
      } catch (error) {
        if (!(error instanceof Error && error.message.includes('not cached'))) throw error;
      }
    }
    const result = await ask(profile.bytes);
    this.sent.add(key);
    return result;
  }
}

/** A reference without the model's answers cannot test them: the window says so instead of leaving the column out. */
function withPredictionNote(result: WindowCheckResult, column: string, answered: boolean): WindowCheckResult {
  if (!answered || result.report.columns.some((c) => c.role === 'prediction' || c.column === column)) return result;
  const note: ColumnDriftView = {
    column,
    kind: 'numeric',
    role: 'prediction',
    method: null,
    statistic: null,
    pValue: null,
    threshold: null,
    basis: null,
    drift: null,
    score: null,
    effect: null,
    errorBound: null,
    referenceRows: 0,
    currentRows: result.rows,
    note: `not tested: the reference has no '${column}' column (a reference from logged requests, or a file with the model's answers in a '${column}' column, tests prediction drift)`,
  };
  return { ...result, report: { ...result.report, columns: [...result.report.columns, note] } };
}

function windowNumbers(result: WindowCheckResult): Omit<WindowRow, 'id' | 'seq' | 'deployment' | 'startAt' | 'endAt' | 'firstLogId' | 'lastLogId' | 'requests'> {
  const { report } = result;
  const enough = report.testedColumns > 0;
  const cells: MonitorWindowView['cells'] = report.columns.map((c) => ({ column: c.column, role: c.role, score: c.score, drift: c.drift }));
  return {
    rows: result.rows,
    unseenRows: result.unseen,
    status: enough ? 'checked' : 'not-enough-data',
    datasetDrift: report.datasetDrift,
    driftShare: report.driftShare,
    summary: {
      driftedColumns: report.driftedColumns,
      testedColumns: report.testedColumns,
      qualityBreaches: report.quality.breaches,
      cells,
      performance: result.performance,
      note: enough ? null : (report.columns.find((c) => c.note)?.note ?? 'not enough data for any test'),
    },
  };
}

/** The window's numbers under the names alert rules use. */
export function alertValues(result: Pick<WindowCheckResult, 'report' | 'performance'>, seq: number): AlertValues {
  const { report, performance } = result;
  const drifted = report.columns.filter((c) => c.drift === true).map((c) => c.column);
  const detail = `window ${seq}, ${report.driftedColumns} of ${report.testedColumns} columns drifted${drifted.length ? ` (${drifted.slice(0, 8).join(', ')}${drifted.length > 8 ? ', …' : ''})` : ''}`;
  const bool = (b: boolean | null) => (b === null ? null : b ? 1 : 0);
  const prediction = report.columns.find((c) => c.role === 'prediction');
  const values: AlertValues = [
    { metric: 'dataset_drift', column: null, value: bool(report.datasetDrift), detail },
    { metric: 'drift_share', column: null, value: report.driftShare, detail },
    { metric: 'prediction_drift', column: null, value: prediction ? bool(prediction.drift) : null, detail: `window ${seq}` },
    { metric: 'quality_breaches', column: null, value: report.quality.breaches, detail: `window ${seq}` },
  ];
  for (const c of report.columns) values.push({ metric: 'column_drift', column: c.column, value: bool(c.drift), detail: `window ${seq}${c.effect ? `, ${c.effect.text}` : ''}` });
  for (const q of report.quality.columns) values.push({ metric: 'missing_share', column: q.column, value: q.missingShare, detail: `window ${seq}` });
  values.push(...performanceValues(performance));
  return values;
}

export function performanceValues(performance: PerformanceView | null): AlertValues {
  const metrics = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'mae', 'rmse', 'r2'] as const;
  const key = { accuracy: 'accuracy', precision: 'precision', recall: 'recall', f1: 'f1', roc_auc: 'rocAuc', mae: 'mae', rmse: 'rmse', r2: 'r2' } as const;
  return metrics.map((metric) => ({ metric, column: null, value: performance ? (performance[key[metric]] ?? null) : null }));
}
