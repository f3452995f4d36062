import { useEffect, useRef } from 'react';
import { padSeries, type Series } from '../lib/sample-history';
import { Chart } from './chart-setup';

interface SparklineProps {
  values: Series;
  /** Number of points across the chart (the history window). */
  capacity: number;
  /** Spoken description of what the line shows. */
  label: string;
  /** Top of the fixed y range; 100 for percentages. */
  max?: number;
}

type LineChart = Chart<'line', (number | null)[], string>;

/** A tiny live line chart; created once and updated in place as samples arrive. */
export function Sparkline({ values, capacity, label, max = 100 }: SparklineProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart: LineChart = new Chart(canvas, {
      type: 'line',
      data: { labels: new Array<string>(capacity).fill(''), datasets: [{ data: padSeries([], capacity) }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [], // no hover or tooltips: nothing to handle per mouse move
        layout: { padding: 1 },
        scales: { x: { display: false }, y: { display: false, min: 0, max } },
        elements: {
          point: { radius: 0 },
          line: { borderWidth: 1.5, tension: 0.25, fill: 'origin' },
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [capacity, max]);

  useEffect(() => {
    const chart = chartRef.current;
    const dataset = chart?.data.datasets[0];
    if (!chart || !dataset) return;
    dataset.data = padSeries(values, capacity);
    // Colours come from CSS so the line follows the light/dark theme, also after a switch.
    const style = getComputedStyle(chart.canvas);
    dataset.borderColor = style.getPropertyValue('--spark-line').trim() || '#3b82f6';
    dataset.backgroundColor = style.getPropertyValue('--spark-fill').trim() || 'rgba(59,130,246,0.15)';
    chart.update('none');
  }, [values, capacity, max]);

  return (
    <div className="sparkline">
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
