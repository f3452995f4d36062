import { useEffect, useRef } from 'react';
import { Chart } from '../../charts/chart-setup';
import { formatStat, type PerformanceSeries } from './monitoring-format';

type LineChart = Chart<'line', Array<{ x: number; y: number }>>;

const COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#ca8a04', '#475569'];

export function performanceColor(index: number): string {
  return COLORS[index % COLORS.length]!;
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Labelled performance per window (x: the window's number), one line per measure. */
export function PerformanceChart({ series, height = 200 }: { series: readonly PerformanceSeries[]; height?: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);

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
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        elements: { point: { radius: 3 }, line: { borderWidth: 1.5, tension: 0 } },
        scales: {
          x: { type: 'linear', ticks: { color: muted, precision: 0, stepSize: 1, callback: (v) => `#${v}` }, grid: { color: grid } },
          y: { type: 'linear', ticks: { color: muted, maxTicksLimit: 5, callback: (v) => formatStat(Number(v)) }, grid: { color: grid } },
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
    chart.data.datasets = series.map((s, i) => ({ label: s.label, data: s.points.map((p) => ({ x: p.seq, y: p.y })), borderColor: performanceColor(i), backgroundColor: performanceColor(i) }));
    chart.update('none');
  }, [series]);

  return (
    <figure className="performance-chart" data-testid="performance-chart">
      <div className="distribution-canvas" ref={(el) => void (el && (el.style.height = `${height}px`))}>
        <canvas ref={canvasRef} role="img" aria-label="Labelled performance per window" />
      </div>
      <figcaption className="distribution-legend small">
        {series.map((s, i) => (
          <span key={s.key} className="legend-item" data-testid="performance-measure" data-measure={s.key}>
            <span className="legend-swatch" ref={(el) => void (el && (el.style.background = performanceColor(i)))} />
            {s.label} {formatStat(s.points[s.points.length - 1]?.y)}
          </span>
        ))}
        <span className="muted">· latest window's value; x is the window number</span>
      </figcaption>
    </figure>
  );
}
