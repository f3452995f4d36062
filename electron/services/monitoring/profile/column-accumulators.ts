import type { TableColumn } from '../data/column-table';
import { categoryOf } from '../data/column-table';
import { DISTINCT_LIMIT, type ColumnSample } from '../stats/samples';
import { QuantileSketch } from './quantile-sketch';

/** What a profile keeps of one column, gathered chunk by chunk. Pure: no Node imports. */
export interface ColumnSummary {
  total: number;
  missing: number;
  nonFinite: number;
  typeMismatches: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  sample: ColumnSample;
}

export interface ColumnAccumulator {
  /** Takes a chunk's column (or `rows` missing cells when the chunk lacks it). */
  add(column: TableColumn | undefined, rows: number): void;
  finish(): ColumnSummary;
}

/**
 * Counts, moments (Chan et al.'s pairwise update per chunk, so a long stream keeps its precision),
 * the quantile sketch and value counts while few, of a numeric column.
 */
export class NumericAccumulator implements ColumnAccumulator {
  private total = 0;
  private missing = 0;
  private nonFinite = 0;
  private typeMismatches = 0;
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private distinct: Map<number, number> | null = new Map();
  private readonly sketch: QuantileSketch;

  constructor(sketch = new QuantileSketch()) {
    this.sketch = sketch;
  }

  add(column: TableColumn | undefined, rows: number): void {
    this.total += rows;
    if (!column) {
      this.missing += rows;
      return;
    }
    if (column.kind === 'categorical') {
      // A chunk that read this column as text: its values count as type mismatches.
      const strings = column.strings!;
      let present = 0;
      for (const s of strings) if (s !== null) present++;
      this.typeMismatches += present;
      this.missing += strings.length - present;
      return;
    }
    const numbers = column.numbers!;
    let nan = 0;
    let count = 0;
    let sum = 0;
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i]!;
      if (Number.isNaN(v)) nan++;
      else if (v === Infinity || v === -Infinity) this.nonFinite++;
      else {
        count++;
        sum += v;
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
      }
    }
    this.typeMismatches += column.typeMismatches;
    this.missing += nan - column.typeMismatches;
    if (count === 0) return;
    const chunkMean = sum / count;
    let chunkM2 = 0;
    for (let i = 0; i < numbers.length; i++) {
      const d = numbers[i]! - chunkMean;
      if (d - d === 0) chunkM2 += d * d;
    }
    if (this.count === 0) {
      // The first chunk is taken as is: the merge term below would be ∞·0 for huge values.
      this.mean = chunkMean;
      this.m2 = chunkM2;
    } else {
      const merged = this.count + count;
      const delta = chunkMean - this.mean;
      this.mean += (delta * count) / merged;
      this.m2 += chunkM2 + delta * delta * ((this.count * count) / merged);
    }
    this.count += count;
    this.sketch.add(numbers);
    if (this.distinct) this.distinct = countDistinct(this.distinct, numbers);
  }

  finish(): ColumnSummary {
    const some = this.count > 0;
    return {
      total: this.total,
      missing: this.missing,
      nonFinite: this.nonFinite,
      typeMismatches: this.typeMismatches,
      min: some ? this.min : null,
      max: some ? this.max : null,
      mean: some ? this.mean : null,
      std: some ? Math.sqrt(this.m2 / this.count) : null,
      sample: { kind: 'numeric', sorted: this.sketch.toSortedSample(), distinct: this.distinct },
    };
  }
}

/** Adds finite values to `counts`; null once more than DISTINCT_LIMIT distinct values are seen. */
export function countDistinct(counts: Map<number, number>, values: ArrayLike<number>): Map<number, number> | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    const key = v === 0 ? 0 : v; // -0 and 0 are one value
    const seen = counts.get(key);
    if (seen !== undefined) counts.set(key, seen + 1);
    else {
      if (counts.size === DISTINCT_LIMIT) return null;
      counts.set(key, 1);
    }
  }
  return counts;
}

export class CategoricalAccumulator implements ColumnAccumulator {
  private total = 0;
  private missing = 0;
  private readonly counts = new Map<string, number>();

  add(column: TableColumn | undefined, rows: number): void {
    this.total += rows;
    if (!column) {
      this.missing += rows;
      return;
    }
    if (column.kind === 'numeric') {
      // A chunk that read this column as numbers: they are categories by their printed form.
      for (const v of column.numbers!) this.count(categoryOf(v));
      return;
    }
    for (const s of column.strings!) this.count(s);
  }

  private count(category: string | null): void {
    if (category === null) this.missing++;
    else this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
  }

  finish(): ColumnSummary {
    const n = this.total - this.missing;
    return {
      total: this.total,
      missing: this.missing,
      nonFinite: 0,
      typeMismatches: 0,
      min: null,
      max: null,
      mean: null,
      std: null,
      sample: { kind: 'categorical', counts: this.counts, n },
    };
  }
}
