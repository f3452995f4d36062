import { useEffect, useRef } from 'react';
import { Chart } from '../../charts/chart-setup';
import { formatX } from '../../charts/series-math';
import { plottedPoints, timeTickStepMs, type XY } from './serving-metrics';

export interface ServingLine {
  id: string;
  label: string;
  color: string;
  points: XY[];
  /** The legend's number: over the last 10 complete seconds, null when there were no requests. */
  recent: number | null;
  dash?: number[];
}

interface ServingChartProps {
  title: string;
  lines: readonly ServingLine[];
  /** Formats the legend's values. */
  format(value: number): string;
  /** Formats the y ticks (shorter); `format` when absent. */
  formatTick?(value: number): string;
  /** The x range, so every chart of the page shows the same window. */
  from: number;
  to: number;
  testId: string;
  height?: number;
}

type LineChart = Chart<'line', XY[]>;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/**
 * A small live line chart over wall-clock time: created once, its datasets replaced in place on
 * every poll (no animation), with an HTML legend holding each line's number over the last 10 s.
 * Missing buckets are gaps (spanGaps off); a chart with nothing to draw says so instead of axes.
 */
export function ServingChart({ title, lines, format, formatTick, from, to, testId, height = 170 }: ServingChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);
  const formatRef = useRef(formatTick ?? format);
  formatRef.current = formatTick ?? format;
  const points = lines.reduce((n, l) => n + plottedPoints(l.points), 0);
  const empty = points === 0;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const muted = cssVar(canvas, '--muted', '#5f6b7a');
    const grid = cssVar(canvas, '--border', '#d9dde3');
    const chart: LineChart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: false,
        events: [],
        elements: { point: { radius: 0, hitRadius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            ticks: { color: muted, maxRotation: 0, autoSkip: true, autoSkipPadding: 12, includeBounds: false, callback: (v) => formatX(Number(v), 'wall') },
            grid: { color: grid },
          },
          y: { type: 'linear', beginAtZero: true, ticks: { color: muted, maxTicksLimit: 5, callback: (v) => formatRef.current(Number(v)) }, grid: { color: grid } },
        },
      },
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
    // A line of a few points (a candidate's first seconds) is drawn with dots, or it would hardly show.
    chart.data.datasets = lines.map((l) => ({ data: l.points, label: l.label, borderColor: l.color, backgroundColor: l.color, borderDash: l.dash ?? [], pointRadius: plottedPoints(l.points) < 6 ? 2 : 0, spanGaps: false }));
    const x = chart.options.scales!.x!;
    x.min = from;
    x.max = to;
    x.display = !empty;
    (x.ticks as { stepSize?: number }).stepSize = timeTickStepMs(from, to);
    chart.options.scales!.y!.display = !empty;
    chart.update('none');
  }, [lines, from, to, empty]);

  return (
    <figure className="metric-chart serving-chart" data-testid={testId} data-points={points}>
      <figcaption className="metric-chart-title">{title}</figcaption>
      <div className="metric-chart-canvas serving-chart-canvas" ref={(el) => void (el && (el.style.height = `${height}px`))}>
        <canvas ref={canvasRef} role="img" aria-label={`${title} over time`} />
        {empty && (
          <p className="serving-chart-empty muted" data-testid={`${testId}-empty`}>
            no requests yet
          </p>
        )}
      </div>
      <div className="metric-legend">
        {lines.length > 0 && <div className="metric-legend-x muted">last 10 s</div>}
        {lines.map((l) => (
          <div className="metric-legend-row" key={l.id}>
            <span
              className="swatch-line"
              ref={(el) => {
                if (!el) return;
                el.style.borderTopColor = l.color;
                el.style.borderTopStyle = l.dash ? (l.dash[0]! < 4 ? 'dotted' : 'dashed') : 'solid';
              }}
            />
            <span className="metric-legend-label">{l.label}</span>
            <span className="metric-legend-value">{l.recent === null ? '—' : format(l.recent)}</span>
          </div>
        ))}
      </div>
    </figure>
  );
}
