import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OrreryClient } from '../../../../shared/client';
import type { MetricSeries, ParamComparison, RunDetail } from '../../../../shared/contract/tracking';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { MetricChart, type ChartSeries } from '../../charts/metric-chart';
import { MiddleTruncated } from '../../charts/middle-truncated';
import { runColor, type XAxisMode } from '../../charts/series-math';
import { ChartZoomProvider } from '../../charts/zoom-context';
import type { ReloadSeries } from '../../charts/zoomed-series';
import { useClient } from '../../api/client-context';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref, type Route } from '../../routing/route';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { ChartControls } from '../run/RunCharts';
import { latestValues, metricKeyUnion, paramAxes, parseRunIds } from './compare-data';
import { ParallelCoordinates, toPcAxis } from './ParallelCoordinates';
import { ParamScatter } from './ParamScatter';
import { ParamsDiff } from './ParamsDiff';
import '../../styles/run.css';

declare global {
  interface Window {
    /** performance.now() when every chart of the comparison has drawn its data once (for benchmarks). */
    __orreryChartsPainted?: number;
  }
}

const BUCKETS = 1000;
const HISTORY_CONCURRENCY = 4;

interface Loaded {
  runs: RunDetail[];
  failed: Array<{ runId: string; error: LoadError }>;
  params: ParamComparison | null;
  /** The params comparison failed; the runs still show. */
  paramsError: LoadError | null;
}

/** The runs that could be read (and which could not), and their params side by side. */
async function loadRuns(client: OrreryClient, ids: readonly string[]): Promise<Loaded | null> {
  if (ids.length === 0) return null;
  // One request for every run (ids are well-formed: parseRunIds keeps only run ids).
  const { runs, missing } = await client.call('tracking.getRuns', { runIds: [...ids] });
  const failed: Loaded['failed'] = missing.map((runId) => ({ runId, error: { code: 'NOT_FOUND', message: `Run with id=${runId} not found` } }));
  let params: ParamComparison | null = null;
  let paramsError: LoadError | null = null;
  if (runs.length > 0) {
    try {
      params = await client.call('tracking.compareParams', { runIds: runs.map((r) => r.runId), onlyDiffering: false });
    } catch (err) {
      paramsError = toLoadError(err);
    }
  }
  return { runs, failed, params, paramsError };
}

/** One request per metric key, a few at a time, so the first charts draw while the rest load. */
function loadHistories(
  client: OrreryClient,
  runs: readonly RunDetail[],
  setHistory: (update: (prev: Record<string, MetricSeries[]>) => Record<string, MetricSeries[]>) => void,
  setError: (error: LoadError) => void,
): { stop(): void } {
  let stale = false;
  const runIds = runs.map((r) => r.runId);
  const queue = [...metricKeyUnion(runs)];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined && !stale; key = queue.shift()) {
      try {
        const series = await client.call('tracking.getMetricHistory', { runIds, keys: [key], buckets: BUCKETS });
        if (!stale) setHistory((prev) => ({ ...prev, [key]: series }));
      } catch (err) {
        if (!stale) setError(toLoadError(err));
      }
    }
  };
  void Promise.all(Array.from({ length: HISTORY_CONCURRENCY }, worker));
  return {
    stop() {
      stale = true;
    },
  };
}

