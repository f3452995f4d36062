import { useEffect, useRef } from 'react';
import { LogarithmicScale, ScatterController } from 'chart.js';
import { Chart } from '../../charts/chart-setup';
import { formatValue } from '../../charts/series-math';
import { formatParamNumber } from '../run/sweep-format';

Chart.register(ScatterController, LogarithmicScale);

interface ParamScatterProps {
  xLabel: string;
  yLabel: string;
  xs: ReadonlyArray<number | null>;
  ys: ReadonlyArray<number | null>;
  colors: readonly string[];
  /** A log x axis (a log-uniform param); the xs must then be above 0. */
  xLog?: boolean;
  /** Labels for x = 0, 1, 2…: a param whose values are not numbers. */
  xCategories?: readonly string[] | null;
  testId?: string;
}

type ScatterChart = Chart<'scatter', Array<{ x: number; y: number }>>;

/** A chosen param against a chosen metric, one dot per run in its colour. */
export function ParamScatter({ xLabel, yLabel, xs, ys, colors, xLog = false, xCategories = null, testId = 'param-scatter' }: ParamScatterProps) {
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
          x: { type: 'linear', title: { display: true, text: '', color: muted }, ticks: { color: muted, callback: (v) => formatParamNumber(Number(v)) }, grid: { color: grid } },
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
    applyXAxis(chart, xLog, xCategories);
    chart.update('none');
  }, [xs, ys, colors, xLabel, yLabel, xLog, xCategories]);

  return (
    <div className="scatter" data-testid={testId}>
      <canvas ref={canvasRef} role="img" aria-label={`${yLabel} against ${xLabel}`} />
    </div>
  );
}

/** Linear, log, or one tick per category (x = its index, with half a slot of room either side). */
function applyXAxis(chart: ScatterChart, log: boolean, categories: readonly string[] | null): void {
  const x = chart.options.scales!.x! as unknown as {
    type: string;
    min?: number;
    max?: number;
    ticks: { stepSize?: number; callback: (v: number | string) => string };
    afterBuildTicks?: (scale: { ticks: Array<{ value: number }> }) => void;
  };
  x.type = log ? 'logarithmic' : 'linear';
  if (categories) {
    x.min = -0.5;
    x.max = categories.length - 0.5;
    x.ticks.stepSize = 1;
    // Chart.js starts a stepped axis at its min (-0.5), so no tick would land on a category: put one on each.
    x.afterBuildTicks = (scale) => {
      scale.ticks = categories.map((_, value) => ({ value }));
    };
    x.ticks.callback = (v) => (Number.isInteger(Number(v)) ? (categories[Number(v)] ?? '') : '');
  } else {
    delete x.min;
    delete x.max;
    delete x.ticks.stepSize;
    delete x.afterBuildTicks;
    // A param reads as people write it (0.0005, not 5.000e-4).
    x.ticks.callback = log ? logTick : (v) => formatParamNumber(Number(v));
  }
}

/** A log axis has a tick at every 1…9 × 10ⁿ: label only 1, 2 and 5 so they do not collide. */
function logTick(v: number | string): string {
  const n = Number(v);
  const mantissa = n / 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5].some((k) => Math.abs(mantissa - k) < 1e-6) ? formatParamNumber(n) : '';
}
