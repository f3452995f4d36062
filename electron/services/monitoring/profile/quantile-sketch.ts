import { EXACT_REFERENCE_LIMIT, type SortedSample } from '../stats/samples';

/**
 * A mergeable summary of a numeric column's finite values: the values themselves up to
 * EXACT_REFERENCE_LIMIT (so statistics equal scipy's), beyond that at most K weighted support points
 * with a proven bound on the error of their CDF. Pure: no Node imports.
 *
 * Construction. Values collect in a buffer of B = EXACT_REFERENCE_LIMIT. When it overflows, the buffer
 * is sorted and merged with the current summary S (sorted points v_i with weights w_i, total W), and
 * the merged set is compressed to K points of weight W/K each: point j (0 ≤ j < K) is the smallest v
 * whose cumulative weight C(v) reaches t_j = (j + ½)·W/K.
 *
 * Bound of one compression. Point j is ≤ x exactly when C(x) ≥ t_j (C is non-decreasing and q_j is
 * its generalised inverse at t_j), so the compressed cumulative weight is
 *   Ĉ(x) = (W/K)·#{j : (j + ½)·W/K ≤ C(x)} = (W/K)·clamp(⌊C(x)·K/W + ½⌋, 0, K),
 * which is C(x) rounded to the nearest multiple of W/K: |Ĉ(x) − C(x)| ≤ W/(2K) for every x.
 * Errors add: merging an exact buffer into a summary with absolute error E keeps error E, and the
 * compression adds W/(2K), so the sketch tracks E = Σ W_c/(2K) over its compressions c (and a
 * merge of two sketches adds their E). The stated rank error is E/n, the largest possible gap between
 * the sketch's CDF and the true one at any x. For n = 10,000,000 with K = 65,536 and B = 1,000,000
 * (compressions at W = 1M, 2M, …, 10M) that is 55M/131,072/10M ≈ 4.2e-5; a KS statistic read from the
 * sketch is then within that of the exact one.
 */
export const SKETCH_POINTS = 65_536;

interface WeightedPoints {
  values: Float64Array;
  weights: Float64Array;
}

export class QuantileSketch {
  private buffer: Float64Array;
  private buffered = 0;
  private summary: WeightedPoints | null = null;
  /** Absolute bound on the summary's cumulative-count error (see above). */
  private errorCount = 0;
  private total = 0;

  constructor(
    private readonly bufferLimit = EXACT_REFERENCE_LIMIT,
    private readonly points = SKETCH_POINTS,
  ) {
    this.buffer = new Float64Array(Math.min(bufferLimit, 1024));
  }

  /** How many values the sketch stands for. */
  get n(): number {
    return this.total;
  }

  /** Whether it still holds every value (no compression has happened). */
  get exact(): boolean {
    return this.summary === null;
  }

  /** Adds the finite values among `values` (NaN and ±Infinity are skipped: they are data quality). */
  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value - value !== 0) continue; // not finite
      if (this.buffered === this.buffer.length) this.makeRoom();
      this.buffer[this.buffered++] = value;
      this.total++;
    }
  }

  /** Takes in another sketch's values (it is left as it was). */
  merge(other: QuantileSketch): void {
    if (other.summary === null && this.summary === null && this.total + other.total <= this.bufferLimit) {
      this.add(other.buffer.subarray(0, other.buffered));
      return;
    }
    this.flush();
    const theirs = mergePoints(other.summary ?? emptyPoints(), unitPoints(other.buffer.slice(0, other.buffered).sort()));
    this.errorCount += other.errorCount;
    this.total += other.total;
    this.summary = this.compress(mergePoints(this.summary ?? emptyPoints(), theirs));
  }

  /** The sample the statistics read: the exact sorted values, or the sketch's points with their bound. */
  toSortedSample(): SortedSample {
    if (this.summary === null) {
      const values = this.buffer.slice(0, this.buffered).sort();
      return { values, weights: null, n: values.length, rankError: 0 };
    }
    this.flush();
    const { values, weights } = this.summary;
    return { values: values.slice(), weights: weights.slice(), n: this.total, rankError: this.total === 0 ? 0 : this.errorCount / this.total };
  }

  /** The buffer is full: grow it while under the exact limit, else fold it into the summary. */
  private makeRoom(): void {
    if (this.buffer.length < this.bufferLimit) {
      const grown = new Float64Array(Math.min(this.bufferLimit, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (this.buffered === 0 && this.summary !== null) return;
    const sorted = unitPoints(this.buffer.slice(0, this.buffered).sort());
    this.summary = this.compress(mergePoints(this.summary ?? emptyPoints(), sorted));
    this.buffered = 0;
  }

  /** Compression to K equal-weight points (only when over K), adding W/(2K) to the error bound. */
  private compress(set: WeightedPoints): WeightedPoints {
    if (set.values.length <= this.points) return set;
    let total = 0;
    for (let i = 0; i < set.weights.length; i++) total += set.weights[i]!;
    const step = total / this.points;
    const values = new Float64Array(this.points);
    let index = 0;
    let cumulative = set.weights[0]!;
    for (let j = 0; j < this.points; j++) {
      const target = (j + 0.5) * step;
      while (cumulative < target && index < set.values.length - 1) cumulative += set.weights[++index]!;
      values[j] = set.values[index]!;
    }
    this.errorCount += total / (2 * this.points);
    return coalesce(values, step);
  }
}

function emptyPoints(): WeightedPoints {
  return { values: new Float64Array(0), weights: new Float64Array(0) };
}

function unitPoints(sorted: Float64Array): WeightedPoints {
  return { values: sorted, weights: new Float64Array(sorted.length).fill(1) };
}

/** Two sorted weighted sets as one (a linear merge). */
function mergePoints(a: WeightedPoints, b: WeightedPoints): WeightedPoints {
  const length = a.values.length + b.values.length;
  const values = new Float64Array(length);
  const weights = new Float64Array(length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < length; k++) {
    if (j >= b.values.length || (i < a.values.length && a.values[i]! <= b.values[j]!)) {
      values[k] = a.values[i]!;
      weights[k] = a.weights[i++]!;
    } else {
      values[k] = b.values[j]!;
      weights[k] = b.weights[j++]!;
    }
  }
  return { values, weights };
}

/** Equal neighbouring points as one (their weights summed): the same CDF in fewer bytes. */
function coalesce(values: Float64Array, weight: number): WeightedPoints {
  const outValues = new Float64Array(values.length);
  const outWeights = new Float64Array(values.length);
  let k = -1;
  for (let i = 0; i < values.length; i++) {
    if (k >= 0 && outValues[k] === values[i]) outWeights[k]! += weight;
    else {
      outValues[++k] = values[i]!;
      outWeights[k] = weight;
    }
  }
  return { values: outValues.slice(0, k + 1), weights: outWeights.slice(0, k + 1) };
}
