import { z } from 'zod';
import { method, event, type EventsOf } from './define';

/** The drift tests a column may use; the default is chosen per column as Evidently does. */
export const driftMethodNames = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger', 'cramer_von_mises'] as const;
export type DriftMethodId = (typeof driftMethodNames)[number];
export const columnKinds = ['numeric', 'categorical'] as const;
export type ColumnKindName = (typeof columnKinds)[number];

/** One column's drift test in one window (or one file comparison). */
export interface ColumnDriftView {
  column: string;
  kind: ColumnKindName;
  /** 'feature', the model's predictions ('prediction') or the ground truth ('target'): all tested the same way. */
  role: 'feature' | 'prediction' | 'target';
  /** Null when there was not enough data for a verdict (then `note` says why). */
  method: DriftMethodId | null;
  statistic: number | null;
  pValue: number | null;
  threshold: number | null;
  /** 'p-value': drift when p is at or under the threshold; 'distance': when the statistic reaches it. */
  basis: 'p-value' | 'distance' | null;
  drift: boolean | null;
  /** 0–1, 0.5 at the threshold: what the heatmap colours by. */
  score: number | null;
  /** What the shift amounts to, readable beside a p-value (a tiny shift on a million rows is tiny). */
  effect: { name: string; value: number; text: string } | null;
  /** When the reference is sketched: how far the statistic may be from the exact one; null when exact. */
  errorBound: number | null;
  referenceRows: number;
  currentRows: number;
  note: string | null;
}

export interface ColumnQualityView {
  column: string;
  kind: ColumnKindName;
  rows: number;
  missingShare: number;
  referenceMissingShare: number;
  outOfRangeShare: number | null;
  newCategoryShare: number | null;
  typeMismatches: number;
  nonFinite: number;
  constant: boolean;
  /** Names of the measures over their threshold ('missing', 'out-of-range', 'new-category', 'type-mismatch', 'constant', 'non-finite'). */
  breaches: string[];
}

export interface DataQualityView {
  missingColumns: string[];
  extraColumns: string[];
  columns: ColumnQualityView[];
  breaches: number;
}

/** The whole comparison of a current dataset with a reference. */
export interface DriftReportView {
  referenceRows: number;
  currentRows: number;
  columns: ColumnDriftView[];
  /** Share of tested feature columns that drifted; null when none could be tested. */
  driftShare: number | null;
  driftShareThreshold: number;
  datasetDrift: boolean | null;
  driftedColumns: number;
  testedColumns: number;
  quality: DataQualityView;
  /** How the reference is held: 'exact' up to 1,000,000 rows, else 'sketched' (see each errorBound). */
  referenceForm: 'exact' | 'sketched';
  tookMs: number;
}

/** Bars for one column: reference and current shares over the same bins (or categories). */
export interface ColumnDistributionView {
  column: string;
  kind: ColumnKindName;
  labels: string[];
  reference: number[];
  current: number[];
  result: ColumnDriftView | null;
}

export interface PerformanceView {
  task: 'classification' | 'regression';
  labelled: number;
  accuracy?: number | null;
  precision?: number | null;
  recall?: number | null;
  f1?: number | null;
  rocAuc?: number | null;
  mae?: number | null;
  rmse?: number | null;
  r2?: number | null;
}

export type WindowStatus = 'checked' | 'not-enough-data' | 'failed';

export interface MonitorWindowView {
  id: number;
  deployment: string;
  seq: number;
  startAt: number;
  endAt: number;
  requests: number;
  rows: number;
  /** Rows the window could not see: requests over the request log's size cap. */
  unseenRows: number;
  status: WindowStatus;
  datasetDrift: boolean | null;
  driftShare: number | null;
  driftedColumns: number;
  testedColumns: number;
  qualityBreaches: number;
  /** One cell per column for the heatmap (prediction included). */
  cells: Array<{ column: string; role: 'feature' | 'prediction' | 'target'; score: number | null; drift: boolean | null }>;
  performance: PerformanceView | null;
  note: string | null;
}

export interface MonitorWindowDetail extends MonitorWindowView {
  report: DriftReportView | null;
}

export type ReferenceSource =
  | { kind: 'file'; path: string }
  | { kind: 'run-artifact'; runId: string; path: string }
  | { kind: 'run-dataset'; runId: string; name?: string }
  | { kind: 'requests'; count: number };

