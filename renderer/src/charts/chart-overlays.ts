// The chart's drawing layers beyond chart.js's lines: min–max bands behind them, NaN/±∞ marks on the edges.
import type { Plugin } from 'chart.js';
import { bridgedSegments, markXs, type NonFiniteCount } from './non-finite-marks';
import type { NonFiniteMark, SeriesPoints } from './series-math';
import type { PlottedLine } from './plotted-readout';

export type { NonFiniteCount } from './non-finite-marks';

/** What the band and marker plugins draw, one entry per series (the same index as its dataset). */
export interface OverlayState {
  series: Array<{ color: string; band: SeriesPoints['band']; nonFinite: NonFiniteMark[] }>;
}

/** Filled in by the overlay plugins during a draw, read by the `data-plotted` writer at its end. */
export interface DrawnOverlays {
  band: Array<PlottedLine['band']>;
  nonFinite: NonFiniteCount[];
  /** Per series, the line's segments drawn dashed because they pass over a NaN/±Inf mark. */
  bridged: number[];
}

/** Draws each series' min–max band (behind the lines) as one filled polygon per series. */
export function bandPlugin(state: OverlayState, drawn: DrawnOverlays): Plugin<'line'> {
  return {
    id: 'orreryBand',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const x = scales.x;
      const y = scales.y;
      drawn.band = [];
      if (!x || !y) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
      ctx.clip();
      ctx.globalAlpha = state.series.length > 10 ? 0.12 : 0.2;
      for (const s of state.series) {
        const band = s.band;
        if (band.length === 0) {
          drawn.band.push(null);
          continue;
        }
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const b of band) {
          lo = Math.min(lo, b.lo);
          hi = Math.max(hi, b.hi);
        }
        drawn.band.push({ buckets: band.length, lo, hi });
        ctx.fillStyle = s.color;
        ctx.beginPath();
        // Runs of consecutive buckets form one polygon each; a lone bucket is a thin vertical bar.
        for (let i = 0; i < band.length; i++) {
          const b = band[i]!;
          const px = x.getPixelForValue(b.x);
          if (i === 0) ctx.moveTo(px, y.getPixelForValue(b.hi));
          else ctx.lineTo(px, y.getPixelForValue(b.hi));
        }
        for (let i = band.length - 1; i >= 0; i--) {
          const b = band[i]!;
          ctx.lineTo(x.getPixelForValue(b.x), y.getPixelForValue(b.lo));
        }
        ctx.closePath();
        ctx.fill();
        if (band.length < 4) {
          // Too few to fill an area: draw each bucket's range as a line so a spike still shows.
          ctx.strokeStyle = s.color;
          for (const b of band) {
            const px = x.getPixelForValue(b.x);
            ctx.beginPath();
            ctx.moveTo(px, y.getPixelForValue(b.hi));
            ctx.lineTo(px, y.getPixelForValue(b.lo));
            ctx.stroke();
          }
        }
      }
      ctx.restore();
    },
  };
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
      drawn.bridged = state.series.map((s, i) => (s.nonFinite.length === 0 ? 0 : bridgedSegments((chart.data.datasets[i]?.data ?? []) as Array<{ x: number }>, markXs(s.nonFinite))));
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
