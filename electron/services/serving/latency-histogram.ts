/**
 * A latency histogram with log-linear buckets (as HdrHistogram): values in microseconds, exact
 * below 128 µs, then 64 linear buckets per power of two, so a percentile read from a bucket's
 * middle is within 0.8% of the true value (1.6% at worst at a bucket's edge). Buckets are sparse
 * (a map), so one per second per version stays small, and two histograms merge by adding counts.
 * Values from 2^31 µs (about 36 minutes) up share the last bucket.
 */
export class LatencyHistogram {
  readonly counts = new Map<number, number>();
  count = 0;

  record(ms: number): void {
    const index = bucketOf(ms);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.count++;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    for (const [index, n] of other.counts) this.counts.set(index, (this.counts.get(index) ?? 0) + n);
    this.count += other.count;
  }

  /** The value at quantile q (0–1) by nearest rank, in ms; null when empty. */
  percentile(q: number): number | null {
    return this.percentiles([q])[0]!;
  }

  /** Several quantiles (ascending or not) in one walk over the buckets. */
  percentiles(qs: readonly number[]): Array<number | null> {
    if (this.count === 0) return qs.map(() => null);
    const indices = [...this.counts.keys()].sort((a, b) => a - b);
    const ranks = qs.map((q) => Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * this.count)));
    const out: Array<number | null> = qs.map(() => null);
    let seen = 0;
    for (const index of indices) {
      seen += this.counts.get(index)!;
      for (let i = 0; i < ranks.length; i++) {
        if (out[i] === null && seen >= ranks[i]!) out[i] = middleOf(index) / 1000;
      }
      if (out.every((v) => v !== null)) break;
    }
    return out;
  }
}

const LINEAR = 128; // exact microseconds below this
const SUB_BITS = 6; // 64 buckets per power of two above it
const MAX_MICROS = 2 ** 31 - 1;

export function bucketOf(ms: number): number {
  const micros = Math.min(MAX_MICROS, Math.max(0, Math.round(ms * 1000)));
  if (micros < LINEAR) return micros;
  const exponent = 31 - Math.clz32(micros);
  const mantissa = micros >>> (exponent - SUB_BITS); // 64–127
  return (exponent - SUB_BITS) * 64 + mantissa;
}

/** The middle of a bucket, in microseconds. */
export function middleOf(index: number): number {
  if (index < LINEAR) return index;
  const exponent = Math.floor(index / 64) + SUB_BITS - 1;
  const mantissa = (index % 64) + 64;
  const width = 2 ** (exponent - SUB_BITS);
  return mantissa * width + (width - 1) / 2;
}