export interface MonitorSettings {
  /** A window closes every this many logged input rows (null: by time only). */
  windowRequests: number | null;
  /** A window closes every this many minutes (null: by rows only). */
  windowMinutes: number | null;
  driftShare: number;
  /** Fewer current rows than this gives "not enough data" instead of a verdict. */
  minRows: number;
  columnKinds: Record<string, ColumnKindName>;
  methods: Record<string, { method: DriftMethodId; threshold: number | null }>;
  /** The column of a request's answer tested as the prediction, when the model answers one per row. */
  predictionColumn: string;
}

export type MonitorState = 'collecting' | 'watching' | 'failed';

export interface MonitorView {
  deployment: string;
  state: MonitorState;
  reason: string | null;
  source: ReferenceSource;
  settings: MonitorSettings;
  reference: { rows: number; columns: Array<{ name: string; kind: ColumnKindName; missingShare: number; min: number | null; max: number | null; mean: number | null; std: number | null; categories: number | null }>; form: 'exact' | 'sketched'; createdAt: number } | null;
  /** Rows gathered toward the reference when it is "the first N logged requests". */
  collected: number;
  /** Rows logged since the last window closed. */
  pendingRows: number;
  latest: MonitorWindowView | null;
  /** What the served version's training run logged (accuracy, f1, rmse…), shown beside live performance. */
  runMetrics: { model: string; version: number; runId: string; metrics: Record<string, number> } | null;
  createdAt: number;
  updatedAt: number;
}

export const alertMetrics = [
  'dataset_drift',
  'drift_share',
  'column_drift',
  'prediction_drift',
  'quality_breaches',
  'missing_share',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'mae',
  'rmse',
  'r2',
  'p95_ms',
  'error_rate',
] as const;
export type AlertMetric = (typeof alertMetrics)[number];
export const alertComparisons = ['>', '>=', '<', '<='] as const;
export type AlertComparison = (typeof alertComparisons)[number];

export interface AlertRuleView {
  id: number;
  deployment: string;
  name: string;
  metric: AlertMetric;
  /** The column for column_drift and missing_share; null otherwise. */
  column: string | null;
  comparison: AlertComparison;
  threshold: number;
  /** The condition must hold this long before the alert fires (0: at once). */
  forSeconds: number;
  enabled: boolean;
  /** Made by Orrery when the deployment got a reference; still editable. */
  isDefault: boolean;
  /** No notification for this rule's alerts before this time (ms since epoch); null: not silenced. */
  silencedUntil: number | null;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

/** What raised an alert: a deployment's alert rule, or a pipeline whose runs fail. */
export type AlertSource = 'rule' | 'pipeline';

/** A pipeline failure incident: open from a failed run (or a trigger's run that could not start) until a run succeeds. */
export interface PipelineAlertView {
  /** The pipeline file, absolute: one incident per file at a time. */
  file: string;
  /** The pipeline's name (its folder's when the file could not be read). */
  name: string;
  /** The latest failed run (its page: #/pipeline-runs/<runId>); null when a trigger's run could not start. */
  runId: string | null;
  /** The stage that failed in that run; null when the run failed before any stage or did not start. */
  stage: string | null;
  /** Why: the stage's error, or why the run could not start. */
  error: string;
  /** Failed runs (and failed starts) in this streak. */
  failures: number;
}

export interface AlertView {
  id: number;
  /** The rule that raised it; null for a pipeline alert. */
  ruleId: number | null;
  /** Null for a pipeline alert (see `pipeline`). */
  deployment: string | null;
  name: string;
  /** Null for a pipeline alert, as are threshold and comparison. */
  metric: AlertMetric | null;
  state: AlertState;
  value: number | null;
  threshold: number | null;
  comparison: AlertComparison | null;
  message: string;
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  silencedUntil: number | null;
  /** When the notification for this incident went out (one per incident). */
  notifiedAt: number | null;
  /** 'rule' when absent (what older Orrery versions sent). */
  source?: AlertSource;
  /** The failing pipeline, for a pipeline alert; null or absent otherwise. */
  pipeline?: PipelineAlertView | null;
}

export interface AlertSettingsView {
  webhookUrl: string | null;
  lastWebhookError: string | null;
}

export interface FeedbackResult {
  recorded: number;
  /** Request ids no logged request has: nothing is stored for them. */
  unknown: string[];
}

/** An alert's change; `notify` is true once per incident, when the user should be told (desktop notification). */
export type AlertEvent = AlertView & { notify: boolean };

export interface MonitorWindowEvent {
  deployment: string;
  windowId: number;
  datasetDrift: boolean | null;
}

const deploymentName = z.string().trim().min(1, 'must not be empty').max(63);
const actor = z.string().trim().min(1).max(200).default('user');
const filePath = z.string().trim().min(1, 'must not be empty').max(4096);
const columnName = z.string().min(1, 'must not be empty').max(500);
const columnKindMap = z.record(columnName, z.enum(columnKinds));
const methodMap = z.record(
  columnName,
  z.object({ method: z.enum(driftMethodNames), threshold: z.number().min(0, 'must be 0 or more').max(1e6).nullable().default(null) }).strict(),
);
const driftShare = z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1');

export const referenceSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: filePath }).strict(),
  z.object({ kind: z.literal('run-artifact'), runId: z.string().trim().min(1).max(64), path: filePath }).strict(),
  z.object({ kind: z.literal('run-dataset'), runId: z.string().trim().min(1).max(64), name: z.string().trim().min(1).max(500).optional() }).strict(),
  z.object({ kind: z.literal('requests'), count: z.number().int().min(10, 'must be at least 10 rows').max(1_000_000) }).strict(),
]);

