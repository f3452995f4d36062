/**
 * A drift report as one self-contained HTML file: no scripts, no external styles or fonts, the
 * distributions drawn as inline SVG, so it opens anywhere and can be mailed or archived. Pure.
 */
import type { AlertView, ColumnDistributionView, ColumnDriftView, DriftReportView, MonitorWindowView } from '../../../shared/contract/monitoring';

export interface ReportHeading {
  title: string;
  subtitle: string;
  generatedAt: number;
}

/** What a deployment's report adds to one window's: every window as a heatmap row, performance over time, alerts. */
export interface MonitoringHistory {
  windows: readonly MonitorWindowView[];
  alerts: readonly AlertView[];
}

const REFERENCE_COLOR = '#6d9eeb';
const CURRENT_COLOR = '#ef8a4c';

export function renderReportHtml(heading: ReportHeading, report: DriftReportView, distributions: readonly ColumnDistributionView[], history: MonitoringHistory | null = null): string {
  const verdict = report.datasetDrift === null ? 'Not enough data for a verdict' : report.datasetDrift ? 'Dataset drift detected' : 'No dataset drift';
  const share = report.driftShare === null ? '—' : `${report.driftedColumns} of ${report.testedColumns} columns (${percent(report.driftShare)})`;
  const rows = report.columns.map(columnRow).join('\n');
  const charts = distributions.map((d) => chart(d)).join('\n');
  const q = report.quality;
  const qualityRows = q.columns
    .map(
      (c) =>
        `<tr class="${c.breaches.length ? 'bad' : ''}"><td>${esc(c.column)}</td><td>${c.kind}</td><td>${percent(c.missingShare)}</td><td>${c.outOfRangeShare === null ? '—' : percent(c.outOfRangeShare)}</td><td>${c.newCategoryShare === null ? '—' : percent(c.newCategoryShare)}</td><td>${c.typeMismatches}</td><td>${c.nonFinite}</td><td>${esc(c.breaches.join(', ') || 'none')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(heading.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}h1{margin:0 0 .2rem}h2{margin-top:2rem}
.sub{color:#5b6475}.verdict{font-size:1.2rem;font-weight:600;margin:1rem 0}.drift{color:#b3261e}.ok{color:#1e7d32}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e3e6ec;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f9}tr.bad td{background:#fdecea}.num{font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1rem}.chart{border:1px solid #e3e6ec;border-radius:6px;padding:.5rem}
.legend span{display:inline-block;width:10px;height:10px;margin:0 .3rem 0 .8rem}
.heat{width:auto}.heat td{width:22px;height:18px;text-align:center;color:#fff;border:1px solid #fff}
</style></head><body>
<h1>${esc(heading.title)}</h1>
<div class="sub">${esc(heading.subtitle)} · generated ${new Date(heading.generatedAt).toISOString()}</div>
<div class="verdict ${report.datasetDrift ? 'drift' : 'ok'}">${verdict}</div>
<p>Drifting columns: ${share}; threshold ${percent(report.driftShareThreshold)} of columns. Reference ${report.referenceRows.toLocaleString('en')} rows (${report.referenceForm}), current ${report.currentRows.toLocaleString('en')} rows.</p>
<h2>Drift by column</h2>
<table><thead><tr><th>Column</th><th>Kind</th><th>Method</th><th>Statistic</th><th>p-value</th><th>Threshold</th><th>Effect</th><th>Drift</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Data quality</h2>
<p>Missing columns: ${esc(q.missingColumns.join(', ') || 'none')}. Extra columns: ${esc(q.extraColumns.join(', ') || 'none')}.</p>
<table><thead><tr><th>Column</th><th>Kind</th><th>Missing</th><th>Out of range</th><th>New categories</th><th>Type mismatches</th><th>Non-finite</th><th>Breaches</th></tr></thead>
<tbody>
${qualityRows}
</tbody></table>
<h2>Distributions</h2>
<div class="legend"><span style="background:${REFERENCE_COLOR}"></span>reference<span style="background:${CURRENT_COLOR}"></span>current</div>
<div class="charts">
${charts}
</div>
${history ? historyHtml(history) : ''}
</body></html>
`;
}

function columnRow(c: ColumnDriftView): string {
  const drift = c.drift === null ? '<td>—</td>' : `<td class="${c.drift ? 'drift' : 'ok'}">${c.drift ? 'drift' : 'no drift'}</td>`;
  const bound = c.errorBound !== null ? ` ± ${num(c.errorBound)}` : '';
  return `<tr class="${c.drift ? 'bad' : ''}"><td>${esc(c.column)}${c.role !== 'feature' ? ` <em>(${c.role})</em>` : ''}</td><td>${c.kind}</td><td>${esc(c.method ?? c.note ?? '—')}</td><td class="num">${c.statistic === null ? '—' : num(c.statistic) + bound}</td><td class="num">${c.pValue === null ? '—' : num(c.pValue)}</td><td class="num">${c.threshold === null ? '—' : `${c.basis === 'p-value' ? (c.method === 'ks' ? 'p ≤ ' : 'p < ') : '≥ '}${num(c.threshold)}`}</td><td>${esc(c.effect?.text ?? '—')}</td>${drift}</tr>`;
}

function chart(d: ColumnDistributionView): string {
  const width = 340;
  const height = 140;
  const n = d.labels.length;
  if (n === 0) return `<div class="chart"><strong>${esc(d.column)}</strong><p>No values.</p></div>`;
  const top = Math.max(...d.reference, ...d.current, 1e-12);
  const slot = width / n;
  const bar = Math.max(1, slot / 2 - 1);
  const bars = d.labels
    .map((label, i) => {
      const r = (d.reference[i]! / top) * (height - 10);
      const c = (d.current[i]! / top) * (height - 10);
      const x = i * slot;
      return `<rect x="${x.toFixed(1)}" y="${(height - r).toFixed(1)}" width="${bar.toFixed(1)}" height="${r.toFixed(1)}" fill="${REFERENCE_COLOR}"><title>${esc(label)}: reference ${percent(d.reference[i]!)}</title></rect><rect x="${(x + bar + 1).toFixed(1)}" y="${(height - c).toFixed(1)}" width="${bar.toFixed(1)}" height="${c.toFixed(1)}" fill="${CURRENT_COLOR}"><title>${esc(label)}: current ${percent(d.current[i]!)}</title></rect>`;
    })
    .join('');
  const verdict = d.result?.drift === null || !d.result ? (d.result?.note ?? '') : d.result.drift ? 'drift' : 'no drift';
  return `<div class="chart"><strong>${esc(d.column)}</strong> <span class="${d.result?.drift ? 'drift' : 'ok'}">${esc(verdict)}</span>
<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(d.column)} distributions">${bars}</svg>
<div class="sub">${n <= 12 ? d.labels.map((l, i) => `${esc(l)} ${percent(d.reference[i]!)} → ${percent(d.current[i]!)}`).join(' · ') : `${esc(d.labels[0]!)} … ${esc(d.labels[n - 1]!)}`}</div></div>`;
}

function historyHtml(history: MonitoringHistory): string {
  const windows = history.windows;
  const columns = [...new Set(windows.flatMap((w) => w.cells.map((c) => c.column)))];
  const cell = (w: MonitorWindowView, column: string) => {
    const found = w.cells.find((c) => c.column === column);
    if (!found || found.score === null) return '<td style="background:#d6d9df" title="not enough data"></td>';
    return `<td style="background:${scoreColor(found.score)}" title="${esc(column)}, window ${w.seq}: score ${num(found.score)}${found.drift ? ', drift' : ''}">${found.drift ? '●' : ''}</td>`;
  };
  const heat = columns.map((column) => `<tr><th>${esc(column)}</th>${windows.map((w) => cell(w, column)).join('')}</tr>`).join('\n');
  const perf = windows
    .filter((w) => w.performance)
    .map((w) => {
      const p = w.performance!;
      const values = p.task === 'classification' ? [p.accuracy, p.precision, p.recall, p.f1, p.rocAuc] : [p.mae, p.rmse, p.r2];
      return `<tr><td>${w.seq}</td><td>${p.task}</td><td class="num">${p.labelled}</td>${values.map((v) => `<td class="num">${v === null || v === undefined ? '—' : num(v)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const alerts = history.alerts
    .map((a) => `<tr class="${a.state === 'firing' ? 'bad' : ''}"><td>${a.state}</td><td>${esc(a.name)}</td><td>${esc(a.message)}</td><td>${new Date(a.startedAt).toISOString()}</td><td>${a.acknowledgedAt ? `acknowledged by ${esc(a.acknowledgedBy ?? '')}` : ''}</td></tr>`)
    .join('\n');
  return `<h2>Drift by window</h2>
<table class="heat"><thead><tr><th>column \\ window</th>${windows.map((w) => `<th title="${new Date(w.startAt).toISOString()} – ${new Date(w.endAt).toISOString()}">${w.seq}${w.datasetDrift ? ' ●' : ''}</th>`).join('')}</tr></thead>
<tbody>
${heat}
</tbody></table>
<p class="sub">Colour: green no shift, amber at the threshold, red far past it; ● drift; grey not enough data.</p>
<h2>Performance over time</h2>
${perf ? `<table><thead><tr><th>Window</th><th>Task</th><th>Labelled rows</th><th>accuracy / MAE</th><th>precision / RMSE</th><th>recall / R²</th><th>F1</th><th>ROC AUC</th></tr></thead><tbody>\n${perf}\n</tbody></table>` : '<p>No labels were posted for these windows.</p>'}
<h2>Alerts</h2>
${alerts ? `<table><thead><tr><th>State</th><th>Alert</th><th>Message</th><th>Since</th><th></th></tr></thead><tbody>\n${alerts}\n</tbody></table>` : '<p>No alerts.</p>'}
`;
}

/** Green (0) → amber (0.5, the threshold) → red (1), as on the monitoring screen. */
function scoreColor(score: number): string {
  const stops: Array<[number, [number, number, number]]> = [
    [0, [46, 160, 67]],
    [0.5, [230, 170, 20]],
    [1, [214, 40, 40]],
  ];
  const t = Math.min(1, Math.max(0, score));
  const [a, b] = t <= 0.5 ? [stops[0]!, stops[1]!] : [stops[1]!, stops[2]!];
  const f = (t - a[0]) / (b[0] - a[0]);
  const mix = a[1].map((v, i) => Math.round(v + (b[1][i]! - v) * f));
  return `rgb(${mix.join(',')})`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
}

function num(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
