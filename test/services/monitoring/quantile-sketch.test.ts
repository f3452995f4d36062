import { describe, expect, it } from 'vitest';
import { QuantileSketch, SKETCH_POINTS } from '../../../electron/services/monitoring/profile/quantile-sketch';
import { EXACT_REFERENCE_LIMIT, type SortedSample } from '../../../electron/services/monitoring/stats/samples';

/** mulberry32: a seeded generator, so a failure reproduces. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A skewed mixture with ties: log-normal body, a point mass at 0 and a discrete tail. */
function generate(n: number, seed: number): Float64Array {
  const random = seeded(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (u < 0.1) out[i] = 0;
    else if (u < 0.2) out[i] = Math.floor(random() * 50);
    else out[i] = Math.exp(2 * Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random()));
  }
  return out;
}

/** sup over x of |sample CDF − exact CDF|, walking both sorted arrays once. */
function largestCdfGap(exactSorted: Float64Array, sample: SortedSample): number {
  const n = exactSorted.length;
  let i = 0;
  let j = 0;
  let weight = 0;
  let gap = 0;
  while (i < n || j < sample.values.length) {
    const x = Math.min(i < n ? exactSorted[i]! : Infinity, j < sample.values.length ? sample.values[j]! : Infinity);
    while (i < n && exactSorted[i] === x) i++;
    while (j < sample.values.length && sample.values[j] === x) weight += sample.weights ? sample.weights[j++]! : (j++, 1);
    gap = Math.max(gap, Math.abs(weight / sample.n - i / n));
  }
  return gap;
}

function sketchOf(values: Float64Array, chunk: number, sketch = new QuantileSketch()): QuantileSketch {
  for (let start = 0; start < values.length; start += chunk) sketch.add(values.subarray(start, start + chunk));
  return sketch;
}

describe('quantile sketch', () => {
  it('keeps every finite value, sorted, up to the exact limit (no weights, no error)', () => {
    const values = generate(EXACT_REFERENCE_LIMIT, 1);
    values[5] = Number.NaN;
    values[6] = Infinity;
    const sample = sketchOf(values, 70_000).toSortedSample();
    const finite = values.filter((v) => Number.isFinite(v)).sort();
    expect(sample.weights).toBeNull();
    expect(sample.rankError).toBe(0);
    expect(sample.n).toBe(EXACT_REFERENCE_LIMIT - 2);
    expect(sample.values.length).toBe(finite.length);
    // Element by element: toEqual on a million floats is slow.
    expect(finite.findIndex((v, i) => !Object.is(v, sample.values[i]))).toBe(-1);
  });

  it('sketches 10,000,000 values into at most 65,536 points whose CDF is within the stated bound everywhere', () => {
    const values = generate(10_000_000, 2);
    const sketch = sketchOf(values, 100_000);
    expect(sketch.exact).toBe(false);
    const sample = sketch.toSortedSample();
    expect(sample.n).toBe(10_000_000);
    expect(sample.values.length).toBeLessThanOrEqual(SKETCH_POINTS);
    // The proof in quantile-sketch.ts: compressions at W = 1M … 10M, each adding W / (2K).
    const stated = (55 * EXACT_REFERENCE_LIMIT) / (2 * SKETCH_POINTS) / 10_000_000;
    expect(sample.rankError).toBeCloseTo(stated, 12);
    expect(sample.rankError).toBeLessThan(5e-5);
    const exact = values.slice().sort();
    const gap = largestCdfGap(exact, sample);
    expect(gap).toBeLessThanOrEqual(sample.rankError + 1e-12);
    // A sketch that merely stored its points would be far off; this one is close to its bound's scale.
    expect(gap).toBeGreaterThan(0);
  }, 120_000);

  it('merges two sketches into one whose stated bound still holds', () => {
    const a = generate(3_000_000, 3);
    const b = generate(2_500_000, 4).map((v) => v * 3 + 1);
    const merged = sketchOf(a, 250_000);
    merged.merge(sketchOf(b, 250_000));
    const sample = merged.toSortedSample();
    const all = new Float64Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    expect(sample.n).toBe(all.length);
    expect(sample.values.length).toBeLessThanOrEqual(SKETCH_POINTS);
    expect(sample.rankError).toBeGreaterThan(0);
    expect(largestCdfGap(all.sort(), sample)).toBeLessThanOrEqual(sample.rankError + 1e-12);
  }, 60_000);

  it('merges two small exact sketches exactly', () => {
    const left = new QuantileSketch();
    left.add([3, 1, 2]);
    const right = new QuantileSketch();
    right.add([0, 5]);
    left.merge(right);
    expect(left.exact).toBe(true);
    expect(Array.from(left.toSortedSample().values)).toEqual([0, 1, 2, 3, 5]);
  });

  it('holds its bound on a tiny configuration where every compression matters', () => {
    const values = generate(20_000, 5);
    const sample = sketchOf(values, 333, new QuantileSketch(500, 64)).toSortedSample();
    expect(sample.values.length).toBeLessThanOrEqual(64);
    const gap = largestCdfGap(values.slice().sort(), sample);
    expect(gap).toBeLessThanOrEqual(sample.rankError + 1e-12);
    expect(gap).toBeGreaterThan(sample.rankError / 20);
  });
});