const monitorSettingsInput = {
  windowRequests: z.number().int().min(10, 'must be at least 10 rows').max(10_000_000).nullable().optional(),
  windowMinutes: z.number().int().min(1, 'must be at least 1 minute').max(10_080, 'must be at most a week (10080)').nullable().optional(),
  driftShare: driftShare.optional(),
  minRows: z.number().int().min(1).max(1_000_000).optional(),
  columnKinds: columnKindMap.optional(),
  methods: methodMap.optional(),
  predictionColumn: columnName.optional(),
};

const comparisonInput = {
  columnKinds: columnKindMap.default({}),
  methods: methodMap.default({}),
  driftShare: driftShare.default(0.5),
  target: columnName.optional(),
  minRows: z.number().int().min(1).max(1_000_000).default(1),
};

const alertRuleFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  metric: z.enum(alertMetrics),
  column: columnName.nullable().default(null),
  comparison: z.enum(alertComparisons),
  threshold: z.number().refine(Number.isFinite, 'must be a finite number'),
  forSeconds: z.number().int().min(0, 'must be 0 or more').max(7 * 86_400, 'must be at most a week'),
  enabled: z.boolean().default(true),
};

const labelValue = z.union([z.number(), z.string().max(1000), z.boolean(), z.array(z.union([z.number(), z.string().max(1000), z.boolean()])).max(100_000)]);

