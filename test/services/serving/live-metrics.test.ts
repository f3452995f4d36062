import { describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../../electron/services/serving/live-metrics';
import type { RequestObservation } from '../../../electron/services/serving/serving-routes';

const T0 = 1_700_000_000_000; // a multiple of 10 s

function seen(at: number, version: number, latencyMs: number, more: Partial<RequestObservation> = {}): RequestObservation {
  return { deployment: 'iris', version, replicaId: `r${version}`, requestId: `${at}`, at, status: 200, latencyMs, modelError: false, upstreamFailure: false, ...more };
}

describe('live metrics', () => {
  it('counts requests and errors per version (5xx, model errors, upstream failures; not other 4xx) in a time range', () => {
    const metrics = new LiveMetrics();
    for (let i = 0; i < 90; i++) metrics.record(seen(T0 + i * 100, 1, 10 + (i % 10)));
    metrics.record(seen(T0 + 500, 2, 50, { status: 500 }));
    metrics.record(seen(T0 + 600, 2, 50, { status: 400, modelError: true }));
    metrics.record(seen(T0 + 700, 2, 50, { status: 504, upstreamFailure: true }));
    metrics.record(seen(T0 + 800, 2, 50, { status: 400 }));
    metrics.record(seen(T0 + 900, 2, 60));

    const stable = metrics.stats('iris', 1, T0);
    expect(stable).toMatchObject({ requests: 90, errors: 0, errorRate: 0 });
    expect(stable.p50Ms).toBeCloseTo(14, 0);
    expect(stable.p99Ms).toBeCloseTo(19, 0);
    expect(metrics.stats('iris', 2, T0)).toMatchObject({ requests: 5, errors: 3, errorRate: 0.6 });
    // Seconds before the range are left out; an unknown version has no numbers.
    expect(metrics.stats('iris', 1, T0 + 5000).requests).toBe(40);
    expect(metrics.stats('iris', 1, T0, T0 + 2000).requests).toBe(20);
    expect(metrics.stats('iris', 9, T0)).toEqual({ requests: 0, errors: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null });
  });

  it('gives a 1 s series per version, and drains each completed 10 s window once', () => {
    const metrics = new LiveMetrics({ graceMs: 2000 });
    for (let s = 0; s < 25; s++) {
      metrics.record(seen(T0 + s * 1000, 1, 5));
      metrics.record(seen(T0 + s * 1000 + 10, 1, 7, { status: 503 }));
      if (s % 5 === 0) metrics.record(seen(T0 + s * 1000, 2, 30));
    }
    const series = metrics.series('iris', T0 + 20_000);
    expect(series.map((p) => [p.at - T0, p.version, p.requests])).toEqual([
      [20_000, 1, 2],
      [20_000, 2, 1],
      [21_000, 1, 2],
      [22_000, 1, 2],
      [23_000, 1, 2],
      [24_000, 1, 2],
    ]);
    expect(series[0]).toMatchObject({ errors: 1, p50Ms: expect.closeTo(5, 1), p99Ms: expect.closeTo(7, 1) });

    // At T0+21 s, within the 2 s grace of the second window's end: only the first window is complete.
    const first = metrics.drain(T0 + 21_000);
    expect(first.map((r) => [r.at - T0, r.version, r.requests, r.errors])).toEqual([
      [0, 1, 20, 10],
      [0, 2, 2, 0],
    ]);
    expect(first[0]!.p95Ms).toBeCloseTo(7, 1);
    expect(metrics.drain(T0 + 21_500)).toEqual([]);
    const second = metrics.drain(T0 + 22_000);
    expect(second.map((r) => [r.at - T0, r.version, r.requests])).toEqual([
      [10_000, 1, 20],
      [10_000, 2, 2],
    ]);
  });

  it('forgets buckets older than the keep time, and a deleted deployment', () => {
    const metrics = new LiveMetrics({ keepMs: 60_000 });
    metrics.record(seen(T0, 1, 5));
    metrics.record(seen(T0 + 100_000, 1, 5));
    metrics.drain(T0 + 120_000);
    expect(metrics.stats('iris', 1, 0).requests).toBe(1);
    metrics.forget('iris');
    expect(metrics.series('iris', 0)).toEqual([]);
  });
});
