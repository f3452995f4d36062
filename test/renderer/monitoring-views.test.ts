import { describe, expect, it } from 'vitest';
import type { MonitorWindowView, PerformanceView } from '../../shared/contract/monitoring';
import { NO_DATA_COLOR, scoreColor, scoreTextColor, scoreVerdict } from '../../renderer/src/pages/monitoring/drift-colors';
import { buildHeatmap, defaultSelection } from '../../renderer/src/pages/monitoring/heatmap-grid';
import { formatPValue, formatShare, formatStat, performanceSeries, verdictText } from '../../renderer/src/pages/monitoring/monitoring-format';

type Cell = MonitorWindowView['cells'][number];

function windowOf(seq: number, cells: Cell[], performance: PerformanceView | null = null): MonitorWindowView {
  return {
    id: seq * 10,
    deployment: 'adder',
    seq,
    startAt: seq * 60_000,
    endAt: (seq + 1) * 60_000,
    requests: 100,
    rows: 100,
    unseenRows: 0,
    status: 'checked',
    datasetDrift: cells.some((c) => c.drift) ? true : false,
    driftShare: null,
    driftedColumns: cells.filter((c) => c.drift).length,
    testedColumns: cells.length,
    qualityBreaches: 0,
    cells,
    performance,
    note: null,
  };
}

const cell = (column: string, score: number | null, role: Cell['role'] = 'feature'): Cell => ({ column, role, score, drift: score === null ? null : score >= 0.5 });

describe('drift score colours', () => {
  it('runs green at 0, amber at the threshold (0.5) and red at 1, grey when there is no verdict', () => {
    expect(scoreColor(0)).toBe('#16a34a');
    expect(scoreColor(0.5)).toBe('#eab308');
    expect(scoreColor(1)).toBe('#dc2626');
    expect(scoreColor(null)).toBe(NO_DATA_COLOR);
    expect(scoreColor(Number.NaN)).toBe(NO_DATA_COLOR);
  });

  it('blends between the stops and holds scores outside 0–1 to the ends', () => {
    // Halfway from green (22,163,74) to amber (234,179,8): (128,171,41).
    expect(scoreColor(0.25)).toBe('#80ab29');
    // Halfway from amber to red (220,38,38): (227,108.5→109,23).
    expect(scoreColor(0.75)).toBe('#e36d17');
    expect(scoreColor(-3)).toBe(scoreColor(0));
    expect(scoreColor(7)).toBe(scoreColor(1));
  });

  it('keeps a cell label readable and says what the cell means', () => {
    expect(scoreTextColor(0.5)).toBe('#111827');
    expect(scoreTextColor(0.95)).toBe('#ffffff');
    expect(scoreVerdict(0.9, true)).toBe('drift');
    expect(scoreVerdict(0.1, false)).toBe('no drift');
    expect(scoreVerdict(null, null)).toBe('not enough data');
  });
});

describe('heatmap grid from windows', () => {
  it('puts windows oldest first as columns, features first and the prediction last as rows', () => {
    const grid = buildHeatmap([
      windowOf(2, [cell('prediction', 0.9, 'prediction'), cell('x', 0.8), cell('y', 0.1)]),
      windowOf(1, [cell('x', 0.2), cell('prediction', 0.1, 'prediction'), cell('y', null)]),
    ]);
    expect(grid.windows.map((w) => w.seq)).toEqual([1, 2]);
    expect(grid.rows.map((r) => [r.column, r.role])).toEqual([
      ['x', 'feature'],
      ['y', 'feature'],
      ['prediction', 'prediction'],
    ]);
    expect(grid.rows[0]!.cells.map((c) => c.score)).toEqual([0.2, 0.8]);
    expect(grid.rows[0]!.drifted).toBe(1);
    expect(grid.rows[1]!.cells[0]).toEqual({ windowId: 10, column: 'y', score: null, drift: null, absent: false });
  });

  it('marks a column a window did not have as absent, and keeps columns only older windows had', () => {
    const grid = buildHeatmap([windowOf(1, [cell('old', 0.3), cell('x', 0.1)]), windowOf(2, [cell('x', 0.2), cell('new', 0.7)])]);
    expect(grid.rows.map((r) => r.column)).toEqual(['x', 'new', 'old']);
    const byName = Object.fromEntries(grid.rows.map((r) => [r.column, r.cells.map((c) => c.absent)]));
    expect(byName).toEqual({ x: [false, false], new: [true, false], old: [false, true] });
  });

  it('chooses the newest window and its most drifting column when nothing is chosen', () => {
    const grid = buildHeatmap([windowOf(1, [cell('a', 0.99), cell('b', 0.1)]), windowOf(2, [cell('a', 0.2), cell('b', 0.7), cell('c', null)])]);
    expect(defaultSelection(grid)).toEqual({ windowId: 20, column: 'b' });
    expect(defaultSelection(buildHeatmap([]))).toBeNull();
  });
});

describe('numbers and verdicts', () => {
  it('formats statistics, p-values and shares for reading', () => {
    expect(formatStat(0.123456)).toBe('0.1235');
    expect(formatStat(0.00001234)).toBe('1.23e-5');
    expect(formatStat(123456.7)).toBe('123,457');
    expect(formatStat(null)).toBe('—');
    expect(formatPValue(1e-300)).toBe('< 1e-16');
    expect(formatPValue(0.0421)).toBe('0.0421');
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(0.004)).toBe('0.4%');
  });

  it('spells out the verdict of a p-value test and of a distance', () => {
    expect(verdictText({ method: 'ks', statistic: 0.4, pValue: 0.0001, threshold: 0.05, basis: 'p-value', drift: true, note: null })).toBe(
      'Drift: the Kolmogorov–Smirnov p-value 1.00e-4 is at or under the threshold 0.05, so the distributions differ.',
    );
    expect(verdictText({ method: 'chisquare', statistic: 1.2, pValue: 0.54, threshold: 0.05, basis: 'p-value', drift: false, note: null })).toBe('No drift: the chi-square p-value 0.54 is over the threshold 0.05.');
    expect(verdictText({ method: 'wasserstein', statistic: 0.31, pValue: null, threshold: 0.1, basis: 'distance', drift: true, note: null })).toBe('Drift: the Wasserstein distance (normed) 0.31 reaches the threshold 0.1.');
    expect(verdictText({ method: null, statistic: null, pValue: null, threshold: null, basis: null, drift: null, note: '3 rows, at least 30 needed.' })).toBe('Not enough data for a verdict: 3 rows, at least 30 needed.');
  });

  it('draws each performance measure a window has, over the windows in order, and nothing without labels', () => {
    const windows = [
      windowOf(2, [], { task: 'classification', labelled: 40, accuracy: 0.7, f1: null, rocAuc: 0.8 }),
      windowOf(1, [], { task: 'classification', labelled: 50, accuracy: 0.9, f1: 0.85 }),
      windowOf(3, [], null),
    ];
    const series = performanceSeries(windows);
    expect(series.map((s) => s.label)).toEqual(['Accuracy', 'F1', 'ROC AUC']);
    expect(series[0]!.points.map((p) => [p.seq, p.y])).toEqual([
      [1, 0.9],
      [2, 0.7],
    ]);
    expect(series[1]!.points.map((p) => p.seq)).toEqual([1]);
    expect(performanceSeries([windowOf(1, [], null)])).toEqual([]);
  });
});