export const monitoringMethods = {
  'monitoring.listMonitors': method<MonitorView[]>()(z.object({}).strict(), 'Deployments that have a reference, with their latest window.'),
  'monitoring.getMonitor': method<MonitorView | null>()(z.object({ deployment: deploymentName }).strict(), "A deployment's reference, window settings and latest window (null when it has no reference)."),
  'monitoring.setReference': method<MonitorView>()(
    z.object({ deployment: deploymentName, source: referenceSourceSchema, ...monitorSettingsInput, actor }).strict(),
    'Choose the reference a deployment is compared with (a CSV or Parquet file, a run artifact or dataset, or its first N logged requests) and its windows.',
  ),
  'monitoring.updateMonitor': method<MonitorView>()(
    z.object({ deployment: deploymentName, ...monitorSettingsInput, actor }).strict(),
    'Change windows, drift share, column kinds or per-column methods; later windows use them.',
  ),
  'monitoring.deleteMonitor': method<{ deleted: true }>()(z.object({ deployment: deploymentName, actor }).strict(), 'Stop watching a deployment: its reference, windows, rules and alerts go.'),
  'monitoring.checkMonitor': method<MonitorWindowView | null>()(
    z.object({ deployment: deploymentName }).strict(),
    'Close the current window now and check it (null when no row was logged since the last window).',
  ),
  'monitoring.listWindows': method<MonitorWindowView[]>()(
    z.object({ deployment: deploymentName, limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    'Checked windows, oldest first, each with one heatmap cell per column.',
  ),
  'monitoring.getWindow': method<MonitorWindowDetail>()(z.object({ deployment: deploymentName, windowId: z.number().int().min(1) }).strict(), "One window's full report: every column's test, data quality and performance."),
  'monitoring.getDistribution': method<ColumnDistributionView>()(
    z.object({ deployment: deploymentName, windowId: z.number().int().min(1), column: columnName }).strict(),
    "Reference and current distributions of one column in one window, over the test's bins.",
  ),
  'monitoring.compareDatasets': method<DriftReportView & { distributions: ColumnDistributionView[] }>()(
    z.object({ reference: filePath, current: filePath, ...comparisonInput }).strict(),
    'Compare two CSV or Parquet files on this machine: drift per column, dataset verdict and data quality.',
  ),
  'monitoring.exportReport': method<{ fileName: string; html: string; json: string }>()(
    z.union([
      z.object({ deployment: deploymentName, windowId: z.number().int().min(1).optional() }).strict(),
      z.object({ reference: filePath, current: filePath, ...comparisonInput }).strict(),
    ]),
    'A self-contained HTML report and its JSON, for a window (the latest by default) or a file comparison.',
  ),
  'monitoring.recordFeedback': method<FeedbackResult>()(
    z
      .object({
        deployment: deploymentName,
        labels: z.array(z.object({ requestId: z.string().min(1).max(200), label: labelValue }).strict()).min(1, 'must hold at least one label').max(100_000),
      })
      .strict(),
    'Ground truth for logged requests, by request id (the same as POST /feedback on the deployment URL).',
  ),
  'monitoring.importFeedback': method<FeedbackResult>()(
    z.object({ deployment: deploymentName, file: filePath, idColumn: columnName, labelColumn: columnName }).strict(),
    'Ground truth from a CSV or Parquet file, joined on its request id column.',
  ),
  'monitoring.listAlerts': method<AlertView[]>()(
    z.object({ deployment: deploymentName.optional(), state: z.enum(['pending', 'firing', 'resolved']).optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    "Alerts, newest first: pending, firing and resolved incidents of deployments' rules and of failing pipelines.",
  ),
  'monitoring.acknowledgeAlert': method<AlertView>()(z.object({ id: z.number().int().min(1), actor }).strict(), 'Mark an alert as seen: it stays in the inbox, no longer counted as new.'),
  'monitoring.silenceAlert': method<AlertView>()(
    z.object({ id: z.number().int().min(1), until: z.number().int().min(0).max(8_640_000_000_000_000, 'must be a time JavaScript dates can hold (before the year 275760)'), actor }).strict(),
    "Silence an alert's rule until a time (ms since epoch): no notification until then. A pipeline alert has no rule to silence (it is told once per failing streak).",
  ),
  'monitoring.listAlertRules': method<AlertRuleView[]>()(z.object({ deployment: deploymentName }).strict(), "A deployment's alert rules."),
  'monitoring.createAlertRule': method<AlertRuleView>()(z.object({ deployment: deploymentName, ...alertRuleFields, actor }).strict(), 'Add an alert rule: metric, comparison, threshold and for-duration.'),
  'monitoring.updateAlertRule': method<AlertRuleView>()(
    z
      .object({
        id: z.number().int().min(1),
        name: alertRuleFields.name.optional(),
        comparison: alertRuleFields.comparison.optional(),
        threshold: alertRuleFields.threshold.optional(),
        forSeconds: alertRuleFields.forSeconds.optional(),
        enabled: z.boolean().optional(),
        actor,
      })
      .strict(),
    'Change an alert rule.',
  ),
  'monitoring.deleteAlertRule': method<{ deleted: true }>()(z.object({ id: z.number().int().min(1), actor }).strict(), 'Remove an alert rule (its alerts resolve).'),
  'monitoring.getAlertSettings': method<AlertSettingsView>()(z.object({}).strict(), 'Where firing alerts are sent besides the app: a webhook URL.'),
  'monitoring.updateAlertSettings': method<AlertSettingsView>()(
    z.object({ webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000).nullable(), actor }).strict(),
    'Set or clear the webhook that receives a JSON POST per firing alert.',
  ),
};

export const monitoringEvents = {
  'monitoring.window': event<MonitorWindowEvent>('A window was checked'),
  'monitoring.alert': event<AlertEvent>('An alert changed state (pending, firing, resolved) or was acknowledged or silenced'),
  'monitoring.monitor': event<{ deployment: string }>("A deployment's reference or monitor settings changed"),
};
export type MonitoringEvents = EventsOf<typeof monitoringEvents>;
