import { describe, expect, it } from 'vitest';
import { formatDuration, formatLocalDateTime, formatMetric, formatRelative, parseSavedColumns, runDuration, type RunColumn } from '../../renderer/src/pages/experiments/columns';
import { groupRuns } from '../../renderer/src/pages/experiments/grouping';
import { buildOrderBy, columnIdentifier, filterForRuns, nextSort, quoteKey } from '../../renderer/src/pages/experiments/order-by';
import { needsMore, rowTop, rowWindow, scrollToRow } from '../../renderer/src/pages/experiments/windowing';

const metric = (key: string): RunColumn => ({ kind: 'metric', key });

describe('quoteKey', () => {
  it('leaves plain identifiers bare', () => {
    expect(quoteKey('acc')).toBe('acc');
    expect(quoteKey('val_loss2')).toBe('val_loss2');
    expect(quoteKey('_x')).toBe('_x');
  });
  it('backtick-quotes keys with dots, spaces, dashes, slashes or a leading digit', () => {
    expect(quoteKey('mlflow.runName')).toBe('`mlflow.runName`');
    expect(quoteKey('my metric')).toBe('`my metric`');
    expect(quoteKey('train/loss')).toBe('`train/loss`');
    expect(quoteKey('f1-score')).toBe('`f1-score`');
    expect(quoteKey('1st')).toBe('`1st`');
  });
  it('doubles a backtick inside the key', () => {
    expect(quoteKey('a`b')).toBe('`a``b`');
  });
});

describe('order_by building', () => {
  it('maps attribute columns to MLflow attributes', () => {
    expect(columnIdentifier({ kind: 'attribute', key: 'start' })).toBe('attributes.start_time');
    expect(columnIdentifier({ kind: 'attribute', key: 'name' })).toBe('attributes.run_name');
    expect(columnIdentifier({ kind: 'attribute', key: 'status' })).toBe('attributes.status');
    expect(columnIdentifier({ kind: 'attribute', key: 'duration' })).toBeNull();
  });
  it('maps params, metrics and tags with quoting', () => {
    expect(buildOrderBy({ column: metric('acc'), direction: 'DESC' })).toEqual(['metrics.acc DESC']);
    expect(buildOrderBy({ column: { kind: 'param', key: 'lr' }, direction: 'ASC' })).toEqual(['params.lr ASC']);
    expect(buildOrderBy({ column: { kind: 'tag', key: 'mlflow.user' }, direction: 'ASC' })).toEqual(['tags.`mlflow.user` ASC']);
    expect(buildOrderBy(null)).toEqual([]);
    expect(buildOrderBy({ column: { kind: 'attribute', key: 'duration' }, direction: 'ASC' })).toEqual([]);
  });
  it('a first click sorts numbers descending and text ascending; a second click flips', () => {
    const first = nextSort(null, metric('acc'));
    expect(first).toEqual({ column: metric('acc'), direction: 'DESC' });
    expect(nextSort(first, metric('acc'))).toEqual({ column: metric('acc'), direction: 'ASC' });
    expect(nextSort(first, { kind: 'attribute', key: 'name' })?.direction).toBe('ASC');
    expect(nextSort(first, { kind: 'attribute', key: 'duration' })).toBe(first);
  });
  it('narrows a filter to some runs with AND', () => {
    expect(filterForRuns('', ['a', 'b'])).toBe("attributes.run_id IN ('a', 'b')");
    expect(filterForRuns(' metrics.acc > 0.5 ', ['a'])).toBe("metrics.acc > 0.5 and attributes.run_id IN ('a')");
  });
});

describe('windowing', () => {
  it('renders only the rows in view plus overscan, for 10k rows', () => {
    const w = rowWindow(0, 600, 32, 10_000, 8);
    expect(w).toEqual({ start: 0, end: 20 + 8, offset: 0, totalHeight: 320_000 });
    const mid = rowWindow(5000 * 32 + 10, 600, 32, 10_000, 8);
    expect(mid.start).toBe(5000 - 8);
    expect(mid.end).toBe(5000 + 20 + 8);
    expect(mid.offset).toBe((5000 - 8) * 32);
    expect(mid.end - mid.start).toBeLessThan(40);
  });
  it('clamps at the end and past the end', () => {
    const end = rowWindow(10_000 * 32, 600, 32, 10_000, 8);
    expect(end.end).toBe(10_000);
    expect(end.start).toBeGreaterThan(10_000 - 40);
    expect(rowWindow(-50, 600, 32, 5, 8)).toEqual({ start: 0, end: 5, offset: 0, totalHeight: 160 });
  });
  it('handles empty lists and zero heights', () => {
    expect(rowWindow(0, 600, 32, 0)).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 });
    expect(rowWindow(0, 0, 32, 100, 0)).toMatchObject({ start: 0, end: 1 });
  });
  it('scrolls a row into view only when it is not', () => {
    expect(scrollToRow(10, 0, 320, 32)).toBe(32); // row 10 ends at 352: scroll by one row
    expect(scrollToRow(3, 0, 320, 32)).toBe(0);
    expect(scrollToRow(2, 200, 320, 32)).toBe(64);
  });
  it('asks for more near the end of what is loaded', () => {
    expect(needsMore(170, 200, true)).toBe(true);
    expect(needsMore(100, 200, true)).toBe(false);
    expect(needsMore(200, 200, false)).toBe(false);
  });
});

