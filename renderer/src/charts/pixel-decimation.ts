// Thinning a line to what its pixels can show: a 600-pixel plot gains nothing from 1,000 points
// per line but the cost of laying them out and rasterising them, 100 lines at a time.
import type { XY } from './series-math';

/** The pixel columns a line is drawn into, and how y values map to pixels. */
export interface PixelGrid {
  /** The x range the plot shows; points outside it are thinned to the one nearest each edge. */
  xMin: number;
  xMax: number;
  /** Pixel columns across the plot (device pixels). */
  columns: number;
  /**
   * Where a y value lands, in pixels (any origin, either direction). A column whose values all
   * land within half a pixel is drawn as one point. Without it, every column keeps its min and max.
   */
  yPixel?: (y: number) => number;
}

/** Points in a column whose y spans less than this many pixels draw as one point. */
const FLAT_PX = 0.5;

/**
 * The points of a line (sorted by x) worth drawing into `grid`: per pixel column its first, lowest,
 * highest and last point, in their order, or only its last when the column is flat to within half
 * a pixel. So a spike keeps its full height, the line's overall extremes and ends stay exact, and
 * a line has about one point per column. The points next to each x in `keep` (sorted), such as
 * the NaN marks a dashed segment must bridge, are kept, so the segment across each mark is the
 * same one it was. A line with no more points than columns is returned as is.
 */
export function decimateToColumns(points: readonly XY[], grid: PixelGrid, keep: readonly number[] = []): readonly XY[] {
  const n = points.length;
  const columns = Math.floor(grid.columns);
  if (!(columns >= 1) || n <= columns || !(grid.xMax > grid.xMin)) return points;
  const kept = new Uint8Array(n);
  markExtremes(points, kept);
  markAroundMarks(points, keep, kept);
  const scale = columns / (grid.xMax - grid.xMin);
  const columnOf = (x: number) => (x < grid.xMin ? -1 : x > grid.xMax ? columns : Math.min(columns - 1, Math.floor((x - grid.xMin) * scale)));
  // One pass: a column's points are handled when the next column starts.
  let start = 0;
  let column = columnOf(points[0]!.x);
  for (let i = 1; i <= n; i++) {
    const next = i < n ? columnOf(points[i]!.x) : Number.NaN;
    if (next === column) continue;
    if (column < 0) kept[i - 1] = 1; // only the last point before the view: the line enters from it
    else if (column >= columns) kept[start] = 1; // only the first after it
    else keepColumn(points, start, i, grid.yPixel, kept);
    start = i;
    column = next;
  }
  const out: XY[] = [];
  for (let i = 0; i < n; i++) if (kept[i]) out.push(points[i]!);
  return out;
}

/** Marks the points of one column [start, end) to keep. */
function keepColumn(points: readonly XY[], start: number, end: number, yPixel: PixelGrid['yPixel'], kept: Uint8Array): void {
  let lo = start;
  let hi = start;
  for (let i = start + 1; i < end; i++) {
    const y = points[i]!.y;
    if (y < points[lo]!.y) lo = i;
    if (y > points[hi]!.y) hi = i;
  }
  kept[end - 1] = 1;
  if (yPixel && Math.abs(yPixel(points[hi]!.y) - yPixel(points[lo]!.y)) < FLAT_PX) return;
  kept[start] = 1;
  kept[lo] = 1;
  kept[hi] = 1;
}

/** The first and last point and the line's lowest and highest: what its read-back extents are. */
function markExtremes(points: readonly XY[], kept: Uint8Array): void {
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.y < points[lo]!.y) lo = i;
    if (points[i]!.y > points[hi]!.y) hi = i;
  }
  kept[0] = 1;
  kept[points.length - 1] = 1;
  kept[lo] = 1;
  kept[hi] = 1;
}

/** The last point before and the first point after each x in `xs` (both sorted). */
function markAroundMarks(points: readonly XY[], xs: readonly number[], kept: Uint8Array): void {
  let i = 0;
  for (const x of xs) {
    while (i < points.length && points[i]!.x < x) i++;
    if (i > 0) kept[i - 1] = 1;
    let j = i;
    while (j < points.length && points[j]!.x <= x) j++;
    if (j < points.length) kept[j] = 1;
  }
}

/** A plot's grid, and a key naming it: equal keys, equal grids. */
export interface PlotGrid extends PixelGrid {
  key: string;
}

/**
 * The grid of a plot `area` (CSS pixels; `ratio` device pixels each) showing x over `x` and y
 * over `y` (the y values in view; log-scaled when `logY`), or null while x or the area is unknown.
 */
export function plotGrid(area: { width: number; height: number }, ratio: number, x: { min: number; max: number } | null, y: { min: number; max: number } | null, logY: boolean): PlotGrid | null {
  if (!x || !(area.width > 0) || !(ratio > 0)) return null;
  const columns = Math.round(area.width * ratio);
  const height = area.height * ratio;
  const grid: PlotGrid = { xMin: x.min, xMax: x.max, columns, key: [x.min, x.max, columns, y?.min, y?.max, logY, height].join('|') };
  if (y && height > 0) {
    const f = logY ? (v: number) => Math.log(Math.max(v, Number.MIN_VALUE)) : (v: number) => v;
    const lo = f(y.min);
    const span = f(y.max) - lo;
    // A single y value in view gives no scale to measure by: every column then keeps its extremes.
    if (span > 0) grid.yPixel = (v) => ((f(v) - lo) / span) * height;
  }
  return grid;
}

/** Remembers each line's thinned points for the last grid, so an unchanged line is not thinned again. */
export class DecimationCache {
  private readonly lines = new WeakMap<readonly XY[], { key: string; keep: readonly number[]; out: readonly XY[] }>();

  get(points: readonly XY[], grid: PlotGrid, keep: readonly number[]): readonly XY[] {
    const hit = this.lines.get(points);
    if (hit && hit.key === grid.key && hit.keep === keep) return hit.out;
    const out = decimateToColumns(points, grid, keep);
    this.lines.set(points, { key: grid.key, keep, out });
    return out;
  }
}
