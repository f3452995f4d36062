import type { MetricsPoint, VersionStatsView } from '../../../shared/contract/serving';
import { LatencyHistogram } from './latency-histogram';
import type { RequestObservation } from './serving-routes';

/** A stored 10 s row (serving_metrics). */
export interface MetricsRow {
  deployment: string;
  version: number;
  at: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface LiveMetricsOptions {
  /** How long 1 s buckets stay in memory, ms (default 15 minutes). */
  keepMs?: number;
  /** How late an observation may arrive after its second ended and still be stored with its 10 s row, ms (default 2 s). */
  graceMs?: number;
}

interface Bucket {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
}

interface VersionSeries {
  /** 1 s buckets by the start of their second (ms). */
  buckets: Map<number, Bucket>;
  /** 10 s windows before this were handed to drain(). */
  drainedUntil: number;
}

const SECOND = 1000;
const WINDOW = 10_000;

/**
 * Per-version request counts, errors and latency in 1 s buckets, in memory: what a rollout's
 * analysis and the live charts read. An error is a 5xx, a gateway timeout or unreachable replica,
 * or an exception raised by the model's predict (which MLflow answers 400). drain() hands
 * completed 10 s rows to the store and forgets buckets older than keepMs.
 */
export class LiveMetrics {
  private readonly byDeployment = new Map<string, Map<number, VersionSeries>>();
  private readonly keepMs: number;
  private readonly graceMs: number;

  constructor(options: LiveMetricsOptions = {}) {
    this.keepMs = options.keepMs ?? 15 * 60_000;
    this.graceMs = options.graceMs ?? 2000;
  }

  /** Counts an answered request in the second it finished. */
  record(observation: RequestObservation): void {
    const finishedAt = observation.at + observation.latencyMs;
    const second = Math.floor(finishedAt / SECOND) * SECOND;
    const versions = this.byDeployment.get(observation.deployment) ?? this.newDeployment(observation.deployment);
    let series = versions.get(observation.version);
    if (!series) {
      series = { buckets: new Map(), drainedUntil: Math.floor(second / WINDOW) * WINDOW };
      versions.set(observation.version, series);
    }
    let bucket = series.buckets.get(second);
    if (!bucket) {
      bucket = { requests: 0, errors: 0, latency: new LatencyHistogram() };
      series.buckets.set(second, bucket);
    }
    bucket.requests++;
    if (isError(observation)) bucket.errors++;
    bucket.latency.record(observation.latencyMs);
  }

  /**
   * A version's numbers over the seconds that start in [sinceMs, untilMs). A second that began
   * before sinceMs is left out whole: a canary step that began mid-second must not count requests
   * its previous step saw (its first part-second is not counted at all, which only delays a decision).
   */
  stats(deployment: string, version: number, sinceMs: number, untilMs = Number.POSITIVE_INFINITY): VersionStatsView {
    const series = this.byDeployment.get(deployment)?.get(version);
    const merged = new LatencyHistogram();
    let requests = 0;
    let errors = 0;
    if (series) {
      for (const [at, bucket] of series.buckets) {
        if (at < sinceMs || at >= untilMs) continue;
        requests += bucket.requests;
        errors += bucket.errors;
        merged.merge(bucket.latency);
      }
    }
    const [p50Ms, p95Ms, p99Ms] = merged.percentiles([0.5, 0.95, 0.99]);
    return { requests, errors, errorRate: requests > 0 ? errors / requests : null, p50Ms: p50Ms!, p95Ms: p95Ms!, p99Ms: p99Ms! };
  }

  /** Every version's 1 s points since sinceMs, oldest first (versions ascending within a second). */
  series(deployment: string, sinceMs: number): MetricsPoint[] {
    const versions = this.byDeployment.get(deployment);
    if (!versions) return [];
    const out: MetricsPoint[] = [];
    for (const [version, series] of versions) {
      for (const [at, bucket] of series.buckets) {
        if (at < sinceMs) continue;
        const [p50Ms, p95Ms, p99Ms] = bucket.latency.percentiles([0.5, 0.95, 0.99]);
        out.push({ at, version, requests: bucket.requests, errors: bucket.errors, p50Ms: p50Ms!, p95Ms: p95Ms!, p99Ms: p99Ms! });
      }
    }
    return out.sort((a, b) => a.at - b.at || a.version - b.version);
  }

  /**
   * The 10 s rows completed by `now` (less the grace for late observations) and not yet drained,
   * one per version and window with requests; then forgets buckets older than keepMs.
   */
  drain(now: number): MetricsRow[] {
    const until = Math.floor((now - this.graceMs) / WINDOW) * WINDOW;
    const rows: MetricsRow[] = [];
    for (const [deployment, versions] of this.byDeployment) {
      for (const [version, series] of versions) {
        if (series.drainedUntil < until) {
          rows.push(...windows(deployment, version, series, until));
          series.drainedUntil = until;
        }
        for (const at of series.buckets.keys()) if (at < now - this.keepMs) series.buckets.delete(at);
        if (series.buckets.size === 0 && series.drainedUntil >= until) versions.delete(version);
      }
      if (versions.size === 0) this.byDeployment.delete(deployment);
    }
    return rows.sort((a, b) => a.at - b.at || a.version - b.version);
  }

  /** Drops a deployment's numbers (deleted). */
  forget(deployment: string): void {
    this.byDeployment.delete(deployment);
  }

  private newDeployment(name: string): Map<number, VersionSeries> {
    const versions = new Map<number, VersionSeries>();
    this.byDeployment.set(name, versions);
    return versions;
  }
}

export function isError(observation: Pick<RequestObservation, 'status' | 'modelError' | 'upstreamFailure'>): boolean {
  return observation.status >= 500 || observation.modelError || observation.upstreamFailure;
}

function windows(deployment: string, version: number, series: VersionSeries, until: number): MetricsRow[] {
  const byWindow = new Map<number, Bucket>();
  for (const [at, bucket] of series.buckets) {
    if (at < series.drainedUntil || at >= until) continue;
    const start = Math.floor(at / WINDOW) * WINDOW;
    let sum = byWindow.get(start);
    if (!sum) byWindow.set(start, (sum = { requests: 0, errors: 0, latency: new LatencyHistogram() }));
    sum.requests += bucket.requests;
    sum.errors += bucket.errors;
    sum.latency.merge(bucket.latency);
  }
  return [...byWindow].map(([at, sum]) => {
    const [p50Ms, p95Ms, p99Ms] = sum.latency.percentiles([0.5, 0.95, 0.99]);
    return { deployment, version, at, requests: sum.requests, errors: sum.errors, p50Ms: p50Ms!, p95Ms: p95Ms!, p99Ms: p99Ms! };
  });
}
