import { categoryCodesOf, type CategoryCodes } from './data/category-codes';
import { conformColumn, type ColumnKind, type ColumnTable, type TableColumn } from './data/column-table';
import type { ColumnProfile, ReferenceProfile } from './profile/reference-profile';
import { DISTINCT_LIMIT } from './stats/samples';

/**
 * Data quality of a current window against its reference: per column, what is missing, out of the
 * reference's range, never seen before, of the wrong type, infinite or stuck at one value; for the
 * table, columns gone or added (schema drift). Each measure carries its threshold and verdict, so a
 * report reads on its own. Pure: no Node imports.
 */
export interface QualityThresholds {
  /** Allowed rise of the missing share above the reference's own missing share. */
  missingShare: number;
  /** Allowed share of finite values outside the reference's [min, max]. */
  outOfRangeShare: number;
  /** Allowed share of values in categories the reference never had. */
  newCategoryShare: number;
  /** Allowed count of text cells in a numeric column. */
  typeMismatches: number;
  /** Allowed rise of the ±Infinity share above the reference's own. */
  nonFiniteShare: number;
  /** Allowed count of reference columns absent from the window. */
  missingColumns: number;
  /** Allowed count of window columns the reference does not have. */
  extraColumns: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  missingShare: 0.05,
  outOfRangeShare: 0.05,
  newCategoryShare: 0.05,
  typeMismatches: 0,
  nonFiniteShare: 0,
  missingColumns: 0,
  extraColumns: 0,
};

/** One measure: its value, the limit it is held to, and whether it is over that limit. */
export interface QualityMeasure {
  /** A share (0–1) or, for counts, the count. */
  value: number;
  /** How many cells (or columns) the value stands for. */
  count: number;
  /** Breached when value > threshold (for shares measured against the reference: the reference's share plus the allowance). */
  threshold: number;
  breached: boolean;
}

export interface ColumnQuality {
  column: string;
  /** The reference's kind (the window's column is read as that kind). */
  kind: ColumnKind;
  rows: number;
  missing: QualityMeasure & { reference: number };
  /** Numeric columns with a reference range; null otherwise. */
  outOfRange: QualityMeasure | null;
  /** Categorical columns; null for numeric. */
  newCategories: (QualityMeasure & { examples: string[] }) | null;
  typeMismatches: QualityMeasure;
  nonFinite: QualityMeasure & { reference: number };
  /** One distinct value where the reference had more: value is the window's distinct count (0–2, capped). */
  constant: QualityMeasure & { referenceDistinct: number };
  breached: boolean;
}

export interface QualityReport {
  rows: number;
  columns: ColumnQuality[];
  /** In the reference, not in the window. */
  missingColumns: string[];
  /** In the window, not in the reference. */
  extraColumns: string[];
  schema: { missingColumns: QualityMeasure; extraColumns: QualityMeasure };
  breached: boolean;
}

/** Examples of unseen categories kept in a report. */
const EXAMPLES = 10;

export function checkDataQuality(reference: ReferenceProfile, current: ColumnTable, thresholds: Partial<QualityThresholds> = {}): QualityReport {
  const limits = { ...DEFAULT_QUALITY_THRESHOLDS, ...thresholds };
  const byName = new Map(current.columns.map((c) => [c.name, c]));
  const known = new Set(reference.columns.map((c) => c.name));
  const missingColumns = reference.columns.filter((c) => !byName.has(c.name)).map((c) => c.name);
  const extraColumns = current.columns.filter((c) => !known.has(c.name)).map((c) => c.name);
  const columns = reference.columns.filter((c) => byName.has(c.name)).map((ref) => columnQuality(ref, byName.get(ref.name)!, current.rows, limits));
  const schema = {
    missingColumns: measure(missingColumns.length, missingColumns.length, limits.missingColumns),
    extraColumns: measure(extraColumns.length, extraColumns.length, limits.extraColumns),
  };
  const breached = schema.missingColumns.breached || schema.extraColumns.breached || columns.some((c) => c.breached);
  return { rows: current.rows, columns, missingColumns, extraColumns, schema, breached };
}

