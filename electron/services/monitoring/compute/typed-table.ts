/**
 * A table as typed arrays, the form a caller holding its data in memory sends the monitoring worker:
 * numeric columns as Float64Arrays (NaN missing), categorical ones dictionary-encoded (Int32 codes
 * into a list of categories, -1 missing). Arrays move between threads without being copied value by
 * value, and a check counts categories by code. Pure: no Node imports.
 */
import { invalid } from '../../../../shared/errors';
import { CodedColumn } from '../data/category-codes';
import type { ColumnTable, TableColumn } from '../data/column-table';

export type TypedColumn =
  | { name: string; kind: 'numeric'; numbers: Float64Array }
  | { name: string; kind: 'categorical'; codes: Int32Array; categories: string[] };

export interface TypedTable {
  rows: number;
  columns: TypedColumn[];
}

/** The table as the checks read it; categorical columns keep their codes beside their strings. */
export function tableFromTyped(table: TypedTable): ColumnTable {
  if (!Number.isInteger(table.rows) || table.rows < 0) throw invalid(`table.rows: must be a whole number >= 0, got ${String(table.rows)}`);
  const seen = new Set<string>();
  const columns = table.columns.map((column, index): TableColumn => {
    const where = `table.columns[${index}] ('${column.name}')`;
    if (typeof column.name !== 'string' || column.name === '') throw invalid(`table.columns[${index}].name: must be a non-empty string`);
    if (seen.has(column.name)) throw invalid(`${where}: the name is used twice`);
    seen.add(column.name);
    if (column.kind === 'numeric') {
      if (!(column.numbers instanceof Float64Array)) throw invalid(`${where}.numbers: must be a Float64Array`);
      if (column.numbers.length !== table.rows) throw invalid(`${where}.numbers: has ${column.numbers.length} values for ${table.rows} rows`);
      return { name: column.name, kind: 'numeric', numbers: column.numbers, strings: null, typeMismatches: 0 };
    }
    if (column.kind !== 'categorical') throw invalid(`${where}.kind: must be 'numeric' or 'categorical', got '${String((column as { kind: unknown }).kind)}'`);
    const { codes, categories } = column;
    if (!(codes instanceof Int32Array)) throw invalid(`${where}.codes: must be an Int32Array`);
    if (codes.length !== table.rows) throw invalid(`${where}.codes: has ${codes.length} codes for ${table.rows} rows`);
    if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string')) throw invalid(`${where}.categories: must be a list of strings`);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code < -1 || code >= categories.length) throw invalid(`${where}.codes[${i}]: ${code} is not -1 (missing) or the index of one of its ${categories.length} categories`);
    }
    return new CodedColumn(column.name, { codes, categories });
  });
  return { rows: table.rows, columns };
}
