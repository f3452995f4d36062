import type { MetricsPoint } from '../../../../shared/contract/serving';

/** A plotted point; y null breaks the line (Chart.js draws no segment across it). */
export interface XY {
  x: number;
  y: number | null;
}

/** One version's live numbers over time, ready to plot. */
export interface VersionSeries {
  version: number;
  /** Missing buckets between two points are filled with 0: no traffic reads as 0 requests/s. */
  requestsPerSecond: XY[];
  /** Errors over requests, 0–1; buckets without requests are gaps (null), not 0. */
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

/** Drops leading and trailing gaps and runs of gaps: a gap only matters between two values. */
function tidyGaps(points: XY[]): XY[] {
  const out: XY[] = [];
  for (const p of points) {
    if (p.y === null && (out.length === 0 || out.at(-1)!.y === null)) continue;
    out.push(p);
  }
  while (out.length > 0 && out.at(-1)!.y === null) out.pop();
  return out;
}

/** Splits the points by version (ascending), each in time order, with gaps where buckets are missing. */
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
      const rps: XY[] = [];
      const errorRate: XY[] = [];
      const p50: XY[] = [];
      const p95: XY[] = [];
      const p99: XY[] = [];
      let previous: number | null = null;
      for (const p of list) {
        // A missing bucket had no requests: 0 requests/s from the bucket after the last to the one before this.
        if (previous !== null && p.at - previous > width * 1.5) {
          rps.push({ x: previous + width, y: 0 }, { x: p.at - width, y: 0 });
          for (const line of [errorRate, p50, p95, p99]) line.push({ x: previous + width, y: null });
        }
        rps.push({ x: p.at, y: p.requests / (width / 1000) });
        errorRate.push({ x: p.at, y: p.requests > 0 ? p.errors / p.requests : null });
        p50.push({ x: p.at, y: p.p50Ms });
        p95.push({ x: p.at, y: p.p95Ms });
        p99.push({ x: p.at, y: p.p99Ms });
        previous = p.at;
      }
      return { version, requestsPerSecond: rps, errorRate: tidyGaps(errorRate), p50: tidyGaps(p50), p95: tidyGaps(p95), p99: tidyGaps(p99) };
    });
}

/** Time steps for the x ticks: round times, at most about four labels, as a narrow chart fits without overlap. */
const TICK_STEPS_MS = [10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

export function timeTickStepMs(from: number, to: number): number {
  return TICK_STEPS_MS.find((step) => (to - from) / step <= 3) ?? TICK_STEPS_MS.at(-1)!;
}

/** Points that draw something (gaps are not counted). */
export function plottedPoints(points: readonly XY[]): number {
  return points.reduce((n, p) => n + (p.y === null ? 0 : 1), 0);
}

/** How far back the legend's numbers look, in complete 1 s buckets. */
export const RECENT_MS = 10_000;

/** A version's numbers over the last 10 complete seconds before `now`: what the legend shows. */
export interface RecentStats {
  requestsPerSecond: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * Requests/s, error rate and latency percentiles of one version over [end − 10 s, end), end being
 * the start of the second `now` is in (that bucket is still filling). Percentiles of the window are
 * estimated from each bucket's p50/p95/p99 weighted by its requests: half of a bucket's requests
 * at its p50, 45% at its p95, 5% at its p99 — exact for a single bucket.
 */
export function recentStats(points: readonly MetricsPoint[], version: number, now: number): RecentStats {
  const end = Math.floor(now / 1000) * 1000;
  const inWindow = points.filter((p) => p.version === version && p.at >= end - RECENT_MS && p.at < end);
  const requests = inWindow.reduce((n, p) => n + p.requests, 0);
  const errors = inWindow.reduce((n, p) => n + p.errors, 0);
  const masses: Array<[number, number]> = [];
  for (const p of inWindow) {
    if (p.requests <= 0) continue;
    if (p.p50Ms !== null) masses.push([p.p50Ms, 0.5 * p.requests]);
    if (p.p95Ms !== null) masses.push([p.p95Ms, 0.45 * p.requests]);
    if (p.p99Ms !== null) masses.push([p.p99Ms, 0.05 * p.requests]);
  }
  return {
    requestsPerSecond: requests / (RECENT_MS / 1000),
    errorRate: requests > 0 ? errors / requests : null,
    p50Ms: weightedQuantile(masses, 0.5),
    p95Ms: weightedQuantile(masses, 0.95),
    p99Ms: weightedQuantile(masses, 0.99),
  };
}

function weightedQuantile(masses: Array<[number, number]>, q: number): number | null {
  const total = masses.reduce((n, [, w]) => n + w, 0);
  if (total <= 0) return null;
  const sorted = [...masses].sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [value, weight] of sorted) {
    seen += weight;
    // A small tolerance, so q = 0.95 of one bucket lands on its p95 despite float sums.
    if (seen >= q * total - 1e-9 * total) return value;
  }
  return sorted.at(-1)![0];
}

/** Traffic shares of the versions that take traffic, for the bar: weights > 0 only, in order. */
export function trafficSegments<T extends { version: number; weight: number }>(versions: readonly T[]): Array<T & { share: number }> {
  const total = versions.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (total <= 0) return [];
  return versions.filter((v) => v.weight > 0).map((v) => ({ ...v, share: (v.weight / total) * 100 }));
}
