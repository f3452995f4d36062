// The part of a metric chart a smoothing change leaves alone: the min–max bands and the faint raw
// lines. They are painted once per data and scale into an offscreen canvas and copied onto the
// chart on every later draw, so moving the smoothing slider repaints only the smoothed lines.
import type { Chart, Plugin } from 'chart.js';
import type { DrawnOverlays, OverlayState } from './chart-overlays';
import { dashedRuns } from './dashed-runs';
import type { XY } from './series-math';

/** The raw line under a smoothed one: thinner and faint, as it was as a chart.js dataset. */
const RAW_WIDTH = 1;
const DASH = [4, 3];

/**
 * Everything the layer's pixels depend on besides the data: the axes' ranges and type, the plot
 * area and the canvas size. The data's part is `version`, bumped whenever a band or raw line changes.
 */
export function layerKey(chart: Pick<Chart, 'scales' | 'chartArea' | 'width' | 'height' | 'currentDevicePixelRatio'>, version: number): string {
  const { x, y } = chart.scales;
  const a = chart.chartArea;
  return [version, x?.min, x?.max, y?.type, y?.min, y?.max, a.left, a.top, a.right, a.bottom, chart.width, chart.height, chart.currentDevicePixelRatio].join('|');
}

/** Draws the bands and raw lines behind chart.js's lines, from the cached canvas when it is current. */
export function staticLayerPlugin(state: OverlayState, drawn: DrawnOverlays): Plugin<'line'> {
  let cache: { canvas: HTMLCanvasElement; key: string; band: DrawnOverlays['band']; raw: DrawnOverlays['raw'] } | null = null;
  return {
    id: 'orreryStaticLayer',
    beforeDatasetsDraw(chart) {
      if (!chart.scales.x || !chart.scales.y) {
        drawn.band = [];
        drawn.raw = [];
        return;
      }
      const key = layerKey(chart, state.version);
      if (!cache || cache.key !== key) {
        const canvas = cache?.canvas ?? document.createElement('canvas');
        canvas.width = chart.canvas.width;
        canvas.height = chart.canvas.height;
        const ctx = canvas.getContext('2d');
        if (!ctx) return;
        const ratio = chart.currentDevicePixelRatio;
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        const band = paintBands(ctx, chart, state);
        const raw = paintRawLines(ctx, chart, state);
        cache = { canvas, key, band, raw };
      }
      drawn.band = cache.band;
      drawn.raw = cache.raw;
      const ctx = chart.ctx;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(cache.canvas, 0, 0);
      ctx.restore();
    },
    afterDestroy() {
      cache = null;
    },
  };
}

/** Each series' min–max band as one filled polygon (a lone few buckets as vertical bars). */
function paintBands(ctx: CanvasRenderingContext2D, chart: Chart, state: OverlayState): DrawnOverlays['band'] {
  const x = chart.scales.x!;
  const y = chart.scales.y!;
  const { chartArea } = chart;
  const out: DrawnOverlays['band'] = [];
  ctx.save();
  ctx.beginPath();
  ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
  ctx.clip();
  ctx.globalAlpha = state.series.length > 10 ? 0.12 : 0.2;
  for (const s of state.series) {
    const band = s.band;
    if (band.length === 0) {
      out.push(null);
      continue;
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const b of band) {
      lo = Math.min(lo, b.lo);
      hi = Math.max(hi, b.hi);
    }
    out.push({ buckets: band.length, lo, hi });
    ctx.fillStyle = s.color;
    ctx.beginPath();
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
  return out;
}

/** The raw lines under smoothed ones, dashed where they pass over a NaN/±Inf mark. */
function paintRawLines(ctx: CanvasRenderingContext2D, chart: Chart, state: OverlayState): DrawnOverlays['raw'] {
  const x = chart.scales.x!;
  const y = chart.scales.y!;
  const { chartArea } = chart;
  const overflow = RAW_WIDTH / 2;
  ctx.save();
  ctx.beginPath();
  ctx.rect(chartArea.left - overflow, chartArea.top - overflow, chartArea.right - chartArea.left + 2 * overflow, chartArea.bottom - chartArea.top + 2 * overflow);
  ctx.clip();
  ctx.lineWidth = RAW_WIDTH;
  ctx.lineCap = 'butt';
  ctx.lineJoin = 'miter';
  const out = state.series.map((s) => {
    const raw = s.raw;
    if (!raw) return null;
    ctx.strokeStyle = s.rawColor;
    for (const run of dashedRuns(raw, s.markXs)) {
      ctx.setLineDash(run.dashed ? DASH : []);
      ctx.beginPath();
      for (let i = run.from; i <= run.to; i++) {
        const p = raw[i]!;
        const px = x.getPixelForValue(p.x);
        const py = y.getPixelForValue(p.y);
        if (i === run.from) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    return { points: raw.length, y: yExtent(raw) };
  });
  ctx.restore();
  return out;
}

function yExtent(points: readonly XY[]): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.y < lo) lo = p.y;
    if (p.y > hi) hi = p.y;
  }
  return lo <= hi ? [lo, hi] : null;
}
