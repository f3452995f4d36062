import { categoryCodesOf, countCodes } from '../data/category-codes';
import type { ColumnKind, ColumnTable, TableColumn } from '../data/column-table';
import { DISTINCT_LIMIT, type ColumnSample } from '../stats/samples';
import { CategoricalAccumulator, NumericAccumulator, type ColumnAccumulator, type ColumnSummary } from './column-accumulators';
import { sortedFinite } from './fast-sort';

/**
 * What a reference keeps of each column, so later checks read only the current window. Pure: no
 * Node imports (profiles are built and read in the monitoring worker).
 */
export interface ColumnProfile extends ColumnSummary {
  name: string;
  kind: ColumnKind;
  /** Rows, including missing ones. */
  total: number;
  /** Missing cells (null, empty, NaN), not counting type mismatches. */
  missing: number;
  /** ±Infinity cells (numeric only). */
  nonFinite: number;
  /** Text cells in a numeric column. */
  typeMismatches: number;
  /** Over the finite values; null when there are none (and for categorical columns). */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation, as np.std. */
  std: number | null;
  sample: ColumnSample;
}

export interface ReferenceProfile {
  format: 1;
  rows: number;
  columns: ColumnProfile[];
}

/**
 * Builds a profile from a stream of chunks: each column's kind is fixed by the first chunk that has it
 * (or by `kinds`); a column missing from some chunks counts those rows as missing.
 */
export class ProfileBuilder {
  private rows = 0;
  private readonly columns = new Map<string, { kind: ColumnKind; accumulator: ColumnAccumulator }>();

  constructor(private readonly kinds?: ReadonlyMap<string, ColumnKind>) {}

  add(table: ColumnTable): void {
    for (const column of table.columns) {
      if (this.columns.has(column.name)) continue;
      const kind = this.kinds?.get(column.name) ?? column.kind;
      const accumulator = kind === 'numeric' ? new NumericAccumulator() : new CategoricalAccumulator();
      // Rows before this column first appeared had it missing.
      if (this.rows > 0) accumulator.add(undefined, this.rows);
      this.columns.set(column.name, { kind, accumulator });
    }
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    for (const [name, { accumulator }] of this.columns) accumulator.add(byName.get(name), table.rows);
    this.rows += table.rows;
  }

  finish(): ReferenceProfile {
    const columns = [...this.columns].map(([name, { kind, accumulator }]): ColumnProfile => ({ name, kind, ...accumulator.finish() }));
    return { format: 1, rows: this.rows, columns };
  }
}

export function profileTable(table: ColumnTable, kinds?: ReadonlyMap<string, ColumnKind>): ReferenceProfile {
  const builder = new ProfileBuilder(kinds);
  builder.add(table);
  return builder.finish();
}

/**
 * A current window's column as a sample: its finite values sorted (a radix sort on the float bits,
 * the native sort's exact order at about a third of its time), with value counts while there are at
 * most DISTINCT_LIMIT. A dictionary-encoded categorical column is counted by its codes.
 */
export function currentSample(column: TableColumn): ColumnSample {
  if (column.kind === 'categorical') {
    const coded = categoryCodesOf(column);
    if (coded) return { kind: 'categorical', ...countCodes(coded) };
    const counts = new Map<string, number>();
    let n = 0;
    for (const s of column.strings!) {
      if (s === null) continue;
      counts.set(s, (counts.get(s) ?? 0) + 1);
      n++;
    }
    return { kind: 'categorical', counts, n };
  }
  const values = sortedFinite(column.numbers!);
  return { kind: 'numeric', sorted: { values, weights: null, n: values.length, rankError: 0 }, distinct: runsOf(values) };
}

/** Value counts of a sorted array, or null past DISTINCT_LIMIT distinct values. */
function runsOf(sorted: Float64Array): Map<number, number> | null {
  const counts = new Map<number, number>();
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (counts.size === DISTINCT_LIMIT) return null;
    counts.set(sorted[i]!, j - i);
    i = j;
  }
  return counts;
}
