/**
 * The in-memory table that reference and current data both become: one typed column per name.
 * Numeric columns are Float64Arrays (NaN where missing, ±Infinity kept so data quality can count it);
 * categorical columns are strings (null where missing). Pure: no Node imports.
 */
export type ColumnKind = 'numeric' | 'categorical';

export interface TableColumn {
  name: string;
  kind: ColumnKind;
  /** numeric: the values, NaN where missing; ±Infinity kept as is. */
  numbers: Float64Array | null;
  /** categorical: null where missing. */
  strings: (string | null)[] | null;
  /** Cells that were text in a numeric column (counted, then treated as missing). */
  typeMismatches: number;
}

export interface ColumnTable {
  rows: number;
  columns: TableColumn[];
}

/** Text that stands for a missing value (pandas writes NaN as an empty cell, numpy as "nan"). */
export function isMissingText(text: string): boolean {
  return text === '' || (text.length === 3 && text.toLowerCase() === 'nan');
}

const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INFINITY = /^\s*([+-]?)(?:inf|infinity)\s*$/i;

/**
 * The number a text cell spells, or undefined when it is not fully a number. Only plain decimals and
 * inf / -inf / infinity count: Number() alone would take "0x1f", "  " and "1_0"-like surprises.
 */
export function parseNumberText(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  if (text.length === 3 && text.toLowerCase() === 'nan') return Number.NaN;
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

/** A value as a category: numbers stringified the way JSON and JS print them, so 1, 1.0 and "1" meet. */
export function categoryOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Collects one numeric column with an amortised-doubling buffer (no quadratic growth). */
export class NumericColumnBuilder {
  private values = new Float64Array(1024);
  length = 0;
  typeMismatches = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** A cell of the wrong type: counted, then stored as missing. */
  pushMismatch(): void {
    this.typeMismatches++;
    this.push(Number.NaN);
  }

  /** Takes a value from a JSON record or a decoded file; `fromText` lets numeric text count as a number. */
  pushValue(value: unknown, fromText: boolean): void {
    if (typeof value === 'number') return this.push(value);
    if (typeof value === 'bigint') return this.push(Number(value));
    if (value === null || value === undefined || value === '') return this.push(Number.NaN);
    if (fromText && typeof value === 'string') {
      const parsed = parseNumberText(value);
      if (parsed !== undefined) return this.push(parsed);
    }
    this.pushMismatch();
  }

  finish(name: string): TableColumn {
    return { name, kind: 'numeric', numbers: this.values.slice(0, this.length), strings: null, typeMismatches: this.typeMismatches };
  }
}

export class CategoricalColumnBuilder {
  readonly strings: (string | null)[] = [];

  pushValue(value: unknown, fromText: boolean): void {
    this.strings.push(fromText && typeof value === 'string' && isMissingText(value) ? null : categoryOf(value));
  }

  finish(name: string): TableColumn {
    return { name, kind: 'categorical', numbers: null, strings: this.strings, typeMismatches: 0 };
  }
}

export type ColumnBuilder = NumericColumnBuilder | CategoricalColumnBuilder;

export function columnBuilder(kind: ColumnKind): ColumnBuilder {
  return kind === 'numeric' ? new NumericColumnBuilder() : new CategoricalColumnBuilder();
}

/** Whether a non-missing cell lets its column stay numeric under inference. */
export function looksNumeric(value: unknown, fromText: boolean): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  return fromText && typeof value === 'string' && parseNumberText(value) !== undefined;
}

export function isMissingValue(value: unknown, fromText: boolean): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (typeof value === 'number') return Number.isNaN(value);
  return fromText && typeof value === 'string' && isMissingText(value);
}

/**
 * Request-log rows (JSON numbers, strings, booleans, null) as a table. Columns are the union of the
 * records' keys in order of first appearance; a record without a key has that cell missing. A column
 * is numeric when every non-missing cell is a number, unless `kinds` says otherwise.
 */
export function tableFromRecords(records: Array<Record<string, unknown>>, kinds?: ReadonlyMap<string, ColumnKind>): ColumnTable {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  const columns = names.map((name) => {
    const kind = kinds?.get(name) ?? inferKind(records.map((r) => r[name]), false);
    const builder = columnBuilder(kind);
    for (const record of records) builder.pushValue(record[name], false);
    return builder.finish(name);
  });
  return { rows: records.length, columns };
}

/** numeric when every non-missing cell is (or, from text, fully spells) a number; else categorical. */
export function inferKind(values: readonly unknown[], fromText: boolean): ColumnKind {
  for (const value of values) {
    if (!isMissingValue(value, fromText) && !looksNumeric(value, fromText)) return 'categorical';
  }
  return 'numeric';
}

/** The table's column by name, or undefined. */
export function columnNamed(table: ColumnTable, name: string): TableColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

/**
 * A column read as the kind a reference gave it: numbers become categories by their printed form;
 * text becomes numbers where it fully spells one and counts as a type mismatch where it does not.
 */
export function conformColumn(column: TableColumn, kind: ColumnKind): TableColumn {
  if (column.kind === kind) return column;
  const builder = columnBuilder(kind);
  const cells: ArrayLike<unknown> = column.kind === 'numeric' ? column.numbers! : column.strings!;
  for (let i = 0; i < cells.length; i++) builder.pushValue(cells[i], true);
  return builder.finish(column.name);
}
