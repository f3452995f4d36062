import type { MetricsPoint } from '../../../../shared/contract/serving';

export interface XY {
  x: number;
  y: number;
}

/** One version's live numbers over time, ready to plot. */
export interface VersionSeries {
  version: number;
  requestsPerSecond: XY[];
  /** Errors over requests, 0–1; buckets without requests are left out. */
  errorRate: XY[];
  p50: XY[];
  p95: XY[];
  p99: XY[];
}

const MIN_BUCKET_MS = 1000;
const MAX_BUCKET_MS = 10_000;

/**
 * The width of a version's buckets: the smallest step between its points (1 s live, 10 s once
 * stored), so a bucket's count turns into requests per second; 1 s when there is one point.
 */
export function bucketWidthMs(times: readonly number[]): number {
  let width = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const step = times[i]! - times[i - 1]!;
    if (step > 0 && step < width) width = step;
  }
  if (!Number.isFinite(width)) return MIN_BUCKET_MS;
  return Math.min(MAX_BUCKET_MS, Math.max(MIN_BUCKET_MS, width));
}

/** Splits the points by version (ascending), each in time order. */
export function seriesByVersion(points: readonly MetricsPoint[]): VersionSeries[] {
  const byVersion = new Map<number, MetricsPoint[]>();
  for (const p of points) {
    const list = byVersion.get(p.version) ?? [];
    list.push(p);
    byVersion.set(p.version, list);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, list]) => {
      list.sort((a, b) => a.at - b.at);
      const width = bucketWidthMs(list.map((p) => p.at));
      const series: VersionSeries = { version, requestsPerSecond: [], errorRate: [], p50: [], p95: [], p99: [] };
      for (const p of list) {
        series.requestsPerSecond.push({ x: p.at, y: p.requests / (width / 1000) });
        if (p.requests > 0) series.errorRate.push({ x: p.at, y: p.errors / p.requests });
        if (p.p50Ms !== null) series.p50.push({ x: p.at, y: p.p50Ms });
        if (p.p95Ms !== null) series.p95.push({ x: p.at, y: p.p95Ms });
        if (p.p99Ms !== null) series.p99.push({ x: p.at, y: p.p99Ms });
      }
      return series;
    });
}

/** Traffic shares of the versions that take traffic, for the bar: weights > 0 only, in order. */
export function trafficSegments<T extends { version: number; weight: number }>(versions: readonly T[]): Array<T & { share: number }> {
  const total = versions.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (total <= 0) return [];
  return versions.filter((v) => v.weight > 0).map((v) => ({ ...v, share: (v.weight / total) * 100 }));
}
