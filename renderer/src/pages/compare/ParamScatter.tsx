import { useEffect, useRef } from 'react';
import { ScatterController } from 'chart.js';
import { Chart } from '../../charts/chart-setup';
import { formatValue } from '../../charts/series-math';

Chart.register(ScatterController);

interface ParamScatterProps {
  xLabel: string;
  yLabel: string;
  xs: ReadonlyArray<number | null>;
  ys: ReadonlyArray<number | null>;
  colors: readonly string[];
}

type ScatterChart = Chart<'scatter', Array<{ x: number; y: number }>>;

/** A chosen param against a chosen metric, one dot per run in its colour. */
export function ParamScatter({ xLabel, yLabel, xs, ys, colors }: ParamScatterProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<ScatterChart | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const style = getComputedStyle(canvas);
    const muted = style.getPropertyValue('--muted').trim() || '#5f6b7a';
    const grid = style.getPropertyValue('--border').trim() || '#d9dde3';
    const chart: ScatterChart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [{ data: [], pointRadius: 5, pointHoverRadius: 5 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        scales: {
          x: { type: 'linear', title: { display: true, text: '', color: muted }, ticks: { color: muted, callback: (v) => formatValue(Number(v)) }, grid: { color: grid } },
          y: { type: 'linear', title: { display: true, text: '', color: muted }, ticks: { color: muted, callback: (v) => formatValue(Number(v)) }, grid: { color: grid } },
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
    const dataset = chart?.data.datasets[0];
    if (!chart || !dataset) return;
    const data: Array<{ x: number; y: number }> = [];
    const pointColors: string[] = [];
    xs.forEach((x, i) => {
      const y = ys[i];
      if (x === null || y === null || y === undefined) return;
      data.push({ x, y });
      pointColors.push(colors[i] ?? '#888');
    });
    dataset.data = data;
    dataset.backgroundColor = pointColors;
    dataset.borderColor = pointColors;
    const scales = chart.options.scales!;
    const xTitle = scales.x!.title as { text: string };
    const yTitle = scales.y!.title as { text: string };
    xTitle.text = xLabel;
    yTitle.text = yLabel;
    chart.update('none');
  }, [xs, ys, colors, xLabel, yLabel]);

  return (
    <div className="scatter" data-testid="param-scatter">
      <canvas ref={canvasRef} role="img" aria-label={`${yLabel} against ${xLabel}`} />
    </div>
  );
}