/** #/compare?runs=a,b,...: 2–100 runs overlaid, params side by side, parallel coordinates, a scatter. */
export function ComparePage({ route }: { route: Route }) {
  const runsText = route.query.get('runs');
  const runIds = useMemo(() => parseRunIds(runsText), [runsText]);
  const idsKey = runIds.join(',');
  const [historyError, setHistoryError] = useState<LoadError | null>(null);
  const [history, setHistory] = useState<Record<string, MetricSeries[]>>({});
  // The metric histories of the runs last read; stopped when newer runs are read or the page goes.
  const historyLoad = useRef<{ stop(): void } | null>(null);
  const base = useLiveQuery(
    async (c) => {
      const read = await loadRuns(c, idsKey === '' ? [] : idsKey.split(','));
      // Started here, not in an effect: the requests then run while React renders the runs, params
      // and parallel coordinates, instead of waiting for that render to finish.
      historyLoad.current?.stop();
      historyLoad.current = read ? loadHistories(c, read.runs, setHistory, setHistoryError) : null;
      return read;
    },
    [idsKey],
    // A compared run that ends, or is renamed or retagged elsewhere, shows it (and its last points).
    { staleOn: { 'tracking.run': (event) => runIds.includes(event.runId) } },
  );
  useEffect(() => () => historyLoad.current?.stop(), []);
  const loaded = base.data;
  const error = base.error ?? loaded?.paramsError ?? historyError;
  const [xAxis, setXAxis] = useState<XAxisMode>('step');
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const paintedKeys = useRef(new Set<string>());
  const [allPainted, setAllPainted] = useState(false);

  useEffect(() => {
    // Another set of runs: what the last one still loads must not land here.
    historyLoad.current?.stop();
    historyLoad.current = null;
    setHistory({});
    setHistoryError(null);
    paintedKeys.current = new Set();
    setAllPainted(false);
    delete window.__orreryChartsPainted;
  }, [idsKey]);

  const runs = useMemo(() => loaded?.runs ?? [], [loaded]);
  const keys = useMemo(() => metricKeyUnion(runs), [runs]);
  const colors = useMemo(() => runs.map((_, i) => runColor(i)), [runs]);
  const labels = useMemo(() => runs.map((r) => r.name || r.runId.slice(0, 8)), [runs]);

  const onPainted = useCallback(
    (key: string) => {
      paintedKeys.current.add(key);
      if (keys.length > 0 && keys.every((k) => paintedKeys.current.has(k))) {
        window.__orreryChartsPainted ??= performance.now();
        setAllPainted(true);
      }
    },
    [keys],
  );
  // Rendered again only when their own inputs change, not on each move of the smoothing slider.
  const runLegend = useMemo(() => <RunLegend runs={runs} colors={colors} />, [runs, colors]);
  const comparison = loaded?.params ?? null;
  const paramSections = useMemo(
    () =>
      comparison && (
        <>
          <ParamsDiff comparison={comparison} runs={runs} colors={colors} />
          <ParamsVsMetrics comparison={comparison} runs={runs} colors={colors} labels={labels} keys={keys} />
        </>
      ),
    [comparison, runs, colors, labels, keys],
  );

  if (runIds.length < 2) {
    return (
      <div className="page">
        <header className="page-head">
          <h1>Compare runs</h1>
        </header>
        <p className="muted">Choose between 2 and 100 runs to compare (#/compare?runs=&lt;id&gt;,&lt;id&gt;,…).</p>
      </div>
    );
  }

  return (
    <div className="page compare-page" data-testid="compare-page" data-painted={allPainted ? 'true' : 'false'} aria-busy={!loaded}>
      <header className="page-head">
        <h1>Compare {runIds.length} runs</h1>
        {loaded && keys.length > 0 && (
          <span className="muted">
            {Object.keys(history).length} of {keys.length} metrics loaded
          </span>
        )}
      </header>
      {error && <ErrorNotice title="Could not load the comparison." error={error} />}
      {loaded?.failed.map((f) => <ErrorNotice key={f.runId} title={`Run ${f.runId} could not be read.`} error={f.error} />)}
      {!loaded && <p className="muted">Reading {runIds.length} runs…</p>}
      {loaded && (
        <>
          {runLegend}
          <section className="run-section" aria-label="Metrics">
            <header className="section-head">
              <h2>Metrics</h2>
              <ChartControls xAxis={xAxis} onXAxis={setXAxis} logY={logY} onLogY={setLogY} smoothing={smoothing} onSmoothing={setSmoothing} />
            </header>
            {keys.length === 0 && <p className="muted">None of these runs logged a metric.</p>}
            {/* One x zoom for every chart of the comparison; a new set of runs starts unzoomed. */}
            <ChartZoomProvider key={idsKey}>
              <div className="chart-grid">
                {keys.map((key) => (
                  <CompareChart
                    key={key}
                    metricKey={key}
                    series={history[key]}
                    runs={runs}
                    colors={colors}
                    labels={labels}
                    xAxis={xAxis}
                    logY={logY}
                    smoothing={smoothing}
                    onPainted={onPainted}
                  />
                ))}
              </div>
            </ChartZoomProvider>
          </section>
          {paramSections}
        </>
      )}
    </div>
  );
}

interface CompareChartProps {
  metricKey: string;
  series: MetricSeries[] | undefined;
  runs: RunDetail[];
  colors: string[];
  labels: string[];
  xAxis: XAxisMode;
  logY: boolean;
  smoothing: number;
  onPainted(key: string): void;
}

/**
 * Each run's series of one key, in the order, colours and names of the comparison. Runs without
 * points are left out, except those in `keep` (a zoomed window may hold none of a run's points; it
 * stays in the legend).
 */
function toChartSeries(
  series: readonly MetricSeries[],
  runs: readonly RunDetail[],
  colors: readonly string[],
  labels: readonly string[],
  keep: ReadonlySet<string> = new Set(),
): ChartSeries[] {
  const byRun = new Map(series.map((s) => [s.runId, s]));
  const out: ChartSeries[] = [];
  runs.forEach((run, i) => {
    const s = byRun.get(run.runId);
    if (!s || (s.buckets.count.length === 0 && !keep.has(run.runId))) return;
    out.push({
      id: run.runId,
      label: labels[i] ?? run.runId,
      color: colors[i] ?? '#888',
      buckets: s.buckets,
      exact: s.exact,
      ...(run.startTime !== null ? { origin: run.startTime } : {}),
    });
  });
  return out;
}

function CompareChart({ metricKey, series, runs, colors, labels, xAxis, logY, smoothing, onPainted }: CompareChartProps) {
  const client = useClient();
  const chartSeries = useMemo<ChartSeries[]>(() => (series ? toChartSeries(series, runs, colors, labels) : []), [series, runs, colors, labels]);
  // A zoom on the step axis reads that window of the charted runs again, at full resolution.
  const reload = useCallback<ReloadSeries>(
    async (window) => {
      const shown = chartSeries.map((s) => s.id);
      const answer = await client.call('tracking.getMetricHistory', { runIds: shown, keys: [metricKey], buckets: BUCKETS, ...window });
      return toChartSeries(answer, runs, colors, labels, new Set(shown));
    },
    [client, chartSeries, runs, metricKey, colors, labels],
  );
  const painted = useCallback(() => onPainted(metricKey), [onPainted, metricKey]);
  if (!series) {
    return (
      <figure className="metric-chart metric-chart-loading">
        <figcaption className="metric-chart-title">{metricKey}</figcaption>
        <p className="muted">Loading…</p>
      </figure>
    );
  }
  return <MetricChart title={metricKey} series={chartSeries} xAxis={xAxis} logY={logY} smoothing={smoothing} height={220} reload={reload} onPainted={painted} />;
}

function RunLegend({ runs, colors }: { runs: RunDetail[]; colors: string[] }) {
  return (
    <ul className="run-legend" aria-label="Runs">
      {runs.map((run, i) => (
        <li key={run.runId}>
          <span className="swatch" ref={(el) => void (el && (el.style.background = colors[i] ?? '#888'))} />
          <a href={routeHref('runs', [run.runId])}>
            <MiddleTruncated text={run.name || run.runId.slice(0, 8)} />
          </a>
        </li>
      ))}
    </ul>
  );
}

interface ParamsVsMetricsProps {
  comparison: ParamComparison;
  runs: RunDetail[];
  colors: string[];
  labels: string[];
  keys: string[];
}

/** Parallel coordinates over the differing params and a chosen metric, and a param-vs-metric scatter. */
function ParamsVsMetrics({ comparison, runs, colors, labels, keys }: ParamsVsMetricsProps) {
  const plainKeys = useMemo(() => keys.filter((k) => !k.startsWith('system/')), [keys]);
  const [metric, setMetric] = useState('');
  const chosenMetric = plainKeys.includes(metric) ? metric : (plainKeys[0] ?? '');
  const axes = useMemo(() => paramAxes(comparison), [comparison]);
  const numericAxes = useMemo(() => axes.filter((a) => a.kind === 'number'), [axes]);
  const [param, setParam] = useState('');
  const chosenParam = numericAxes.find((a) => a.key === param) ?? numericAxes[0];
  // compareParams answers in the order of the runIds it was given, which is `runs`' order.
  const metricValues = useMemo(() => (chosenMetric ? latestValues(runs, chosenMetric) : []), [runs, chosenMetric]);
  const pcAxes = useMemo(
    () => [...axes.map(toPcAxis), ...(chosenMetric && metricValues.some((v) => v !== null) ? [{ label: chosenMetric, values: metricValues }] : [])],
    [axes, chosenMetric, metricValues],
  );

  if (axes.length === 0 && plainKeys.length === 0) return null;
  return (
    <div className="grid compare-bottom">
      <Card
        title="Parallel coordinates"
        className="card-wide"
        aside={
          plainKeys.length > 0 && (
            <label className="inline-select">
              Metric{' '}
              <select value={chosenMetric} onChange={(e) => setMetric(e.currentTarget.value)} data-testid="pc-metric">
                {plainKeys.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
            </label>
          )
        }
      >
        {axes.length === 0 ? <p className="muted">The runs' params are all equal: nothing to spread out.</p> : <ParallelCoordinates axes={pcAxes} colors={colors} labels={labels} />}
      </Card>
      <Card
        title="Param vs metric"
        className="card-wide"
        aside={
          <span className="inline-select">
            {numericAxes.length > 0 && (
              <select value={chosenParam?.key ?? ''} onChange={(e) => setParam(e.currentTarget.value)} aria-label="Param" data-testid="scatter-param">
                {numericAxes.map((a) => (
                  <option key={a.key}>{a.key}</option>
                ))}
              </select>
            )}{' '}
            vs{' '}
            <select value={chosenMetric} onChange={(e) => setMetric(e.currentTarget.value)} aria-label="Metric">
              {plainKeys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </span>
        }
      >
        {chosenParam && chosenMetric ? (
          <ParamScatter xLabel={chosenParam.key} yLabel={chosenMetric} xs={chosenParam.values} ys={metricValues} colors={colors} />
        ) : (
          <p className="muted">No numeric param differs between these runs.</p>
        )}
      </Card>
    </div>
  );
}
