import { useEffect, useMemo, useRef, useState } from 'react';
import { LogarithmicScale } from 'chart.js';
import type { MetricBuckets } from '../../../shared/contract/tracking';
import { Chart } from './chart-setup';
import { bandPlugin, nonFinitePlugin, type DrawnOverlays, type OverlayState } from './chart-overlays';
import { readPlotted } from './plotted-readout';
import { bucketsToPoints, ema, formatValue, formatX, nearestIndex, type NonFiniteMark, type XAxisMode, type XY } from './series-math';

Chart.register(LogarithmicScale);

/** One run's series of one metric. */
export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  buckets: MetricBuckets;
  /** The run's first timestamp (ms) for the relative x axis; the series' own first point when absent. */
  origin?: number;
}

interface MetricChartProps {
  title: string;
  series: readonly ChartSeries[];
  xAxis: XAxisMode;
  logY?: boolean;
  /** EMA weight 0..0.99, applied to the line, never to the min–max band. */
  smoothing?: number;
  height?: number;
  /** Called once, after the first frame that shows this chart's data. */
  onPainted?: () => void;
}

type LineChart = Chart<'line', XY[]>;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/**
 * A line chart of many runs' downsampled series: each bucket's last value as the line (EMA
 * smoothing optional), its min–max as a band behind it so spikes are never hidden. Created once and
 * updated in place; chart.js handles no events (hover is read here, cheaply, for the HTML legend).
 */
