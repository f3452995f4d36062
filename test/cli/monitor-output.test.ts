import { describe, expect, it } from 'vitest';
import { driftReportText, number, verdictLine } from '../../electron/cli/drift-report-text';
import { alertText, alertsText, checkText, feedbackText, monitorText, statusText } from '../../electron/cli/monitor-output';
import type { AlertView, ColumnDriftView, DriftReportView, MonitorView, MonitorWindowDetail, MonitorWindowView } from '../../shared/contract/monitoring';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

function column(over: Partial<ColumnDriftView>): ColumnDriftView {
  return {
    column: 'age',
    kind: 'numeric',
    role: 'feature',
    method: 'wasserstein',
    statistic: 0.31,
    pValue: null,
    threshold: 0.1,
    basis: 'distance',
    drift: true,
    score: 1,
    effect: { name: 'mean shift (reference σ)', value: 0.3, text: 'mean moved +0.30 σ' },
    errorBound: null,
    referenceRows: 2000,
    currentRows: 1000,
    note: null,
    ...over,
  };
}

function report(over: Partial<DriftReportView> = {}): DriftReportView {
  return {
    referenceRows: 2000,
    currentRows: 1000,
    columns: [
      column({}),
      column({ column: 'city', kind: 'categorical', method: 'chisquare', statistic: 2.5, pValue: 0.000012, threshold: 0.05, basis: 'p-value', drift: true, effect: { name: 'tvd', value: 0.1, text: '10.0% of rows changed category' } }),
      column({ column: 'y', role: 'prediction', method: 'ks', statistic: 0.02, pValue: 0.5, threshold: 0.05, basis: 'p-value', drift: false, effect: { name: 'm', value: 0, text: 'mean moved +0.00 σ' } }),
      column({ column: 'zip', kind: 'categorical', method: null, statistic: null, threshold: null, basis: null, drift: null, score: null, effect: null, currentRows: 0, note: 'not enough data: 0 values, at least 1 needed' }),
    ],
    driftShare: 2 / 3,
    driftShareThreshold: 0.5,
    datasetDrift: true,
    driftedColumns: 2,
    testedColumns: 3,
    quality: {
      missingColumns: [],
      extraColumns: ['channel'],
      columns: [
        { column: 'zip', kind: 'categorical', rows: 1000, missingShare: 1, referenceMissingShare: 0.01, outOfRangeShare: null, newCategoryShare: 0, typeMismatches: 0, nonFinite: 0, constant: false, breaches: ['missing'] },
        { column: 'age', kind: 'numeric', rows: 1000, missingShare: 0, referenceMissingShare: 0, outOfRangeShare: 0.125, newCategoryShare: null, typeMismatches: 3, nonFinite: 1, constant: false, breaches: ['out-of-range', 'type-mismatch', 'non-finite'] },
        { column: 'city', kind: 'categorical', rows: 1000, missingShare: 0, referenceMissingShare: 0, outOfRangeShare: null, newCategoryShare: 0, typeMismatches: 0, nonFinite: 0, constant: false, breaches: [] },
      ],
      breaches: 4,
    },
    referenceForm: 'exact',
    tookMs: 12,
    ...over,
  };
}

