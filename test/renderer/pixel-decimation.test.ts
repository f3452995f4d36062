import { describe, expect, it } from 'vitest';
import { DecimationCache, decimateToColumns, plotGrid, type PixelGrid } from '../../renderer/src/charts/pixel-decimation';
import { bridgedSegments, markXs } from '../../renderer/src/charts/non-finite-marks';
import type { XY } from '../../renderer/src/charts/series-math';

/** n points at x = 0..n-1 with y from `f`. */
function line(n: number, f: (x: number) => number): XY[] {
  return Array.from({ length: n }, (_, x) => ({ x, y: f(x) }));
}

/** A plot `columns` wide over x 0..n-1, y 0..1 spread over `height` pixels. */
function grid(n: number, columns: number, height = 200): PixelGrid {
  return { xMin: 0, xMax: n - 1, columns, yPixel: (y) => y * height };
}

/** Per column, the lowest and highest y of the points in it. */
function columnRanges(points: readonly XY[], g: PixelGrid): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const p of points) {
    const c = Math.min(g.columns - 1, Math.floor(((p.x - g.xMin) / (g.xMax - g.xMin)) * g.columns));
    const r = out.get(c);
    out.set(c, r ? [Math.min(r[0], p.y), Math.max(r[1], p.y)] : [p.y, p.y]);
  }
  return out;
}

describe('decimateToColumns', () => {
  it('returns a line with no more points than columns unchanged', () => {
    const points = line(500, (x) => Math.sin(x));
    expect(decimateToColumns(points, grid(500, 600))).toBe(points);
    expect(decimateToColumns(points, grid(500, 500))).toBe(points);
  });

  it('draws a smooth line at about one point per pixel column, keeping its ends and extremes', () => {
    // At most ~0.45 px of y per column: each column is flat to within half a pixel.
    const points = line(10_000, (x) => 0.5 + 0.4 * Math.sin(x / 3000));
    const g = grid(10_000, 600);
    const out = decimateToColumns(points, g);
    expect(out.length).toBeGreaterThanOrEqual(600);
    expect(out.length).toBeLessThan(700);
    expect(out[0]).toBe(points[0]);
    expect(out.at(-1)).toBe(points.at(-1));
    expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...points.map((p) => p.y)));
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...points.map((p) => p.y)));
    // Kept points are the line's own, in order.
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
  });

  it("keeps a steep column's vertical extent: its first and last point", () => {
    const points = line(10_000, (x) => 1 - x / 10_000);
    const out = decimateToColumns(points, grid(10_000, 100, 1000));
    // 10 px of y per column: entry and exit of each column, nothing between.
    expect(out.length).toBe(200);
    expect(columnRanges(out, grid(10_000, 100))).toEqual(columnRanges(points, grid(10_000, 100)));
  });

  it('keeps every spike at its full height: each column spans what it spanned before', () => {
    const points = line(10_000, (x) => (x % 997 === 0 ? 0.9 : x % 1301 === 0 ? 0.05 : 0.5 + 0.001 * Math.sin(x)));
    const g = grid(10_000, 400);
    const out = decimateToColumns(points, g);
    expect(out.length).toBeLessThan(1200);
    const before = columnRanges(points, g);
    const after = columnRanges(out, g);
    for (const [column, [lo, hi]] of before) {
      // A flat column (within half a pixel) may keep only its last point; any other spans as before.
      if ((hi - lo) * 200 < 0.5) continue;
      expect(after.get(column), `column ${column}`).toEqual([lo, hi]);
    }
    for (const p of points) if (p.y === 0.9 || p.y === 0.05) expect(out).toContain(p);
  });

  it('keeps min and max of every column when no y mapping is given', () => {
    const points = line(5000, (x) => Math.sin(x / 7));
    const g: PixelGrid = { xMin: 0, xMax: 4999, columns: 100 };
    const out = decimateToColumns(points, g);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(columnRanges(out, g)).toEqual(columnRanges(points, g));
  });

  it('keeps the points either side of a NaN mark, so the dashed segment across it stays the same', () => {
    // NaN at x = 2500 and 7000.5 (between points): the line has no point there.
    const points = line(10_000, (x) => 0.5 + 0.0001 * x).filter((p) => p.x !== 2500);
    const marks = markXs([
      { x: 2500, kind: 'nan' },
      { x: 7000.5, kind: 'inf' },
    ]);
    const out = decimateToColumns(points, grid(10_000, 300, 100), marks);
    expect(out.length).toBeLessThan(400);
    expect(bridgedSegments(out, marks)).toBe(bridgedSegments(points, marks));
    expect(bridgedSegments(out, marks)).toBe(2);
    expect(out.map((p) => p.x)).toEqual(expect.arrayContaining([2499, 2501, 7000, 7001]));
  });

  it('thins the points outside a zoomed view to the one nearest each edge', () => {
    const points = line(10_000, (x) => x / 10_000);
    const g: PixelGrid = { xMin: 4000, xMax: 4999, columns: 100, yPixel: (y) => y * 200 };
    const out = decimateToColumns(points, g);
    const before = out.filter((p) => p.x < 4000).map((p) => p.x);
    const after = out.filter((p) => p.x > 4999).map((p) => p.x);
    // The line's own first and last point stay too (its read-back extent).
    expect(before).toEqual([0, 3999]);
    expect(after).toEqual([5000, 9999]);
    expect(out.filter((p) => p.x >= 4000 && p.x <= 4999).length).toBeLessThanOrEqual(200);
  });

  it('leaves a line alone when the grid is unusable', () => {
    const points = line(100, (x) => x);
    expect(decimateToColumns(points, { xMin: 5, xMax: 5, columns: 10 })).toBe(points);
    expect(decimateToColumns(points, { xMin: 0, xMax: 99, columns: 0 })).toBe(points);
    expect(decimateToColumns([], grid(1, 10))).toEqual([]);
  });
});

