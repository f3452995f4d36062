// What a metric chart drew, for tests and anyone debugging a chart that shows nothing.
import type { Chart } from 'chart.js';
import type { DrawnOverlays, NonFiniteCount } from './chart-overlays';
import type { XAxisMode, XY } from './series-math';

/**
 * What one draw put on the canvas, read back from chart.js and the overlay plugins (not from the
 * React props, so a chart handed no data, or one that never draws, shows up as such). Written as
 * JSON to the figure's `data-plotted` after every draw; the browser tests assert on it.
 */
export interface Plotted {
  /** The y scale chart.js built: 'linear' or 'logarithmic'. */
  yScale: string;
  xAxis: XAxisMode;
  /** The axes' bounds as drawn. */
  xRange: [number, number];
  yRange: [number, number];
  /** The x axis's tick values as drawn. */
  xTicks: number[];
  /** The plot area's left and right edge, in CSS pixels from the canvas's left. */
  plotArea: [number, number];
  lines: Array<{
    label: string;
    /** Point elements chart.js laid out for the line: its points, thinned to about one per pixel column when there are more. */
    points: number;
    /** Smallest and largest x and y of the line's data; null when it has none. */
    x: [number, number] | null;
    y: [number, number] | null;
    /** The min–max band as drawn: buckets and its lowest and highest edge; null when none was drawn. */
    band: { buckets: number; lo: number; hi: number } | null;
    /** NaN / ±Infinity markers drawn inside the plot area. */
    nonFinite: NonFiniteCount;
    /** Segments drawn dashed: they join the finite points on either side of a NaN/±Infinity. */
    bridged: number;
    /** With smoothing, the raw line drawn faintly under this one (by the static layer): its points and y extent; else null. */
    raw: { points: number; y: [number, number] | null } | null;
  }>;
}

export type PlottedLine = Plotted['lines'][number];

/**
 * Reads back what this draw plotted: the datasets and scales chart.js holds (one per run's line),
 * and the overlays drawn (bands, raw lines, marks).
 */
export function readPlotted(chart: Chart<'line', XY[]>, xAxis: XAxisMode, drawn: DrawnOverlays): Plotted {
  const x = chart.scales.x;
  const y = chart.scales.y;
  const extent = (data: readonly XY[], axis: 'x' | 'y'): [number, number] | null => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const p of data) {
      lo = Math.min(lo, p[axis]);
      hi = Math.max(hi, p[axis]);
    }
    return lo <= hi ? [lo, hi] : null;
  };
  return {
    yScale: y?.type ?? 'none',
    xAxis,
    xRange: [x?.min ?? Number.NaN, x?.max ?? Number.NaN],
    yRange: [y?.min ?? Number.NaN, y?.max ?? Number.NaN],
    xTicks: x?.ticks.map((t) => t.value) ?? [],
    plotArea: [chart.chartArea.left, chart.chartArea.right],
    lines: chart.data.datasets.map((dataset, i) => ({
      label: dataset.label ?? '',
      points: pointsDrawn(chart, i),
      x: extent(dataset.data, 'x'),
      y: extent(dataset.data, 'y'),
      band: drawn.band[i] ?? null,
      nonFinite: drawn.nonFinite[i] ?? { nan: 0, inf: 0, negInf: 0 },
      bridged: drawn.bridged[i] ?? 0,
      raw: drawn.raw[i] ?? null,
    })),
  };
}

function pointsDrawn(chart: Chart<'line', XY[]>, index: number): number {
  return chart.isDatasetVisible(index) ? chart.getDatasetMeta(index).data.length : 0;
}
