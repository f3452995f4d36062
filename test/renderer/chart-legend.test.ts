import { describe, expect, it } from 'vitest';
import { middleSplit } from '../../renderer/src/charts/middle-truncate';
import { bridgedSegments, bridgesMark, countNonFinite, formatNonFinite, markXs } from '../../renderer/src/charts/non-finite-marks';
import { readoutIndex, withAlpha } from '../../renderer/src/charts/series-math';
import type { NonFiniteMark } from '../../renderer/src/charts/series-math';

describe('middleSplit', () => {
  it('keeps the end of a long name apart, for the head alone to be cut', () => {
    expect(middleSplit('a-very-long-experiment-run-name-lr-0.1-seed-42')).toEqual({ head: 'a-very-long-experiment-run-name-lr-0', tail: '.1-seed-42' });
    expect(middleSplit('🚀'.repeat(14), 2)).toEqual({ head: '🚀'.repeat(12), tail: '🚀🚀' });
  });

  it('does not split a short name', () => {
    expect(middleSplit('run-1')).toEqual({ head: 'run-1', tail: '' });
    expect(middleSplit('abcdefghijklm')).toEqual({ head: 'abcdefghijklm', tail: '' });
  });
});

describe('non-finite counting', () => {
  const marks: NonFiniteMark[] = [
    { x: 1, kind: 'nan' },
    { x: 2, kind: 'nan' },
    { x: 3, kind: 'inf' },
    { x: 40, kind: '-inf' },
  ];

  it('counts each kind and says it the legend way', () => {
    expect(countNonFinite(marks)).toEqual({ nan: 2, inf: 1, negInf: 1 });
    expect(formatNonFinite(countNonFinite(marks))).toBe('2 NaN, 1 +Inf, 1 −Inf');
    expect(formatNonFinite(countNonFinite(marks.slice(0, 3)))).toBe('2 NaN, 1 +Inf');
    expect(formatNonFinite(countNonFinite([]))).toBe('');
  });

  it('counts only the marks in a zoomed view', () => {
    expect(countNonFinite(marks, { min: 2, max: 40 })).toEqual({ nan: 1, inf: 1, negInf: 1 });
    expect(countNonFinite(marks, { min: 10, max: 20 })).toEqual({ nan: 0, inf: 0, negInf: 0 });
  });
});

describe('readoutIndex', () => {
  const pts = [0, 10, 20, 30].map((x) => ({ x, y: x * 2 }));

  it("takes each series' point nearest to the hovered x, not its last", () => {
    expect(readoutIndex(pts, 12, null)).toBe(1);
    expect(readoutIndex(pts, 16, null)).toBe(2);
    // A run that ended before the cursor shows its last point (the legend then says its x).
    expect(readoutIndex(pts, 500, null)).toBe(3);
  });

  it('without a hover shows the last point, or the last one in the zoomed view', () => {
    expect(readoutIndex(pts, null, null)).toBe(3);
    expect(readoutIndex(pts, null, { min: 5, max: 25 })).toBe(2);
    expect(readoutIndex(pts, null, { min: 11, max: 19 })).toBe(-1);
    expect(readoutIndex([], null, null)).toBe(-1);
  });
});

describe('withAlpha', () => {
  it('fades the run colours', () => {
    expect(withAlpha('#2563eb', 0.25)).toBe('#2563eb40');
    expect(withAlpha('hsl(120, 65%, 48%)', 0.3)).toBe('hsla(120, 65%, 48%, 0.3)');
    expect(withAlpha('red', 0.3)).toBe('red');
  });
});

describe('segments over a NaN', () => {
  const xs = markXs([
    { x: 20, kind: 'inf' },
    { x: 10, kind: 'nan' },
    { x: 11, kind: 'nan' },
  ]);

  it('finds the segments that join the finite points around a mark', () => {
    expect(xs).toEqual([10, 11, 20]);
    expect(bridgesMark(xs, 9, 12)).toBe(true);
    expect(bridgesMark(xs, 19, 21)).toBe(true);
    expect(bridgesMark(xs, 12, 13)).toBe(false);
    // A mark at a point's own x is not between two points.
    expect(bridgesMark(xs, 20, 21)).toBe(false);
    expect(bridgesMark([], 0, 100)).toBe(false);
    const line = [0, 9, 12, 13, 19, 21, 22].map((x) => ({ x }));
    expect(bridgedSegments(line, xs)).toBe(2);
  });
});
