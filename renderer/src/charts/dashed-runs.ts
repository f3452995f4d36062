// Splitting a line into the stretches drawn solid and the segments drawn dashed over NaN/±Inf marks.
import { bridgesMark } from './non-finite-marks';
import type { XY } from './series-math';

/** Points from..to (indexes, both included) stroked in one style. */
export interface LineRun {
  from: number;
  to: number;
  dashed: boolean;
}

/**
 * The line (sorted by x) as runs of one style each: a segment passing over a mark in `sortedXs`
 * is dashed (the join is not data), the rest solid; consecutive runs share their end point. A
 * single point is one solid run; no points, none.
 */
export function dashedRuns(points: readonly XY[], sortedXs: readonly number[]): LineRun[] {
  if (points.length === 0) return [];
  if (sortedXs.length === 0 || points.length === 1) return [{ from: 0, to: points.length - 1, dashed: false }];
  const runs: LineRun[] = [];
  let current: LineRun | null = null;
  for (let k = 1; k < points.length; k++) {
    const dashed = bridgesMark(sortedXs, points[k - 1]!.x, points[k]!.x);
    if (current && current.dashed === dashed) current.to = k;
    else runs.push((current = { from: k - 1, to: k, dashed }));
  }
  return runs;
}
