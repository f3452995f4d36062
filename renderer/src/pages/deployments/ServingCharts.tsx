import { useMemo, useState } from 'react';
import type { DeploymentVersionView } from '../../../../shared/contract/serving';
import { runColor } from '../../charts/series-math';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ServingChart, type ServingLine } from './ServingChart';
import { formatMs, formatRate, formatRps, roleColor } from './serving-format';
import { seriesByVersion } from './serving-metrics';

/** The most the charts show, and the least (a new deployment's first seconds are not squeezed into a corner). */
const WINDOW_MS = 5 * 60_000;
const MIN_WINDOW_MS = 60_000;
const POLL_MS = 1500;

/** Requests/s, latency percentiles and error rate per version, polled while the page is visible. */
export function ServingCharts({ name, versions }: { name: string; versions: readonly DeploymentVersionView[] }) {
  const [now, setNow] = useState(() => Date.now());
  const metrics = useLiveQuery((c) => c.call('serving.queryMetrics', { name, sinceMs: Date.now() - WINDOW_MS }), [name]);
  usePolling(() => {
    setNow(Date.now());
    void metrics.reload();
  }, POLL_MS);

  const charts = useMemo(() => {
    const series = seriesByVersion(metrics.data ?? []);
    const colorOf = (version: number, i: number) => {
      const role = versions.find((v) => v.version === version)?.role;
      return role ? roleColor[role] : runColor(i + 3);
    };
    const labelOf = (version: number) => {
      const role = versions.find((v) => v.version === version)?.role;
      return `v${version}${role ? ` ${role}` : ''}`;
    };
    const rps: ServingLine[] = series.map((s, i) => ({ id: `rps-${s.version}`, label: labelOf(s.version), color: colorOf(s.version, i), points: s.requestsPerSecond }));
    const errors: ServingLine[] = series.map((s, i) => ({ id: `err-${s.version}`, label: labelOf(s.version), color: colorOf(s.version, i), points: s.errorRate }));
    const latency: ServingLine[] = series.flatMap((s, i) => [
      { id: `p50-${s.version}`, label: `${labelOf(s.version)} p50`, color: colorOf(s.version, i), points: s.p50, dash: [2, 2] },
      { id: `p95-${s.version}`, label: `${labelOf(s.version)} p95`, color: colorOf(s.version, i), points: s.p95 },
      { id: `p99-${s.version}`, label: `${labelOf(s.version)} p99`, color: colorOf(s.version, i), points: s.p99, dash: [6, 3] },
    ]);
    return { rps, errors, latency };
  }, [metrics.data, versions]);

  const first = metrics.data?.reduce((min, p) => Math.min(min, p.at), Number.POSITIVE_INFINITY) ?? Number.POSITIVE_INFINITY;
  const from = Math.max(now - WINDOW_MS, Math.min(first, now - MIN_WINDOW_MS));
  return (
    <Card title="Live metrics" testId="serving-charts" className="deploy-span-2" aside={<span className="muted small">per version, up to the last 5 minutes</span>}>
      {metrics.error && <ErrorNotice title="Could not read the metrics." error={metrics.error} onRetry={() => void metrics.reload()} />}
      <div className="serving-chart-grid">
        <ServingChart title="Requests/s" lines={charts.rps} format={formatRps} formatTick={(v) => String(Number(v.toPrecision(2)))} from={from} to={now} testId="chart-rps" />
        <ServingChart title="Latency p50 / p95 / p99" lines={charts.latency} format={formatMs} formatTick={(v) => `${Math.round(v)} ms`} from={from} to={now} testId="chart-latency" />
        <ServingChart title="Error rate" lines={charts.errors} format={formatRate} formatTick={(v) => `${Math.round(v * 100)}%`} from={from} to={now} testId="chart-errors" />
      </div>
    </Card>
  );
}
