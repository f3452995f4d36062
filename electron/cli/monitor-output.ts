import type { AlertView, FeedbackResult, MonitorView, MonitorWindowDetail, MonitorWindowView, ReferenceSource } from '../../shared/contract/monitoring';
import { alignRows, count, driftTable, number, percent, qualityLines, verdictLine } from './drift-report-text';

/** What a person reads after `orrery monitor reference|status|check|feedback` and `orrery alerts …` (scripts use --json). Pure. */

/** A deployment's monitor: its state, reference and window settings. */
export function monitorText(m: MonitorView): string {
  const s = m.settings;
  const windows = [s.windowRequests !== null ? `every ${count(s.windowRequests, 'logged row')}` : null, s.windowMinutes !== null ? `every ${count(s.windowMinutes, 'minute')}` : null]
    .filter((w) => w !== null)
    .join(' or ');
  const lines = [
    `${m.deployment}: ${m.state}${m.reason ? ` (${m.reason})` : ''}`,
    `  reference: ${sourceText(m.source)}`,
    `  windows close ${windows}; dataset drift at ${percent(s.driftShare)} of columns; prediction column '${s.predictionColumn}'`,
  ];
  const custom = Object.entries(s.methods);
  if (custom.length > 0) lines.push(`  methods: ${custom.map(([column, c]) => `${column}=${c.method}${c.threshold !== null ? `:${c.threshold}` : ''}`).join(', ')}`);
  if (m.state === 'collecting' && m.source.kind === 'requests') lines.push(`  gathering the reference: ${m.collected} of ${m.source.count} rows logged so far`);
  if (m.reference) {
    const r = m.reference;
    lines.push(`  reference profile: ${count(r.rows, 'row')}, ${count(r.columns.length, 'column')} (${r.form}), built ${time(r.createdAt)}`);
    const rows = r.columns.map((c) => [
      `    ${c.name}`,
      c.kind,
      `missing ${percent(c.missingShare)}`,
      c.kind === 'numeric' ? `min ${orDash(c.min)}  max ${orDash(c.max)}  mean ${orDash(c.mean)}  std ${orDash(c.std)}` : `${c.categories ?? 0} categories`,
    ]);
    if (rows.length > 0) lines.push(alignRows(rows));
  }
  if (m.state === 'watching') lines.push(`  rows logged since the last window: ${m.pendingRows}`);
  return lines.join('\n');
}

function sourceText(source: ReferenceSource): string {
  switch (source.kind) {
    case 'file':
      return `file ${source.path}`;
    case 'run-artifact':
      return `artifact ${source.path} of run ${source.runId}`;
    case 'run-dataset':
      return `dataset ${source.name ?? '(the first)'} of run ${source.runId}`;
    case 'requests':
      return `the first ${count(source.count, 'logged row')}`;
  }
}

/** The windows, oldest first: seq, time span, rows, unseen rows, drift share, verdict. */
export function windowsTable(windows: readonly MonitorWindowView[]): string {
  if (windows.length === 0) return 'No window checked yet.';
  const header = ['WINDOW', 'FROM', 'TO', 'ROWS', 'UNSEEN', 'DRIFT SHARE', 'VERDICT', 'QUALITY'];
  const rows = windows.map((w) => [
    `#${w.seq}`,
    time(w.startAt),
    time(w.endAt),
    String(w.rows),
    String(w.unseenRows),
    w.driftShare === null ? '–' : `${percent(w.driftShare)} (${w.driftedColumns}/${w.testedColumns})`,
    windowVerdict(w),
    w.qualityBreaches === 0 ? 'ok' : `${w.qualityBreaches} breach${w.qualityBreaches === 1 ? '' : 'es'}`,
  ]);
  return alignRows([header, ...rows]);
}

function windowVerdict(w: MonitorWindowView): string {
  if (w.status === 'failed') return `check failed${w.note ? `: ${w.note}` : ''}`;
  if (w.status === 'not-enough-data' || w.datasetDrift === null) return `not enough data${w.note ? ` (${w.note})` : ''}`;
  return w.datasetDrift ? 'DATASET DRIFT' : 'no drift';
}

