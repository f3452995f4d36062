// Counting the NaN and ±Infinity values a chart marks instead of plotting, for its legend.
import type { NonFiniteMark } from './series-math';
import type { XRange } from './chart-zoom';

export interface NonFiniteCount {
  nan: number;
  inf: number;
  negInf: number;
}

/** How many marks of each kind, only those inside `range` when one is given (the zoomed view). */
export function countNonFinite(marks: readonly NonFiniteMark[], range: XRange | null = null): NonFiniteCount {
  const count: NonFiniteCount = { nan: 0, inf: 0, negInf: 0 };
  for (const m of marks) {
    if (range && (m.x < range.min || m.x > range.max)) continue;
    if (m.kind === 'nan') count.nan++;
    else if (m.kind === 'inf') count.inf++;
    else count.negInf++;
  }
  return count;
}

/** "2 NaN, 1 +Inf, 1 −Inf" for a legend row; empty when there is none. */
export function formatNonFinite(count: NonFiniteCount): string {
  return (
    [
      [count.nan, 'NaN'],
      [count.inf, '+Inf'],
      [count.negInf, '−Inf'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, name]) => `${n} ${name}`)
    .join(', ');
}

/** The marks' x values, sorted, for `bridgesMark`. */
export function markXs(marks: readonly NonFiniteMark[]): number[] {
  return marks.map((m) => m.x).sort((a, b) => a - b);
}

/**
 * Whether the line segment from x `a` to x `b` passes over a mark (strictly between them): the
 * line joins the finite points on either side of a NaN, and that segment is drawn dashed so the
 * join is not read as data.
 */
export function bridgesMark(sortedXs: readonly number[], a: number, b: number): boolean {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  // First mark > lo, by binary search.
  let i = 0;
  let j = sortedXs.length;
  while (i < j) {
    const mid = (i + j) >> 1;
    if (sortedXs[mid]! <= lo) i = mid + 1;
    else j = mid;
  }
  return i < sortedXs.length && sortedXs[i]! < hi;
}

/** How many segments of a line (points in x order) pass over a mark. */
export function bridgedSegments(points: ReadonlyArray<{ x: number }>, sortedXs: readonly number[]): number {
  let n = 0;
  for (let k = 1; k < points.length; k++) if (bridgesMark(sortedXs, points[k - 1]!.x, points[k]!.x)) n++;
  return n;
}
