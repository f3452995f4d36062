import { describe, expect, it } from 'vitest';
import { dashedRuns } from '../../renderer/src/charts/dashed-runs';
import type { XY } from '../../renderer/src/charts/series-math';

const pts = (...xs: number[]): XY[] => xs.map((x) => ({ x, y: x }));

describe('dashedRuns', () => {
  it('strokes a line without marks as one solid run', () => {
    expect(dashedRuns(pts(0, 1, 2, 3), [])).toEqual([{ from: 0, to: 3, dashed: false }]);
    expect(dashedRuns(pts(5), [5])).toEqual([{ from: 0, to: 0, dashed: false }]);
    expect(dashedRuns([], [1])).toEqual([]);
  });

  it('dashes only the segments that pass over a mark, sharing their end points with the solid runs', () => {
    // A NaN at 2.5 and two at 5: the segments 2→3 and 4→6 are dashed.
    expect(dashedRuns(pts(0, 1, 2, 3, 4, 6, 7), [2.5, 5, 5])).toEqual([
      { from: 0, to: 2, dashed: false },
      { from: 2, to: 3, dashed: true },
      { from: 3, to: 4, dashed: false },
      { from: 4, to: 5, dashed: true },
      { from: 5, to: 6, dashed: false },
    ]);
    // Two dashed segments in a row stay one run.
    expect(dashedRuns(pts(0, 2, 4), [1, 3])).toEqual([{ from: 0, to: 2, dashed: true }]);
  });
});
