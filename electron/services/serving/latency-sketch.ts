/**
 * A small, JSON-serialisable latency histogram for quantiles of an unbounded stream (the shadow's
 * and the primary's latencies on the same copied requests). Buckets grow by 2% from 0.01 ms, so a
 * quantile is within 1% of the true value, and a whole rollout's latencies fit in a few hundred
 * numbers whatever the traffic. Stored sparse: bucket index → count.
 */
export type LatencySketch = Record<string, number>;

export const SKETCH_MIN_MS = 0.01;
export const SKETCH_GROWTH = 1.02;
const LOG_GROWTH = Math.log(SKETCH_GROWTH);

/** The bucket holding `ms`: bucket i covers (MIN × G^(i−1), MIN × G^i]; all up to MIN is bucket 0. */
export function bucketOf(ms: number): number {
  return ms <= SKETCH_MIN_MS ? 0 : Math.ceil(Math.log(ms / SKETCH_MIN_MS) / LOG_GROWTH - 1e-9);
}

/** The value a bucket stands for: the geometric middle of its range. */
export function bucketValue(index: number): number {
  return index === 0 ? SKETCH_MIN_MS : SKETCH_MIN_MS * SKETCH_GROWTH ** (index - 0.5);
}

/** A copy of `sketch` with one more latency; a negative or non-finite latency is not counted. */
export function addLatency(sketch: LatencySketch, ms: number): LatencySketch {
  if (!Number.isFinite(ms) || ms < 0) return sketch;
  const key = String(bucketOf(ms));
  return { ...sketch, [key]: (sketch[key] ?? 0) + 1 };
}

export function sketchCount(sketch: LatencySketch): number {
  return Object.values(sketch).reduce((sum, n) => sum + n, 0);
}

/** The q-quantile (0 < q ≤ 1) by nearest rank; null for an empty sketch. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | null {
  const total = sketchCount(sketch);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  // Object.keys lists integer keys in ascending order (by the language's own rule), so buckets
  // come lowest first; the counts add up to total ≥ rank, so some bucket is found.
  const index = Object.keys(sketch).find((key) => (seen += sketch[key]!) >= rank)!;
  return bucketValue(Number(index));
}
