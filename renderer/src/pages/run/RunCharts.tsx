import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MetricSeries } from '../../../../shared/contract/tracking';
import { useClient } from '../../api/client-context';
import { MetricChart, type ChartSeries } from '../../charts/metric-chart';
import { runColor, type XAxisMode } from '../../charts/series-math';
import type { ReloadSeries } from '../../charts/zoomed-series';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { ErrorNotice } from '../../components/ErrorNotice';
import { watchStale } from '../../lib/stale-events';
import { isSystemKey } from './run-format';

const BUCKETS = 1000;
const LIVE_DEBOUNCE_MS = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface RunChartsProps {
  runId: string;
  runName: string;
  keys: readonly string[];
  live: boolean;
  startTime: number | null;
}

/** Every metric of one run as a chart; the system/* ones in their own section. Live while running. */
export function RunCharts({ runId, runName, keys, live, startTime }: RunChartsProps) {
  const client = useClient();
  const [series, setSeries] = useState<Record<string, MetricSeries>>({});
  const [error, setError] = useState<LoadError | null>(null);
  const [xAxis, setXAxis] = useState<XAxisMode>('step');
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  // The run page adds keys as their first values arrive.
  const allKeys = useMemo(() => [...new Set(keys)].sort(), [keys]);
  const allKeysRef = useRef(allKeys);
  allKeysRef.current = allKeys;
  const keysText = keys.join('\n');

  const fetchKeys = useRef(async (wanted: readonly string[]) => {
    const answers = await Promise.all(chunk(wanted, 50).map((part) => client.call('tracking.getMetricHistory', { runIds: [runId], keys: part, buckets: BUCKETS })));
    setSeries((prev) => {
      const next = { ...prev };
      for (const s of answers.flat()) next[s.key] = s;
      return next;
    });
  });

  useEffect(() => {
    const wanted = keysText === '' ? [] : keysText.split('\n');
    if (wanted.length === 0) return;
    fetchKeys.current(wanted).then(
      () => setError(null),
      (err: unknown) => setError(toLoadError(err)),
    );
  }, [keysText]);

  // While the run is running: new points for a key → refetch that key's history, debounced. Back
  // after a drop, points logged in the gap are unknown, so every shown key is read again.
  useEffect(() => {
    if (!live) return;
    return watchStale(
      client,
      { 'tracking.metrics': (event) => event.runId === runId },
      ({ events, resynced }) => {
        const wanted = new Set(resynced ? allKeysRef.current : []);
        for (const e of events) if (e.topic === 'tracking.metrics') for (const m of e.payload.latest) wanted.add(m.key);
        if (wanted.size > 0) fetchKeys.current([...wanted]).catch((err: unknown) => setError(toLoadError(err)));
      },
      LIVE_DEBOUNCE_MS,
    );
  }, [client, runId, live]);

  // The run has just ended: points logged in its last debounce window may not have been read
  // (the live watch above stops with it), so every shown key is read once more.
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live && allKeysRef.current.length > 0) fetchKeys.current(allKeysRef.current).catch((err: unknown) => setError(toLoadError(err)));
    wasLive.current = live;
  }, [live]);

  const toChartSeries = useCallback(
    (s: MetricSeries): ChartSeries => ({ id: runId, label: runName, color: runColor(0), buckets: s.buckets, exact: s.exact, ...(startTime !== null ? { origin: startTime } : {}) }),
    [runId, runName, startTime],
  );
  const chartSeries = useMemo(() => {
    const out: Record<string, ChartSeries[]> = {};
    for (const key of allKeys) {
      const s = series[key];
      out[key] = s ? [toChartSeries(s)] : [];
    }
    return out;
  }, [allKeys, series, toChartSeries]);
  // A zoom on the step axis reads that window of the key again, at full resolution.
  const reload = useCallback(
    async (key: string, window: { startStep: number; endStep: number }) =>
      (await client.call('tracking.getMetricHistory', { runIds: [runId], keys: [key], buckets: BUCKETS, ...window })).map(toChartSeries),
    [client, runId, toChartSeries],
  );

  const metricKeys = allKeys.filter((k) => !isSystemKey(k));
  const systemKeys = allKeys.filter(isSystemKey);
  const renderGrid = (list: string[]) => (
    <div className="chart-grid">
      {list.map((key) => (
        <RunMetricChart key={key} metricKey={key} series={chartSeries[key] ?? []} xAxis={xAxis} logY={logY} smoothing={smoothing} reload={reload} />
      ))}
    </div>
  );

  return (
    <>
      {error && <ErrorNotice title="Could not read the metric history." error={error} />}
      <section className="run-section" aria-label="Metrics">
        <header className="section-head">
          <h2>Metrics</h2>
          <ChartControls xAxis={xAxis} onXAxis={setXAxis} logY={logY} onLogY={setLogY} smoothing={smoothing} onSmoothing={setSmoothing} />
        </header>
        {metricKeys.length === 0 ? <p className="muted">No metrics logged{live ? ' yet' : ''}.</p> : renderGrid(metricKeys)}
      </section>
      {systemKeys.length > 0 && (
        <section className="run-section" aria-label="System">
          <header className="section-head">
            <h2>System</h2>
          </header>
          {renderGrid(systemKeys)}
        </section>
      )}
    </>
  );
}

interface RunMetricChartProps {
  metricKey: string;
  series: readonly ChartSeries[];
  xAxis: XAxisMode;
  logY: boolean;
  smoothing: number;
  reload(key: string, window: { startStep: number; endStep: number }): Promise<ChartSeries[]>;
}

/** One key's chart, with its own zoom (each metric may span other steps). */
function RunMetricChart({ metricKey, series, xAxis, logY, smoothing, reload }: RunMetricChartProps) {
  const reloadKey = useCallback<ReloadSeries>((window) => reload(metricKey, window), [reload, metricKey]);
  return <MetricChart title={metricKey} series={series} xAxis={xAxis} logY={logY} smoothing={smoothing} height={180} reload={reloadKey} />;
}

interface ChartControlsProps {
  xAxis: XAxisMode;
  onXAxis(mode: XAxisMode): void;
  logY: boolean;
  onLogY(value: boolean): void;
  smoothing: number;
  onSmoothing(value: number): void;
}

/** Smoothing slider, x-axis choice and log scale: shared by the run page and the comparison. */
export function ChartControls({ xAxis, onXAxis, logY, onLogY, smoothing, onSmoothing }: ChartControlsProps) {
  return (
    <div className="chart-controls">
      <label>
        Smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={smoothing}
          onChange={(e) => onSmoothing(Number(e.currentTarget.value))}
          data-testid="smoothing"
        />
        <span className="chart-controls-value">{smoothing.toFixed(2)}</span>
      </label>
      <label>
        X axis
        <select value={xAxis} onChange={(e) => onXAxis(e.currentTarget.value as XAxisMode)} data-testid="x-axis">
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={logY} onChange={(e) => onLogY(e.currentTarget.checked)} data-testid="log-y" /> Log scale
      </label>
      <span className="muted chart-controls-hint">Drag or scroll on a chart to zoom, double-click to reset</span>
    </div>
  );
}