describe('parent/child grouping', () => {
  const run = (runId: string, parentRunId: string | null = null) => ({ runId, parentRunId });

  it('puts children under their parent, in server order, indented', () => {
    const rows = groupRuns([run('c1', 'p'), run('a'), run('p'), run('c2', 'p'), run('g', 'c1')], new Set());
    expect(rows.map((r) => [r.run.runId, r.depth, r.childCount])).toEqual([
      ['a', 0, 0],
      ['p', 0, 2],
      ['c1', 1, 1],
      ['g', 2, 0],
      ['c2', 1, 0],
    ]);
  });
  it('hides a collapsed subtree', () => {
    const rows = groupRuns([run('p'), run('c1', 'p'), run('g', 'c1'), run('x')], new Set(['p']));
    expect(rows.map((r) => r.run.runId)).toEqual(['p', 'x']);
    expect(rows[0]).toMatchObject({ collapsed: true, childCount: 1 });
  });
  it('keeps a child whose parent is not loaded at the top level', () => {
    expect(groupRuns([run('c', 'missing'), run('b')], new Set()).map((r) => [r.run.runId, r.depth])).toEqual([
      ['c', 0],
      ['b', 0],
    ]);
  });
  it('survives cycles and self-parents without losing runs', () => {
    const rows = groupRuns([run('a', 'b'), run('b', 'a'), run('s', 's')], new Set());
    expect(rows.map((r) => r.run.runId).sort()).toEqual(['a', 'b', 's']);
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(2 * 3600_000 + 4 * 60_000)).toBe('2 h 04 m');
    expect(formatDuration(null)).toBe('—');
    expect(runDuration({ startTime: 1000, endTime: null, status: 'RUNNING' }, 6000)).toBe(5000);
    expect(runDuration({ startTime: 1000, endTime: null, status: 'FAILED' }, 6000)).toBeNull();
  });
  it('relative times', () => {
    const now = 10_000_000_000;
    expect(formatRelative(now - 10_000, now)).toBe('just now');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelative(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatRelative(now - 30 * 3600_000, now)).toBe('yesterday');
    expect(formatRelative(null, now)).toBe('—');
  });
  it('metric values', () => {
    expect(formatMetric(0.123456789)).toBe('0.12346');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric(1e-7)).toBe('1.000e-7');
  });
  it('saved columns are read defensively', () => {
    expect(parseSavedColumns('[{"kind":"param","key":"lr"},{"kind":"attribute","key":"x"},5]')).toEqual([{ kind: 'param', key: 'lr' }]);
    expect(parseSavedColumns('{oops')).toBeNull();
    expect(parseSavedColumns(null)).toBeNull();
  });
});

describe('formatLocalDateTime', () => {
  it('writes a start time as Date.prototype.toLocaleString() does (the start cell tooltip)', () => {
    for (const time of [1_750_000_000_000, 1_700_000_123_456, Date.UTC(2024, 1, 29, 23, 59, 59)]) {
      expect(formatLocalDateTime(time)).toBe(new Date(time).toLocaleString());
    }
  });
});

describe('rowTop', () => {
  it('rounds a scroll position down to a row, giving the same rows to render as the exact position', () => {
    expect(rowTop(0, 32)).toBe(0);
    expect(rowTop(31.5, 32)).toBe(0);
    expect(rowTop(32, 32)).toBe(32);
    expect(rowTop(1000 * 32 + 17, 32)).toBe(1000 * 32);
    expect(rowTop(-40, 32)).toBe(0);
    // Everywhere in a 100k-row list, the end (where the window is clamped) included.
    for (const scrollTop of [0, 5, 31, 32, 33, 640.5, 12_345, 99_990 * 32 - 600 + 7, 100_000 * 32 - 600, 100_000 * 32]) {
      const exact = rowWindow(scrollTop, 600, 32, 100_000);
      const rounded = rowWindow(rowTop(scrollTop, 32), 600, 32, 100_000);
      expect([rounded.start, rounded.end]).toEqual([exact.start, exact.end]);
    }
  });
});