describe('the drift report in a terminal', () => {
  it('a row per column with the rule, roles, notes, then schema drift, quality and the verdict last', () => {
    expect(driftReportText(report(), { reference: '/d/ref.csv', current: '/d/cur.csv' })).toBe(
      [
        'Reference /d/ref.csv: 2,000 rows; current /d/cur.csv: 1,000 rows',
        '',
        'COLUMN          KIND         METHOD       STATISTIC  P-VALUE  THRESHOLD  DRIFT       EFFECT / NOTE',
        'age             numeric      wasserstein  0.31       –        ≥ 0.1      DRIFT       mean moved +0.30 σ',
        'city            categorical  chisquare    2.5        1.20e-5  p < 0.05   DRIFT       10.0% of rows changed category',
        'y (prediction)  numeric      ks           0.02       0.5      p ≤ 0.05   no drift    mean moved +0.00 σ',
        'zip             categorical  –            –          –        –          no verdict  not enough data: 0 values, at least 1 needed',
        '',
        'Schema drift: in the current data only (not tested): channel',
        'Data quality: 4 breaches',
        '  zip: missing 100% (reference 1%)',
        '  age: outside the reference range 12.5%, 3 values of the wrong type, 1 NaN or infinite value',
        '',
        'Dataset drift: 2 of 3 tested columns drift (66.67%), threshold 50%.',
      ].join('\n'),
    );
  });

  it('a sketched reference shows each statistic\'s error bound', () => {
    const sketched = report({ referenceForm: 'sketched', columns: [column({ method: 'ks', statistic: 0.0123, pValue: 0.2, threshold: 0.05, basis: 'p-value', drift: false, errorBound: 0.005 })] });
    const text = driftReportText(sketched, { reference: 'r', current: 'c' });
    expect(text.split('\n')[0]).toBe('Reference r: 2,000 rows; current c: 1,000 rows (reference sketched: see ± beside each statistic)');
    expect(text).toMatch(/^age +numeric +ks +0\.0123 ±0\.005 +0\.2 +p ≤ 0\.05 +no drift/m);
  });

  it('verdicts: drift, none, and none possible', () => {
    expect(verdictLine({ datasetDrift: false, driftShare: 0, driftedColumns: 0, testedColumns: 1, driftShareThreshold: 0.5 })).toBe('No dataset drift: 0 of 1 tested column drift (0%), threshold 50%.');
    expect(verdictLine({ datasetDrift: null, driftShare: null, driftedColumns: 0, testedColumns: 0, driftShareThreshold: 0.3 })).toBe('No verdict: no column could be tested (threshold 30%).');
  });

  it('numbers keep four significant digits and never print a tiny p-value as 0', () => {
    expect(number(0.000012)).toBe('1.20e-5');
    expect(number(2.7e-53)).toBe('2.70e-53');
    expect(number(0.123456)).toBe('0.1235');
    expect(number(0)).toBe('0');
    expect(number(12345678)).toBe('1.23e+7');
  });
});

const window: MonitorWindowView = {
  id: 7,
  deployment: 'web',
  seq: 3,
  startAt: T0,
  endAt: T0 + 3_600_000,
  requests: 120,
  rows: 1000,
  unseenRows: 40,
  status: 'checked',
  datasetDrift: true,
  driftShare: 2 / 3,
  driftedColumns: 2,
  testedColumns: 3,
  qualityBreaches: 4,
  cells: [],
  performance: { task: 'classification', labelled: 50, accuracy: 0.9, precision: 0.8, recall: null, f1: 0.85, rocAuc: null },
  note: null,
};

const monitor: MonitorView = {
  deployment: 'web',
  state: 'watching',
  reason: null,
  source: { kind: 'file', path: '/d/train.csv' },
  settings: { windowRequests: 1000, windowMinutes: 60, driftShare: 0.5, minRows: 30, columnKinds: {}, methods: { age: { method: 'psi', threshold: 0.2 } }, predictionColumn: 'prediction' },
  reference: {
    rows: 2000,
    columns: [
      { name: 'age', kind: 'numeric', missingShare: 0, min: 18, max: 90, mean: 41.5, std: 10.25, categories: null },
      { name: 'city', kind: 'categorical', missingShare: 0.02, min: null, max: null, mean: null, std: null, categories: 4 },
    ],
    form: 'exact',
    createdAt: T0 - 86_400_000,
  },
  collected: 0,
  pendingRows: 250,
  latest: window,
  runMetrics: null,
  createdAt: T0 - 86_400_000,
  updatedAt: T0,
};

