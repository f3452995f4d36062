import { useEffect, useMemo, useRef, useState } from 'react';
import { LogarithmicScale, type ScriptableLineSegmentContext } from 'chart.js';
import type { MetricBuckets } from '../../../shared/contract/tracking';
import { Chart } from './chart-setup';
import { nonFinitePlugin, type DrawnOverlays, type OverlayState } from './chart-overlays';
import { attachChartPointer } from './chart-pointer';
import { staticLayerPlugin } from './chart-static-layer';
import { clampToExtent, dragToRange, zoomAround, type XRange } from './chart-zoom';
import { MetricLegend, type LegendRow } from './metric-legend';
import { bridgesMark, countNonFinite, markXs } from './non-finite-marks';
import { DecimationCache, plotGrid } from './pixel-decimation';
import { readPlotted } from './plotted-readout';
import { bucketsToPoints, ema, formatValue, formatX, readoutIndex, withAlpha, type XAxisMode, type XY } from './series-math';
import { integerTicks } from './step-ticks';
import { viewExtent } from './view-extent';
import { useChartZoom } from './zoom-context';
import { useZoomedSeries, type ReloadSeries } from './zoomed-series';
import '../styles/charts.css';

Chart.register(LogarithmicScale);

/** One run's series of one metric. */
export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  buckets: MetricBuckets;
  /** The run's first timestamp (ms) for the relative x axis; the series' own first point when absent. */
  origin?: number;
  /** False when the buckets are downsampled: a zoom on the step axis then reads the range again. */
  exact?: boolean;
}

interface MetricChartProps {
  title: string;
  series: readonly ChartSeries[];
  xAxis: XAxisMode;
  logY?: boolean;
  /** EMA weight 0..0.99, applied to the line (the raw line stays, faint, under it), never to the band. */
  smoothing?: number;
  height?: number;
  /** Reads the series again for a zoomed step window; without it a zoom only narrows the loaded data. */
  reload?: ReloadSeries;
  /** Called once, after the first frame that shows this chart's data. */
  onPainted?: () => void;
}

type LineChart = Chart<'line', XY[]>;

/** A step axis zooms no narrower than this: it must keep whole steps to tick. */
const MIN_STEP_SPAN = 2;

