import { describe, expect, it } from 'vitest';
import { bucketOf, LatencyHistogram, middleOf } from '../../../electron/services/serving/latency-histogram';

/** Nearest-rank percentile of an exact sort. */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
}

describe('latency histogram', () => {
  it('gives p50 / p95 / p99 within 1% (or 1 µs) of an exact sort, on skewed latencies from 50 µs to minutes', () => {
    const random = lcg(7);
    for (const [scale, spread] of [[0.2, 1], [12, 0.5], [800, 2], [90_000, 0.3]] as const) {
      const values = Array.from({ length: 20_000 }, () => scale * Math.exp(spread * (random() + random() + random() - 1.5) * 2));
      const histogram = new LatencyHistogram();
      for (const v of values) histogram.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      const [p50, p95, p99] = histogram.percentiles([0.5, 0.95, 0.99]);
      for (const [got, q] of [[p50, 0.5], [p95, 0.95], [p99, 0.99]] as const) {
        const want = exact(sorted, q);
        expect(Math.abs(got! - want)).toBeLessThanOrEqual(Math.max(0.01 * want, 0.001));
      }
    }
  });

  it('merges by adding counts: the merge of two halves reads as the whole', () => {
    const random = lcg(3);
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = 1 + random() * (i % 2 ? 100 : 5);
      whole.record(v);
      (i % 2 ? a : b).record(v);
    }
    a.merge(b);
    expect(a.count).toBe(5000);
    expect(a.percentiles([0.5, 0.95, 0.99])).toEqual(whole.percentiles([0.5, 0.95, 0.99]));
  });

  it('is exact below 128 µs, keeps buckets ordered and contiguous, and reads null when empty', () => {
    expect(new LatencyHistogram().percentile(0.5)).toBeNull();
    const h = new LatencyHistogram();
    h.record(0.042);
    expect(h.percentile(0.99)).toBe(0.042);
    let previous = -1;
    for (let micros = 0; micros < 5_000_000; micros += micros < 1000 ? 1 : 997) {
      const index = bucketOf(micros / 1000);
      expect(index).toBeGreaterThanOrEqual(previous);
      expect(index - previous).toBeLessThanOrEqual(1 + (micros < 1000 ? 0 : 1000));
      expect(Math.abs(middleOf(index) - micros)).toBeLessThanOrEqual(Math.max(0.5, micros * 0.008));
      previous = index;
    }
  });
});