describe('plotGrid', () => {
  it('counts device-pixel columns and maps y to device pixels, linearly or on a log axis', () => {
    const grid = plotGrid({ width: 500, height: 200 }, 2, { min: 0, max: 100 }, { min: 0, max: 10 }, false)!;
    expect(grid.columns).toBe(1000);
    expect(grid.yPixel!(5) - grid.yPixel!(0)).toBeCloseTo(200);
    const log = plotGrid({ width: 500, height: 200 }, 1, { min: 0, max: 100 }, { min: 0.01, max: 100 }, true)!;
    expect(log.yPixel!(1) - log.yPixel!(0.01)).toBeCloseTo(100);
    expect(log.key).not.toBe(plotGrid({ width: 500, height: 200 }, 1, { min: 0, max: 100 }, { min: 0.01, max: 100 }, false)!.key);
  });

  it('has no grid before the plot is laid out or the data has an x range, and no y scale for a single value', () => {
    expect(plotGrid({ width: 0, height: 200 }, 1, { min: 0, max: 1 }, null, false)).toBeNull();
    expect(plotGrid({ width: 500, height: 200 }, 1, null, null, false)).toBeNull();
    expect(plotGrid({ width: 500, height: 200 }, 1, { min: 0, max: 1 }, { min: 3, max: 3 }, false)!.yPixel).toBeUndefined();
  });
});

describe('DecimationCache', () => {
  it('thins a line once per grid and again for another grid or other marks', () => {
    const line = Array.from({ length: 5000 }, (_, x) => ({ x, y: Math.sin(x) }));
    const cache = new DecimationCache();
    const grid = plotGrid({ width: 100, height: 100 }, 1, { min: 0, max: 4999 }, { min: -1, max: 1 }, false)!;
    const first = cache.get(line, grid, []);
    expect(first.length).toBeLessThan(500);
    const keep: number[] = [];
    expect(cache.get(line, grid, keep)).not.toBe(first);
    expect(cache.get(line, grid, keep)).toBe(cache.get(line, grid, keep));
    const wider = plotGrid({ width: 400, height: 100 }, 1, { min: 0, max: 4999 }, { min: -1, max: 1 }, false)!;
    expect(cache.get(line, wider, keep).length).toBeGreaterThan(first.length);
  });
});
