import { useEffect, useRef } from 'react';
import { BarController, BarElement } from 'chart.js';
import type { ColumnDistributionView } from '../../../../shared/contract/monitoring';
import { Chart } from '../../charts/chart-setup';
import { formatShare } from './monitoring-format';

Chart.register(BarController, BarElement);

type BarChart = Chart<'bar', number[], string>;

export const REFERENCE_COLOR = 'rgba(59, 130, 246, 0.55)';
export const CURRENT_COLOR = 'rgba(234, 88, 12, 0.55)';

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/**
 * Reference and current shares over the same bins (a histogram) or categories, drawn on top of
 * each other, translucent, so where they part shows at a glance. Created once, updated in place.
 */
export function DistributionChart({ distribution, height = 240 }: { distribution: ColumnDistributionView; height?: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<BarChart | null>(null);
  const histogram = distribution.kind === 'numeric';

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const muted = cssVar(canvas, '--muted', '#5f6b7a');
    const grid = cssVar(canvas, '--border', '#d9dde3');
    const chart: BarChart = new Chart(canvas, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        scales: {
          x: { ticks: { color: muted, maxRotation: 45, autoSkip: true, autoSkipPadding: 6 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: muted, maxTicksLimit: 5, callback: (v) => formatShare(Number(v)) }, grid: { color: grid } },
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
    const common = { grouped: false, borderWidth: 1, categoryPercentage: histogram ? 1 : 0.8, barPercentage: histogram ? 1 : 0.9 };
    chart.data.labels = distribution.labels;
    chart.data.datasets = [
      { ...common, label: 'reference', data: distribution.reference, backgroundColor: REFERENCE_COLOR, borderColor: 'rgb(59, 130, 246)' },
      { ...common, label: 'current', data: distribution.current, backgroundColor: CURRENT_COLOR, borderColor: 'rgb(234, 88, 12)' },
    ];
    chart.update('none');
  }, [distribution, histogram]);

  return (
    <figure className="distribution-chart" data-testid="distribution-chart" data-bins={distribution.labels.length}>
      <div className="distribution-canvas" ref={(el) => void (el && (el.style.height = `${height}px`))}>
        <canvas ref={canvasRef} role="img" aria-label={`${distribution.column}: reference and current ${histogram ? 'histograms' : 'category shares'}`} />
      </div>
      <figcaption className="distribution-legend small">
        <span className="legend-swatch" ref={(el) => void (el && (el.style.background = REFERENCE_COLOR))} /> reference
        <span className="legend-swatch" ref={(el) => void (el && (el.style.background = CURRENT_COLOR))} /> current
        <span className="muted">· share of rows per {histogram ? 'bin' : 'category'}</span>
      </figcaption>
    </figure>
  );
}
