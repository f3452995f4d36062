import type { ColumnDriftView, DataQualityView, DriftReportView } from '../../shared/contract/monitoring';

/** A drift report as a person reads it in a terminal: one row per column, data quality, the verdict. Pure. */

/** The column table: column, kind, method, statistic, p-value, threshold, drift, then the effect or the note. */
export function driftTable(columns: readonly ColumnDriftView[]): string {
  const header = ['COLUMN', 'KIND', 'METHOD', 'STATISTIC', 'P-VALUE', 'THRESHOLD', 'DRIFT', 'EFFECT / NOTE'];
  const rows = columns.map((c) => [
    c.role === 'feature' ? c.column : `${c.column} (${c.role})`,
    c.kind,
    c.method ?? '–',
    c.statistic === null ? '–' : `${number(c.statistic)}${c.errorBound !== null ? ` ±${number(c.errorBound)}` : ''}`,
    c.pValue === null ? '–' : number(c.pValue),
    c.threshold === null ? '–' : `${driftWhen(c)} ${number(c.threshold)}`,
    c.drift === null ? 'no verdict' : c.drift ? 'DRIFT' : 'no drift',
    [c.effect?.text, c.note].filter((t) => t).join('; ') || '–',
  ]);
  return alignRows([header, ...rows]);
}

/** The drift rule's comparison: ks when p ≤ threshold, the other p-value tests when p < (as Evidently), distances when ≥. */
function driftWhen(c: ColumnDriftView): string {
  if (c.basis !== 'p-value') return '≥';
  return c.method === 'ks' ? 'p ≤' : 'p <';
}

/** Schema drift and the columns whose data quality crossed a threshold; empty when all is well. */
export function qualityLines(quality: DataQualityView): string[] {
  const lines: string[] = [];
  if (quality.extraColumns.length > 0) lines.push(`Schema drift: in the current data only (not tested): ${quality.extraColumns.join(', ')}`);
  if (quality.missingColumns.length > 0) lines.push(`Schema drift: missing from the current data: ${quality.missingColumns.join(', ')}`);
  const breached = quality.columns.filter((c) => c.breaches.length > 0);
  if (breached.length === 0) return lines;
  lines.push(`Data quality: ${quality.breaches} breach${quality.breaches === 1 ? '' : 'es'}`);
  for (const c of breached) {
    const facts = c.breaches.map((b) => {
      switch (b) {
        case 'missing':
          return `missing ${percent(c.missingShare)} (reference ${percent(c.referenceMissingShare)})`;
        case 'out-of-range':
          return `outside the reference range ${percent(c.outOfRangeShare ?? 0)}`;
        case 'new-category':
          return `categories unseen in the reference ${percent(c.newCategoryShare ?? 0)}`;
        case 'type-mismatch':
          return `${c.typeMismatches} value${c.typeMismatches === 1 ? '' : 's'} of the wrong type`;
        case 'non-finite':
          return `${c.nonFinite} NaN or infinite value${c.nonFinite === 1 ? '' : 's'}`;
        case 'constant':
          return 'constant';
        default:
          return b;
      }
    });
    lines.push(`  ${c.column}: ${facts.join(', ')}`);
  }
  return lines;
}

/** "Dataset drift: 2 of 3 tested columns drift (66.67%), threshold 50%." */
export function verdictLine(report: Pick<DriftReportView, 'datasetDrift' | 'driftShare' | 'driftedColumns' | 'testedColumns' | 'driftShareThreshold'>): string {
  const threshold = `threshold ${percent(report.driftShareThreshold)}`;
  if (report.datasetDrift === null || report.driftShare === null) return `No verdict: no column could be tested (${threshold}).`;
  const share = `${report.driftedColumns} of ${report.testedColumns} tested column${report.testedColumns === 1 ? '' : 's'} drift (${percent(report.driftShare)}), ${threshold}`;
  return report.datasetDrift ? `Dataset drift: ${share}.` : `No dataset drift: ${share}.`;
}

/** The whole report: what was compared, the table, quality, then the verdict last (where the eye lands). */
export function driftReportText(report: DriftReportView, files: { reference: string; current: string }): string {
  const sketched = report.referenceForm === 'sketched' ? ' (reference sketched: see ± beside each statistic)' : '';
  return [
    `Reference ${files.reference}: ${count(report.referenceRows, 'row')}; current ${files.current}: ${count(report.currentRows, 'row')}${sketched}`,
    '',
    driftTable(report.columns),
    ...withGap(qualityLines(report.quality)),
    '',
    verdictLine(report),
  ].join('\n');
}

function withGap(lines: string[]): string[] {
  return lines.length > 0 ? ['', ...lines] : [];
}

/** Left-aligned columns two spaces apart; the last cell is not padded. */
export function alignRows(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell + ' '.repeat(widths[i]! - [...cell].length) : cell)).join('  ')).join('\n');
}

/** Four significant digits; very small or large in exponent form, so a p-value of 1e-40 is not "0". */
export function number(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) < 1e-4 || Math.abs(x) >= 1e7 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

/** 0.5 → "50%", 0.6667 → "66.67%". */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

export function count(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}