describe('monitor reference, status, check and feedback', () => {
  it('the monitor: state, source, windows, methods and the reference profile', () => {
    expect(monitorText(monitor)).toBe(
      [
        'web: watching',
        '  reference: file /d/train.csv',
        "  windows close every 1,000 logged rows or every 60 minutes; dataset drift at 50% of columns; prediction column 'prediction'",
        '  methods: age=psi:0.2',
        '  reference profile: 2,000 rows, 2 columns (exact), built 2026-11-29T09:00:00Z',
        '    age   numeric      missing 0%  min 18  max 90  mean 41.5  std 10.25',
        '    city  categorical  missing 2%  4 categories',
        '  rows logged since the last window: 250',
      ].join('\n'),
    );
    const collecting: MonitorView = { ...monitor, state: 'collecting', source: { kind: 'requests', count: 500 }, reference: null, collected: 120, settings: { ...monitor.settings, windowMinutes: null, methods: {} } };
    expect(monitorText(collecting)).toBe(
      [
        'web: collecting',
        '  reference: the first 500 logged rows',
        "  windows close every 1,000 logged rows; dataset drift at 50% of columns; prediction column 'prediction'",
        '  gathering the reference: 120 of 500 rows logged so far',
      ].join('\n'),
    );
  });

  it('status: the windows table, then the latest window\'s columns, quality, performance and verdict', () => {
    const older: MonitorWindowView = { ...window, id: 6, seq: 2, startAt: T0 - 3_600_000, endAt: T0, unseenRows: 0, status: 'not-enough-data', datasetDrift: null, driftShare: null, qualityBreaches: 0, note: 'not enough data for any test' };
    const latest: MonitorWindowDetail = { ...window, report: report() };
    const text = statusText(monitor, [older, window], latest);
    expect(text).toContain(
      [
        'Windows (latest 2):',
        'WINDOW  FROM                  TO                    ROWS  UNSEEN  DRIFT SHARE   VERDICT                                         QUALITY',
        '#2      2026-11-30T08:00:00Z  2026-11-30T09:00:00Z  1000  0       –             not enough data (not enough data for any test)  ok',
        '#3      2026-11-30T09:00:00Z  2026-11-30T10:00:00Z  1000  40      66.67% (2/3)  DATASET DRIFT                                   4 breaches',
      ].join('\n'),
    );
    expect(text).toContain("Window #3, 2026-11-30T09:00:00Z – 2026-11-30T10:00:00Z: 1,000 rows from 120 requests, 40 unseen (over the request log's size cap)");
    expect(text).toMatch(/^city +categorical +chisquare .* DRIFT /m);
    expect(text).toContain('Performance (classification, 50 labelled): accuracy 0.9, precision 0.8, recall –, f1 0.85, rocAuc –');
    expect(text.endsWith('Dataset drift: 2 of 3 tested columns drift (66.67%), threshold 50%.')).toBe(true);
    expect(statusText({ ...monitor, latest: null }, [], null)).toContain('Windows (latest 0):\nNo window checked yet.');
  });

  it('check and feedback', () => {
    expect(checkText('web', null)).toBe('web: no row was logged since the last window, so there was nothing to check.');
    expect(checkText('web', window)).toMatch(/^web: closed and checked window #3\nWINDOW .*\n#3 /);
    expect(feedbackText('web', { recorded: 2, unknown: ['r9'] })).toBe('web: recorded 2 labels; 1 request id not in the request log, skipped: r9');
    expect(feedbackText('web', { recorded: 1, unknown: [] })).toBe('web: recorded 1 label');
  });
});

describe('alerts list', () => {
  const alert: AlertView = {
    id: 4,
    ruleId: 1,
    deployment: 'web',
    name: 'Dataset drift',
    metric: 'dataset_drift',
    state: 'firing',
    value: 1,
    threshold: 0.5,
    comparison: '>=',
    message: 'Dataset drift in window #3: 2 of 3 columns',
    startedAt: T0,
    firingAt: T0,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: T0 + 7_200_000,
    notifiedAt: T0,
  };

  it('each alert with its state, value against the rule, message, times, acknowledgement and silence', () => {
    expect(alertsText([alert], T0 + 60_000)).toBe(
      [
        '#4  FIRING  web  Dataset drift: dataset_drift 1 (rule >= 0.5)',
        '    Dataset drift in window #3: 2 of 3 columns',
        '    started 2026-11-30T09:00:00Z, firing 2026-11-30T09:00:00Z; not acknowledged; silenced until 2026-11-30T11:00:00Z',
      ].join('\n'),
    );
    const resolved = { ...alert, id: 2, state: 'resolved' as const, value: null, resolvedAt: T0 + 600_000, acknowledgedAt: T0 + 60_000, acknowledgedBy: 'ada' };
    // A silence already over is not shown.
    expect(alertsText([resolved], T0 + 8_000_000).split('\n')).toEqual([
      '#2  RESOLVED  web  Dataset drift: dataset_drift – (rule >= 0.5)',
      '    Dataset drift in window #3: 2 of 3 columns',
      '    started 2026-11-30T09:00:00Z, firing 2026-11-30T09:00:00Z, resolved 2026-11-30T09:10:00Z; acknowledged by ada 2026-11-30T09:01:00Z',
    ]);
    expect(alertsText([], T0)).toBe('No alerts.');
  });

  it('a pipeline alert names the pipeline, its failures and the run instead of a deployment and a rule', () => {
    const pipeline = {
      ...alert,
      id: 7,
      ruleId: null,
      deployment: null,
      name: 'Pipeline failed',
      metric: null,
      value: null,
      threshold: null,
      comparison: null,
      silencedUntil: null,
      message: "pipeline digits failed at stage 'train' (run 9f2c): exited with code 1; 2 failures in a row",
      source: 'pipeline' as const,
      pipeline: { file: '/w/digits/orrery.pipeline.yaml', name: 'digits', runId: '9f2c', stage: 'train', error: 'exited with code 1', failures: 2 },
    };
    expect(alertText(pipeline, T0).split('\n').slice(0, 2)).toEqual(['#7  FIRING  pipeline digits  Pipeline failed: 2 failures in a row (run 9f2c)', `    ${pipeline.message}`]);
  });
});
