import { useMemo, useState } from 'react';
import type { DeploymentVersionView } from '../../../../shared/contract/serving';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ServingChart, type ServingLine } from './ServingChart';
import { formatMs, formatRate, formatRps, versionColor } from './serving-format';
import { recentStats, seriesByVersion, type XY } from './serving-metrics';

/** The most the charts show, and the least (a new deployment's first seconds are not squeezed into a corner). */
const WINDOW_MS = 5 * 60_000;
const MIN_WINDOW_MS = 60_000;
const POLL_MS = 1500;

/** Requests/s after a version's last bucket: 0 up to the last complete second, so a quiet version reads 0, not its old rate. */
function withTrailingZeros(points: XY[], end: number): XY[] {
  const last = points.at(-1);
  if (!last || end - last.x <= 2000) return points;
  return [...points, { x: last.x + 1000, y: 0 }, { x: end - 1000, y: 0 }];
}

/** Requests/s, latency percentiles and error rate per version, polled while the page is visible. */
export function ServingCharts({ name, versions, stopped }: { name: string; versions: readonly DeploymentVersionView[]; stopped: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  // When the points were read: the legend's last 10 s end at the second that read was in.
  const metrics = useLiveQuery(async (c) => {
    const points = await c.call('serving.queryMetrics', { name, sinceMs: Date.now() - WINDOW_MS });
    return { points, readAt: Date.now() };
  }, [name]);
  usePolling(() => {
    setNow(Date.now());
    void metrics.reload();
  }, POLL_MS);

  const charts = useMemo(() => {
    const points = metrics.data?.points ?? [];
    const readAt = metrics.data?.readAt ?? Date.now();
    const end = Math.floor(readAt / 1000) * 1000;
    const series = seriesByVersion(points);
    const labelOf = (version: number) => {
      const role = versions.find((v) => v.version === version)?.role;
      return `v${version}${role ? ` ${role}` : ''}`;
    };
    const rps: ServingLine[] = [];
    const errors: ServingLine[] = [];
    const latency: ServingLine[] = [];
    for (const s of series) {
      const recent = recentStats(points, s.version, readAt);
      const color = versionColor(s.version);
      const label = labelOf(s.version);
      rps.push({ id: `rps-${s.version}`, label, color, points: withTrailingZeros(s.requestsPerSecond, end), recent: recent.requestsPerSecond });
      errors.push({ id: `err-${s.version}`, label, color, points: s.errorRate, recent: recent.errorRate });
      latency.push(
        { id: `p50-${s.version}`, label: `${label} p50`, color, points: s.p50, recent: recent.p50Ms, dash: [2, 2] },
        { id: `p95-${s.version}`, label: `${label} p95`, color, points: s.p95, recent: recent.p95Ms },
        { id: `p99-${s.version}`, label: `${label} p99`, color, points: s.p99, recent: recent.p99Ms, dash: [6, 3] },
      );
    }
    return { rps, errors, latency };
  }, [metrics.data, versions]);

  const first = metrics.data?.points.reduce((min, p) => Math.min(min, p.at), Number.POSITIVE_INFINITY) ?? Number.POSITIVE_INFINITY;
  const from = Math.max(now - WINDOW_MS, Math.min(first, now - MIN_WINDOW_MS));
  return (
    <Card
      title="Live metrics"
      testId="serving-charts"
      className="deploy-span-2"
      aside={<span className="muted small">{stopped ? 'stopped: no requests are served' : 'per version, up to the last 5 minutes; numbers over the last 10 s'}</span>}
    >
      {metrics.error && <ErrorNotice title="Could not read the metrics." error={metrics.error} onRetry={() => void metrics.reload()} />}
      <div className="serving-chart-grid">
        <ServingChart title="Requests/s" lines={charts.rps} format={formatRps} formatTick={(v) => String(Number(v.toPrecision(2)))} from={from} to={now} testId="chart-rps" />
        <ServingChart title="Latency p50 / p95 / p99" lines={charts.latency} format={formatMs} formatTick={(v) => `${Math.round(v)} ms`} from={from} to={now} testId="chart-latency" />
        <ServingChart title="Error rate" lines={charts.errors} format={formatRate} formatTick={(v) => `${Math.round(v * 100)}%`} from={from} to={now} testId="chart-errors" />
      </div>
    </Card>
  );
}
