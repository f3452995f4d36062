// The chart's drawing layers beyond chart.js's lines: what they draw (the bands and raw lines are
// painted by chart-static-layer.ts), and the NaN/±∞ marks on the edges.
import type { Plugin } from 'chart.js';
import { bridgedSegments, type NonFiniteCount } from './non-finite-marks';
import type { NonFiniteMark, SeriesPoints, XY } from './series-math';
import type { PlottedLine } from './plotted-readout';

export type { NonFiniteCount } from './non-finite-marks';

/** What the band and marker plugins draw, one entry per series (the same index as its dataset). */
export interface OverlayState {
  series: Array<{
    color: string;
    band: SeriesPoints['band'];
    nonFinite: NonFiniteMark[];
    /** The marks' x values, sorted (for the dashed segments over them). */
    markXs: readonly number[];
    /** With smoothing, the raw line (thinned to the plot's pixels) drawn faintly under the smoothed one; else null. */
    raw: readonly XY[] | null;
    rawColor: string;
  }>;
  /** Bumped whenever a band or raw line changes: the static layer is painted again then. */
  version: number;
}

/** Filled in by the overlay plugins during a draw, read by the `data-plotted` writer at its end. */
export interface DrawnOverlays {
  band: Array<PlottedLine['band']>;
  nonFinite: NonFiniteCount[];
  /** Per series, the line's segments drawn dashed because they pass over a NaN/±Inf mark. */
  bridged: number[];
  /** Per series, the raw line drawn under the smoothed one: its points and y extent; null when none. */
  raw: Array<PlottedLine['raw']>;
}

/**
 * Marks the values the line cannot show, so a diverged run doesn't just end silently: +∞ as ▲ on
 * the top edge, −∞ as ▼ on the bottom edge, NaN as × along the top edge, in the series' colour.
 */
export function nonFinitePlugin(state: OverlayState, drawn: DrawnOverlays): Plugin<'line'> {
  return {
    id: 'orreryNonFinite',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      const x = chart.scales.x;
      drawn.nonFinite = state.series.map(() => ({ nan: 0, inf: 0, negInf: 0 }));
      drawn.bridged = state.series.map((s, i) => (s.markXs.length === 0 ? 0 : bridgedSegments((chart.data.datasets[i]?.data ?? []) as Array<{ x: number }>, s.markXs)));
      if (!x) return;
      const { top, bottom, left, right } = chartArea;
      ctx.save();
      ctx.lineWidth = 1.5;
      state.series.forEach((s, i) => {
        const count = drawn.nonFinite[i]!;
        ctx.fillStyle = s.color;
        ctx.strokeStyle = s.color;
        for (const mark of s.nonFinite) {
          const px = x.getPixelForValue(mark.x);
          if (!(px >= left - 0.5 && px <= right + 0.5)) continue;
          ctx.beginPath();
          if (mark.kind === 'nan') {
            ctx.moveTo(px - 3, top + 1);
            ctx.lineTo(px + 3, top + 7);
            ctx.moveTo(px + 3, top + 1);
            ctx.lineTo(px - 3, top + 7);
            ctx.stroke();
            count.nan++;
          } else {
            const edge = mark.kind === 'inf' ? top : bottom;
            const toward = mark.kind === 'inf' ? 7 : -7;
            ctx.moveTo(px, edge);
            ctx.lineTo(px - 4, edge + toward);
            ctx.lineTo(px + 4, edge + toward);
            ctx.closePath();
            ctx.fill();
            if (mark.kind === 'inf') count.inf++;
            else count.negInf++;
          }
        }
      });
      ctx.restore();
    },
  };
}
