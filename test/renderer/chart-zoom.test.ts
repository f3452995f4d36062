import { describe, expect, it } from 'vitest';
import { clampToExtent, dragToRange, stepWindow, wheelFactor, zoomAround } from '../../renderer/src/charts/chart-zoom';
import { integerTicks } from '../../renderer/src/charts/step-ticks';
import { viewExtent } from '../../renderer/src/charts/view-extent';
import type { SeriesPoints } from '../../renderer/src/charts/series-math';

const extent = { min: 0, max: 1000 };

describe('dragToRange', () => {
  it('orders the ends of a drag either way', () => {
    expect(dragToRange(300, 100, -80)).toEqual({ min: 100, max: 300 });
    expect(dragToRange(100, 300, 80)).toEqual({ min: 100, max: 300 });
  });

  it('ignores a drag of a few pixels (a click) and unreadable ends', () => {
    expect(dragToRange(100, 101, 4)).toBeNull();
    expect(dragToRange(100, 100, 50)).toBeNull();
    expect(dragToRange(Number.NaN, 100, 50)).toBeNull();
  });
});

describe('zoomAround', () => {
  it('keeps the x under the cursor where it is while the span scales', () => {
    const z = zoomAround({ min: 0, max: 1000 }, 250, 0.5, extent)!;
    expect(z.max - z.min).toBeCloseTo(500);
    // 250 sat a quarter of the way along; it still does.
    expect((250 - z.min) / (z.max - z.min)).toBeCloseTo(0.25);
  });

  it('zooming out past the whole extent resets instead of showing empty space', () => {
    expect(zoomAround({ min: 400, max: 600 }, 500, 2, extent)).toEqual({ min: 300, max: 700 });
    expect(zoomAround({ min: 100, max: 900 }, 500, 2, extent)).toBeNull();
  });

  it('shifts a zoom near an edge back inside, keeping its width', () => {
    expect(zoomAround({ min: 0, max: 200 }, 0, 2, extent)).toEqual({ min: 0, max: 400 });
    expect(zoomAround({ min: 900, max: 1000 }, 1000, 1.5, extent)).toEqual({ min: 850, max: 1000 });
  });

  it('stops at the narrowest span allowed (two steps on a step axis)', () => {
    const z = zoomAround({ min: 499, max: 501 }, 500, 0.1, extent, 2)!;
    expect(z.max - z.min).toBeCloseTo(2);
    expect((z.min + z.max) / 2).toBeCloseTo(500);
  });
});

describe('clampToExtent', () => {
  it('has no zoom on a series of one x, or a range that covers it all', () => {
    expect(clampToExtent({ min: 0, max: 1 }, { min: 5, max: 5 })).toBeNull();
    expect(clampToExtent({ min: -10, max: 2000 }, extent)).toBeNull();
    expect(clampToExtent({ min: 0, max: 1 }, { min: 0, max: 1.5 }, 2)).toBeNull();
  });

  it('keeps a range inside the data', () => {
    expect(clampToExtent({ min: -50, max: 50 }, extent)).toEqual({ min: 0, max: 100 });
  });
});

describe('wheelFactor', () => {
  it('zooms in on a wheel up and out on a wheel down, pinches faster, capped at 2× a notch', () => {
    expect(wheelFactor(-100, 0, false)).toBeLessThan(1);
    expect(wheelFactor(100, 0, false)).toBeGreaterThan(1);
    expect(wheelFactor(-10, 0, true)).toBeLessThan(wheelFactor(-10, 0, false));
    expect(wheelFactor(-3, 1, false)).toBeCloseTo(wheelFactor(-48, 0, false));
    expect(wheelFactor(10_000, 0, false)).toBe(2);
    expect(wheelFactor(-10_000, 0, false)).toBe(0.5);
  });
});

describe('stepWindow', () => {
  it('covers a zoomed x range with whole steps', () => {
    expect(stepWindow({ min: 12.3, max: 40.2 })).toEqual({ startStep: 12, endStep: 41 });
  });
});

describe('integerTicks', () => {
  it('keeps each whole step once, dropping the bounds and halves chart.js adds', () => {
    const ticks = [12.3, 13, 14, 14, 14.5, 15, 15.7].map((value) => ({ value }));
    expect(integerTicks(ticks).map((t) => t.value)).toEqual([13, 14, 15]);
    expect(integerTicks([0, 0.5, 1].map((value) => ({ value }))).map((t) => t.value)).toEqual([0, 1]);
  });
});

describe('viewExtent', () => {
  const series: SeriesPoints = {
    line: [
      { x: 0, y: 5 },
      { x: 10, y: 1 },
      { x: 20, y: 3 },
    ],
    band: [{ x: 10, lo: 0.5, hi: 9 }],
    range: null,
    minPositive: null,
    nonFinite: [{ x: 30, kind: 'nan' }],
  };

  it('spans the whole x of lines, bands and marks', () => {
    expect(viewExtent([series], null)).toEqual({ x: { min: 0, max: 30 }, y: { min: 0.5, max: 9 }, minPositive: 0.5 });
  });

  it('fits y to what is in the zoomed view only', () => {
    expect(viewExtent([series], { min: 15, max: 30 })).toEqual({ x: { min: 0, max: 30 }, y: { min: 3, max: 3 }, minPositive: 3 });
    expect(viewExtent([], null)).toEqual({ x: null, y: null, minPositive: null });
  });
});
