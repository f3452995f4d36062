// What a metric chart's axes must span: all of the data on x, the data in view on y.
import type { XRange } from './chart-zoom';
import type { SeriesPoints } from './series-math';

export interface ViewExtent {
  /** The data's whole x extent: lines, bands and the NaN/∞ marks (a run ending in NaN shows where it did). */
  x: XRange | null;
  /** Lowest and highest finite value in the x view (lines and bands), null when none is. */
  y: { min: number; max: number } | null;
  /** Smallest value > 0 in view, for a log axis. */
  minPositive: number | null;
}

/** The extents of the prepared series, y only over `view` when zoomed (so a zoom fits its y too). */
export function viewExtent(series: readonly SeriesPoints[], view: XRange | null): ViewExtent {
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  let minPositive = Number.POSITIVE_INFINITY;
  const inView = (x: number) => !view || (x >= view.min && x <= view.max);
  const seeY = (y: number) => {
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
    if (y > 0 && y < minPositive) minPositive = y;
  };
  const seeX = (x: number) => {
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  };
  for (const s of series) {
    for (const p of s.line) {
      seeX(p.x);
      if (inView(p.x)) seeY(p.y);
    }
    for (const b of s.band) {
      seeX(b.x);
      if (inView(b.x)) {
        seeY(b.lo);
        seeY(b.hi);
      }
    }
    for (const m of s.nonFinite) seeX(m.x);
  }
  return {
    x: xMin <= xMax ? { min: xMin, max: xMax } : null,
    y: yMin <= yMax ? { min: yMin, max: yMax } : null,
    minPositive: Number.isFinite(minPositive) ? minPositive : null,
  };
}