function toPoints(list: readonly ChartSeries[], xAxis: XAxisMode, logY: boolean) {
  return list.map((s) => bucketsToPoints(s.buckets, xAxis, { ...(s.origin !== undefined ? { origin: s.origin } : {}), logY }));
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/**
 * A line chart of many runs' downsampled series: each bucket's last value as the line (EMA
 * smoothing optional, over the raw line drawn faintly), its min–max as a band behind it so spikes
 * are never hidden, NaN/±Inf marked on the edges. Drag, wheel or pinch zoom the x axis (shared
 * inside a ChartZoomProvider), double-click resets. Created once and updated in place; chart.js
 * handles no events (the pointer is read here, cheaply, for the HTML legend and the zoom).
 * Each line is drawn thinned to about one point per pixel column (spikes kept); the bands and the
 * raw lines under smoothed ones are a cached layer, so a smoothing change redraws only the lines.
 */
export function MetricChart({ title, series, xAxis, logY = false, smoothing = 0, height = 220, reload, onPainted }: MetricChartProps) {
  const figureRef = useRef<HTMLElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);
  const overlays = useRef<OverlayState>({ series: [], version: 0 });
  const modeRef = useRef<XAxisMode>(xAxis);
  const thinned = useRef(new DecimationCache());
  // Bumped when chart.js resizes the canvas: the lines are thinned again for the new pixel columns.
  const [resizes, setResizes] = useState(0);
  const paintedRef = useRef({ applied: false, reported: false });
  const onPaintedRef = useRef(onPainted);
  const cursorRef = useRef<HTMLDivElement>(null);
  const selectionRef = useRef<HTMLDivElement>(null);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const hoverPxRef = useRef<number | null>(null);
  const { range: zoom, setRange: setZoom } = useChartZoom(xAxis);
  const zoomRef = useRef({ zoom, setZoom, extent: null as XRange | null });

  useEffect(() => {
    onPaintedRef.current = onPainted;
  }, [onPainted]);

  const zoomed = useZoomedSeries(series, zoom, xAxis, reload);
  const shown = zoomed ?? series;
  const basePrepared = useMemo(() => toPoints(series, xAxis, logY), [series, xAxis, logY]);
  const prepared = useMemo(() => (zoomed ? toPoints(zoomed, xAxis, logY) : basePrepared), [zoomed, basePrepared, xAxis, logY]);
  const lines = useMemo(() => (smoothing > 0 ? prepared.map((p) => ema(p.line, smoothing)) : prepared.map((p) => p.line)), [prepared, smoothing]);
  const marks = useMemo(() => prepared.map((p) => markXs(p.nonFinite)), [prepared]);
  // A segment joining the finite points around a NaN/±Inf is dashed: the join is not data.
  const gaps = useMemo(
    () => marks.map((xs) => (xs.length === 0 ? undefined : { borderDash: (ctx: ScriptableLineSegmentContext) => (bridgesMark(xs, ctx.p0.parsed.x ?? Number.NaN, ctx.p1.parsed.x ?? Number.NaN) ? [4, 3] : undefined) })),
    [marks],
  );
  // The whole data's x extent bounds every zoom; the zoomed re-read covers only the window.
  const extent = useMemo(() => viewExtent(basePrepared, null).x, [basePrepared]);
  // The data in view: the y axis's bounds and the grid the lines are thinned to (kept across smoothing changes).
  const view = useMemo(() => viewExtent(prepared, zoom), [prepared, zoom]);
  zoomRef.current = { zoom, setZoom, extent };

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const muted = cssVar(canvas, '--muted', '#5f6b7a');
    const grid = cssVar(canvas, '--border', '#d9dde3');
    const state = overlays.current;
    const drawn: DrawnOverlays = { band: [], nonFinite: [], bridged: [], raw: [] };
    const painted = paintedRef.current;
    const chart: LineChart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        spanGaps: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        onResize: () => setResizes((n) => n + 1),
        elements: { point: { radius: 0, hitRadius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            ticks: { color: muted, maxTicksLimit: 7, callback: (value) => formatX(Number(value), modeRef.current) },
            // Steps are whole numbers: no "12.3" bound, no 0.5 steps, no label twice.
            afterBuildTicks: (scale) => void (modeRef.current === 'step' && (scale.ticks = integerTicks(scale.ticks))),
            grid: { color: grid },
          },
          y: { type: 'linear', ticks: { color: muted, maxTicksLimit: 6, callback: (value) => formatValue(Number(value)) }, grid: { color: grid } },
        },
      },
      plugins: [
        staticLayerPlugin(state, drawn),
        nonFinitePlugin(state, drawn),
        {
          id: 'orreryPlotted',
          afterDraw(drawnChart) {
            const figure = figureRef.current;
            if (!figure) return;
            figure.setAttribute('data-plotted', JSON.stringify(readPlotted(drawnChart as LineChart, modeRef.current, drawn)));
            figure.setAttribute('data-x-min', String(drawnChart.scales.x?.min ?? ''));
            figure.setAttribute('data-x-max', String(drawnChart.scales.x?.max ?? ''));
          },
        },
        {
          id: 'orreryPainted',
          afterRender() {
            if (painted.applied && !painted.reported) {
              painted.reported = true;
              onPaintedRef.current?.();
            }
          },
        },
      ],
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    modeRef.current = xAxis;
    // The plot area of the last layout (chart.js lays out once on creation): close enough to
    // count pixel columns by, and a resize thins the lines again.
    const area = chart.chartArea as typeof chart.chartArea | undefined;
    const yInView = logY ? (view.minPositive !== null && view.y ? { min: view.minPositive, max: view.y.max } : null) : view.y;
    const grid = area ? plotGrid({ width: area.right - area.left, height: area.bottom - area.top }, chart.currentDevicePixelRatio, zoom ?? extent, yInView, logY) : null;
    const thin = (line: readonly XY[], i: number) => (grid ? thinned.current.get(line, grid, marks[i] ?? []) : line);
    // Only the data is swapped (chart.js keeps each dataset's state); no dataset is recreated.
    const datasets = chart.data.datasets;
    datasets.length = Math.min(datasets.length, shown.length);
    shown.forEach((s, i) => {
      const data = thin(lines[i] ?? [], i) as XY[];
      const d = datasets[i];
      if (!d) {
        datasets.push({ data, label: s.label, borderColor: s.color, backgroundColor: s.color, segment: gaps[i] });
        return;
      }
      d.data = data;
      if (d.label !== s.label) d.label = s.label;
      if (d.borderColor !== s.color) d.borderColor = d.backgroundColor = s.color;
      if (d.segment !== gaps[i]) d.segment = gaps[i];
    });
    // The bands and raw lines: a cached layer, painted again only when one of them changes.
    const state = overlays.current;
    const previous = state.series;
    state.series = shown.map((s, i) => ({
      color: s.color,
      band: prepared[i]?.band ?? [],
      nonFinite: prepared[i]?.nonFinite ?? [],
      markXs: marks[i] ?? [],
      raw: smoothing > 0 ? thin(prepared[i]?.line ?? [], i) : null,
      rawColor: withAlpha(s.color, 0.28),
    }));
    if (state.series.length !== previous.length || state.series.some((s, i) => s.band !== previous[i]?.band || s.raw !== previous[i]?.raw || s.color !== previous[i]?.color)) state.version++;
    const xScale = chart.options.scales!.x!;
    // Zoomed: fixed bounds. Else suggested ones so the ticks stay round and the marks are in view.
    xScale.min = zoom?.min;
    xScale.max = zoom?.max;
    xScale.suggestedMin = extent?.min;
    xScale.suggestedMax = extent?.max;
    if (xScale.type === 'linear' && xScale.ticks) {
      // Whole steps only, and no tick at a zoomed bound (1197.6): chart.js would drop the whole
      // steps next to it to make room for it.
      xScale.ticks.precision = xAxis === 'step' ? 0 : undefined;
      xScale.ticks.includeBounds = xAxis !== 'step';
    }
    const yScale = chart.options.scales!.y!;
    yScale.type = logY ? 'logarithmic' : 'linear';
    yScale.suggestedMin = logY ? (view.minPositive ?? undefined) : view.y?.min;
    yScale.suggestedMax = view.y && (!logY || view.y.max > 0) ? view.y.max : undefined;
    paintedRef.current.applied = true;
    chart.update('none');
    // The pointer did not move but the axis under it did (a zoom): read its x again.
    const px = hoverPxRef.current;
    if (px !== null) setHoverX(chart.scales.x?.getValueForPixel(px) ?? null);
  }, [shown, prepared, lines, marks, gaps, view, logY, xAxis, smoothing, zoom, extent, resizes]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = () => chartRef.current;
    const valueAt = (px: number) => chart()?.scales.x?.getValueForPixel(px) ?? Number.NaN;
    const minSpan = () => (modeRef.current === 'step' ? MIN_STEP_SPAN : 0);
    // Noted at once, not at the next render: a fast wheel sends events before React re-renders.
    const apply = (range: XRange | null) => {
      zoomRef.current.zoom = range;
      zoomRef.current.setZoom(range);
    };
    return attachChartPointer(canvas, () => chart()?.chartArea ?? null, {
      hover(px) {
        const c = chart();
        const cursor = cursorRef.current;
        if (cursor) {
          cursor.hidden = px === null || !c;
          if (px !== null && c) {
            cursor.style.left = `${px}px`;
            cursor.style.top = `${c.chartArea.top}px`;
            cursor.style.height = `${c.chartArea.bottom - c.chartArea.top}px`;
          }
        }
        hoverPxRef.current = px;
        setHoverX(px === null ? null : valueAt(px));
      },
      selecting(span) {
        const box = selectionRef.current;
        const c = chart();
        if (!box) return;
        box.hidden = span === null || !c;
        if (span && c) {
          box.style.left = `${Math.min(span.fromPx, span.toPx)}px`;
          box.style.width = `${Math.abs(span.toPx - span.fromPx)}px`;
          box.style.top = `${c.chartArea.top}px`;
          box.style.height = `${c.chartArea.bottom - c.chartArea.top}px`;
        }
      },
      selected(fromPx, toPx) {
        const { extent: whole } = zoomRef.current;
        const picked = dragToRange(valueAt(fromPx), valueAt(toPx), toPx - fromPx);
        if (picked && whole) apply(clampToExtent(picked, whole, minSpan()));
      },
      wheel(px, factor) {
        const { zoom: current, extent: whole } = zoomRef.current;
        const x = chart()?.scales.x;
        // Zooming out of an unzoomed chart is a page scroll.
        if (!whole || !x || (current === null && factor >= 1)) return false;
        apply(zoomAround(current ?? { min: x.min, max: x.max }, valueAt(px), factor, whole, minSpan()));
        return true;
      },
      reset() {
        apply(null);
      },
    });
  }, []);

  // Not rebuilt on a smoothing change, so the (memoised) legend's rows are not rendered again.
  const legendRows = useMemo<LegendRow[]>(
    () =>
      shown.map((s, i) => {
        // The raw value, never the smoothed one: the legend says what was logged.
        const line = prepared[i]?.line ?? [];
        const point = line[readoutIndex(line, hoverX, zoom)];
        const nonFinite = countNonFinite(prepared[i]?.nonFinite ?? [], zoom);
        return { id: s.id, label: s.label, color: s.color, value: point?.y ?? null, x: point?.x ?? null, nonFinite, downsampled: s.exact === false };
      }),
    [shown, prepared, hoverX, zoom],
  );

  return (
    <figure className="metric-chart" data-testid="metric-chart" data-key={title} data-zoomed={zoom ? 'true' : 'false'} ref={figureRef}>
      <figcaption className="metric-chart-title">
        <span>{title}</span>
        {zoom && (
          <button type="button" className="metric-chart-reset" onClick={() => setZoom(null)} title="Show the whole x range (or double-click the chart)">
            Reset zoom
          </button>
        )}
      </figcaption>
      <div className="metric-chart-canvas" ref={(el) => void (el && (el.style.height = `${height}px`))}>
        <canvas ref={canvasRef} role="img" aria-label={`${title} by ${xAxis === 'step' ? 'step' : 'time'}`} />
        <div className="metric-chart-cursor" ref={cursorRef} hidden />
        <div className="metric-chart-selection" ref={selectionRef} hidden />
      </div>
      <MetricLegend rows={legendRows} xAxis={xAxis} hoverX={hoverX} />
    </figure>
  );
}