/** `monitor status`: the monitor, its latest windows, then the latest window's columns, quality and verdict. */
export function statusText(monitor: MonitorView, windows: readonly MonitorWindowView[], latest: MonitorWindowDetail | null): string {
  const parts = [monitorText(monitor), '', `Windows (latest ${windows.length}):`, windowsTable(windows)];
  if (latest) parts.push('', ...windowDetailLines(latest));
  return parts.join('\n');
}

function windowDetailLines(w: MonitorWindowDetail): string[] {
  const lines = [`Window #${w.seq}, ${time(w.startAt)} – ${time(w.endAt)}: ${count(w.rows, 'row')} from ${count(w.requests, 'request')}${w.unseenRows > 0 ? `, ${w.unseenRows} unseen (over the request log's size cap)` : ''}`];
  if (!w.report) {
    lines.push(`  ${windowVerdict(w)}`);
    return lines;
  }
  lines.push(driftTable(w.report.columns));
  const quality = qualityLines(w.report.quality);
  lines.push(...(quality.length > 0 ? quality : ['Data quality: no breach']));
  if (w.performance) lines.push(performanceLine(w.performance));
  lines.push(verdictLine(w.report));
  return lines;
}

function performanceLine(p: NonNullable<MonitorWindowView['performance']>): string {
  const names = p.task === 'classification' ? (['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const) : (['mae', 'rmse', 'r2'] as const);
  const values = names.map((n) => `${n} ${p[n] === null || p[n] === undefined ? '–' : number(p[n])}`);
  return `Performance (${p.task}, ${p.labelled} labelled): ${values.join(', ')}`;
}

/** `monitor check`: the window it closed, or why there was none. */
export function checkText(deployment: string, window: MonitorWindowView | null): string {
  if (!window) return `${deployment}: no row was logged since the last window, so there was nothing to check.`;
  return `${deployment}: closed and checked window #${window.seq}\n${windowsTable([window])}`;
}

export function feedbackText(deployment: string, result: FeedbackResult): string {
  const unknown = result.unknown.length > 0 ? `; ${result.unknown.length} request id${result.unknown.length === 1 ? '' : 's'} not in the request log, skipped: ${result.unknown.slice(0, 10).join(', ')}${result.unknown.length > 10 ? ', …' : ''}` : '';
  return `${deployment}: recorded ${count(result.recorded, 'label')}${unknown}`;
}

/** `alerts list`: each alert's id, deployment (or pipeline), name, state, value against threshold, message and times. */
export function alertsText(alerts: readonly AlertView[], now: number): string {
  if (alerts.length === 0) return 'No alerts.';
  return alerts.map((a) => alertText(a, now)).join('\n');
}

/** One alert in three lines; a silence already over is not shown. */
export function alertText(a: AlertView, now: number): string {
  const times = [`started ${time(a.startedAt)}`];
  if (a.firingAt !== null) times.push(`firing ${time(a.firingAt)}`);
  if (a.resolvedAt !== null) times.push(`resolved ${time(a.resolvedAt)}`);
  const marks = [a.acknowledgedAt !== null ? `acknowledged by ${a.acknowledgedBy ?? '?'} ${time(a.acknowledgedAt)}` : 'not acknowledged'];
  if (a.silencedUntil !== null && a.silencedUntil > now) marks.push(`silenced until ${time(a.silencedUntil)}`);
  const what = a.pipeline
    ? `pipeline ${a.pipeline.name}  ${a.name}: ${a.pipeline.failures === 1 ? '1 failure' : `${a.pipeline.failures} failures in a row`}${a.pipeline.runId !== null ? ` (run ${a.pipeline.runId})` : ''}`
    : `${a.deployment}  ${a.name}: ${a.metric} ${a.value === null ? '–' : number(a.value)} (rule ${a.comparison} ${a.threshold === null ? '–' : number(a.threshold)})`;
  return [
    `#${a.id}  ${a.state.toUpperCase()}  ${what}`,
    `    ${a.message}`,
    `    ${times.join(', ')}; ${marks.join('; ')}`,
  ].join('\n');
}

/** UTC, to the second: the same on every machine that reads it. */
export function time(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function orDash(x: number | null): string {
  return x === null ? '–' : number(x);
}