export function MetricChart({ title, series, xAxis, logY = false, smoothing = 0, height = 220, onPainted }: MetricChartProps) {
  const figureRef = useRef<HTMLElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);
  const overlays = useRef<OverlayState>({ series: [] });
  const modeRef = useRef<XAxisMode>(xAxis);
  const paintedRef = useRef({ applied: false, reported: false });
  const onPaintedRef = useRef(onPainted);
  const cursorRef = useRef<HTMLDivElement>(null);
  const [hoverX, setHoverX] = useState<number | null>(null);

  useEffect(() => {
    onPaintedRef.current = onPainted;
  }, [onPainted]);

  const prepared = useMemo(() => series.map((s) => bucketsToPoints(s.buckets, xAxis, { ...(s.origin !== undefined ? { origin: s.origin } : {}), logY })), [series, xAxis, logY]);
  const lines = useMemo(() => prepared.map((p) => ema(p.line, smoothing)), [prepared, smoothing]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const muted = cssVar(canvas, '--muted', '#5f6b7a');
    const grid = cssVar(canvas, '--border', '#d9dde3');
    const state = overlays.current;
    const drawn: DrawnOverlays = { band: [], nonFinite: [] };
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
        elements: { point: { radius: 0, hitRadius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            ticks: { color: muted, maxTicksLimit: 7, callback: (value) => formatX(Number(value), modeRef.current) },
            grid: { color: grid },
          },
          y: { type: 'linear', ticks: { color: muted, maxTicksLimit: 6, callback: (value) => formatValue(Number(value)) }, grid: { color: grid } },
        },
      },
      plugins: [
        bandPlugin(state, drawn),
        nonFinitePlugin(state, drawn),
        {
          id: 'orreryPlotted',
          afterDraw(drawnChart) {
            figureRef.current?.setAttribute('data-plotted', JSON.stringify(readPlotted(drawnChart as LineChart, modeRef.current, drawn)));
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
    const datasets = chart.data.datasets;
    datasets.length = Math.min(datasets.length, series.length);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let minPositive = Number.POSITIVE_INFINITY;
    // The x axis spans the band and the NaN/∞ marks too: a run that ends in NaN shows where it did.
    let xMin = Number.POSITIVE_INFINITY;
    let xMax = Number.NEGATIVE_INFINITY;
    series.forEach((s, i) => {
      const data = lines[i] ?? [];
      const existing = datasets[i];
      if (existing) {
        existing.data = data;
        existing.label = s.label;
        existing.borderColor = s.color;
      } else {
        datasets.push({ data, label: s.label, borderColor: s.color, backgroundColor: s.color });
      }
      const p = prepared[i];
      if (p?.range) {
        min = Math.min(min, p.range.min);
        max = Math.max(max, p.range.max);
      }
      if (p?.minPositive !== null && p?.minPositive !== undefined) minPositive = Math.min(minPositive, p.minPositive);
      for (const q of [...(p?.line ?? []), ...(p?.band ?? []), ...(p?.nonFinite ?? [])]) {
        xMin = Math.min(xMin, q.x);
        xMax = Math.max(xMax, q.x);
      }
    });
    overlays.current.series = series.map((s, i) => ({ color: s.color, band: prepared[i]?.band ?? [], nonFinite: prepared[i]?.nonFinite ?? [] }));
    const xScale = chart.options.scales!.x!;
    xScale.suggestedMin = Number.isFinite(xMin) ? xMin : undefined;
    xScale.suggestedMax = Number.isFinite(xMax) ? xMax : undefined;
    // Suggested bounds (not fixed ones) so the band's extremes are in view and ticks stay round.
    const yScale = chart.options.scales!.y!;
    yScale.type = logY ? 'logarithmic' : 'linear';
    yScale.suggestedMin = logY ? (Number.isFinite(minPositive) ? minPositive : undefined) : Number.isFinite(min) ? min : undefined;
    yScale.suggestedMax = Number.isFinite(max) && (!logY || max > 0) ? max : undefined;
    paintedRef.current.applied = true;
    chart.update('none');
  }, [series, prepared, lines, logY, xAxis]);

  // Hover: the x under the pointer, read at most once a frame; the cursor line is a div, so the
  // chart isn't redrawn while the pointer moves.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let frame = 0;
    let lastEvent: MouseEvent | null = null;
    const apply = () => {
      frame = 0;
      const chart = chartRef.current;
      const e = lastEvent;
      if (!chart || !e) return;
      const rect = canvas.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const area = chart.chartArea;
      const cursor = cursorRef.current;
      if (px < area.left || px > area.right) {
        if (cursor) cursor.hidden = true;
        setHoverX(null);
        return;
      }
      if (cursor) {
        cursor.hidden = false;
        cursor.style.left = `${px}px`;
        cursor.style.top = `${area.top}px`;
        cursor.style.height = `${area.bottom - area.top}px`;
      }
      setHoverX(chart.scales.x?.getValueForPixel(px) ?? null);
    };
    const move = (e: MouseEvent) => {
      lastEvent = e;
      if (!frame) frame = requestAnimationFrame(apply);
    };
    const leave = () => {
      lastEvent = null;
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      if (cursorRef.current) cursorRef.current.hidden = true;
      setHoverX(null);
    };
    canvas.addEventListener('mousemove', move);
    canvas.addEventListener('mouseleave', leave);
    return () => {
      canvas.removeEventListener('mousemove', move);
      canvas.removeEventListener('mouseleave', leave);
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  const legendRows = series.map((s, i) => {
    const line = lines[i] ?? [];
    const at = hoverX === null ? line.length - 1 : nearestIndex(line, hoverX);
    const point = at >= 0 ? line[at] : undefined;
    return { s, value: point?.y ?? null, x: point?.x ?? null, nonFinite: nonFiniteNote(prepared[i]?.nonFinite ?? []) };
  });
  const headerX = hoverX ?? legendRows.find((r) => r.x !== null)?.x ?? null;

  return (
    <figure className="metric-chart" data-testid="metric-chart" data-key={title} ref={figureRef}>
      <figcaption className="metric-chart-title">{title}</figcaption>
      <div className="metric-chart-canvas" ref={(el) => void (el && (el.style.height = `${height}px`))}>
        <canvas ref={canvasRef} role="img" aria-label={`${title} by ${xAxis === 'step' ? 'step' : 'time'}`} />
        <div className="metric-chart-cursor" ref={cursorRef} hidden />
      </div>
      <div className="metric-legend" aria-live="off">
        <div className="metric-legend-x muted">
          {hoverX === null ? 'latest' : 'at'} {headerX === null ? '' : formatX(headerX, xAxis)}
        </div>
        {legendRows.map(({ s, value, nonFinite }) => (
          <div className="metric-legend-row" key={s.id} title={s.label}>
            <span className="swatch" ref={(el) => void (el && (el.style.background = s.color))} />
            <span className="metric-legend-label">{s.label}</span>
            {nonFinite && (
              <span className="metric-legend-nonfinite" title="Not plotted: NaN as × on the top edge, +∞ as ▲ on the top edge, −∞ as ▼ on the bottom edge">
                {nonFinite}
              </span>
            )}
            <span className="metric-legend-value">{formatValue(value)}</span>
          </div>
        ))}
      </div>
    </figure>
  );
}

/** "NaN 2 · ∞ 1 · −∞ 1" for a legend row; empty when every value could be plotted. */
function nonFiniteNote(marks: readonly NonFiniteMark[]): string {
  const names = { nan: 'NaN', inf: '∞', '-inf': '−∞' } as const;
  return (['nan', 'inf', '-inf'] as const)
    .map((kind) => [names[kind], marks.filter((m) => m.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(' · ');
}