function columnQuality(ref: ColumnProfile, raw: TableColumn, rows: number, limits: QualityThresholds): ColumnQuality {
  const column = conformColumn(raw, ref.kind);
  const coded = categoryCodesOf(column);
  const cells = column.kind === 'numeric' ? scanNumbers(column.numbers!, ref) : coded ? scanCodes(coded, ref) : scanStrings(column.strings!, ref);
  const mismatches = column.typeMismatches;
  const missingCount = cells.missing - mismatches;
  const refMissing = share(ref.missing, ref.total);
  const refNonFinite = share(ref.nonFinite, ref.total);
  const refDistinct = referenceDistinct(ref);
  const result: ColumnQuality = {
    column: ref.name,
    kind: ref.kind,
    rows,
    missing: { ...measure(share(missingCount, rows), missingCount, refMissing + limits.missingShare), reference: refMissing },
    outOfRange: column.kind === 'numeric' && ref.min !== null ? measure(share(cells.outside, cells.finite), cells.outside, limits.outOfRangeShare) : null,
    newCategories: column.kind === 'categorical' ? { ...measure(share(cells.outside, cells.present), cells.outside, limits.newCategoryShare), examples: cells.examples } : null,
    typeMismatches: measure(mismatches, mismatches, limits.typeMismatches),
    nonFinite: { ...measure(share(cells.nonFinite, rows), cells.nonFinite, refNonFinite + limits.nonFiniteShare), reference: refNonFinite },
    constant: {
      value: cells.distinct,
      count: cells.distinct,
      threshold: 1,
      breached: cells.distinct === 1 && refDistinct > 1,
      referenceDistinct: refDistinct,
    },
    breached: false,
  };
  result.breached = [result.missing, result.outOfRange, result.newCategories, result.typeMismatches, result.nonFinite, result.constant].some((m) => m?.breached === true);
  return result;
}

interface CellCounts {
  missing: number;
  nonFinite: number;
  finite: number;
  present: number;
  /** Finite values outside the reference range, or values in unseen categories. */
  outside: number;
  examples: string[];
  /** Distinct present values, capped at 2 (enough to tell a constant column). */
  distinct: number;
}

function scanNumbers(numbers: Float64Array, ref: ColumnProfile): CellCounts {
  const counts: CellCounts = { missing: 0, nonFinite: 0, finite: 0, present: 0, outside: 0, examples: [], distinct: 0 };
  const min = ref.min ?? Number.NEGATIVE_INFINITY;
  const max = ref.max ?? Number.POSITIVE_INFINITY;
  let first: number | undefined;
  for (let i = 0; i < numbers.length; i++) {
    const v = numbers[i]!;
    if (Number.isNaN(v)) {
      counts.missing++;
      continue;
    }
    counts.present++;
    if (first === undefined) first = v;
    else if (v !== first) counts.distinct = 2;
    if (v === Infinity || v === -Infinity) counts.nonFinite++;
    else {
      counts.finite++;
      if (v < min || v > max) counts.outside++;
    }
  }
  if (first !== undefined && counts.distinct === 0) counts.distinct = 1;
  return counts;
}

function scanStrings(strings: (string | null)[], ref: ColumnProfile): CellCounts {
  const counts: CellCounts = { missing: 0, nonFinite: 0, finite: 0, present: 0, outside: 0, examples: [], distinct: 0 };
  const seen = ref.sample.kind === 'categorical' ? ref.sample.counts : new Map<string, number>();
  let first: string | undefined;
  for (const s of strings) {
    if (s === null) {
      counts.missing++;
      continue;
    }
    counts.present++;
    if (first === undefined) first = s;
    else if (s !== first) counts.distinct = 2;
    if (!seen.has(s)) {
      counts.outside++;
      if (counts.examples.length < EXAMPLES && !counts.examples.includes(s)) counts.examples.push(s);
    }
  }
  if (first !== undefined && counts.distinct === 0) counts.distinct = 1;
  return counts;
}

/** scanStrings' counts from a dictionary-encoded column: one look-up per code, not per row. */
function scanCodes(coded: CategoryCodes, ref: ColumnProfile): CellCounts {
  const counts: CellCounts = { missing: 0, nonFinite: 0, finite: 0, present: 0, outside: 0, examples: [], distinct: 0 };
  const seen = ref.sample.kind === 'categorical' ? ref.sample.counts : new Map<string, number>();
  const perCode = new Float64Array(coded.categories.length);
  const order: number[] = [];
  for (const code of coded.codes) {
    if (code < 0) counts.missing++;
    else if (perCode[code]!++ === 0) order.push(code);
  }
  // Codes in order of first appearance, so examples come in the order the rows show them.
  const present = new Set<string>();
  for (const code of order) {
    const category = coded.categories[code]!;
    counts.present += perCode[code]!;
    present.add(category);
    if (!seen.has(category)) {
      counts.outside += perCode[code]!;
      if (counts.examples.length < EXAMPLES && !counts.examples.includes(category)) counts.examples.push(category);
    }
  }
  counts.distinct = Math.min(present.size, 2);
  return counts;
}

/** How many distinct values the reference had (past DISTINCT_LIMIT: DISTINCT_LIMIT + 1). */
function referenceDistinct(ref: ColumnProfile): number {
  if (ref.sample.kind === 'categorical') return ref.sample.counts.size;
  if (ref.sample.distinct) return ref.sample.distinct.size;
  return ref.sample.sorted.n > 0 ? DISTINCT_LIMIT + 1 : 0;
}

function measure(value: number, count: number, threshold: number): QualityMeasure {
  return { value, count, threshold, breached: value > threshold };
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
