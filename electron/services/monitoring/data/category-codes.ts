import type { TableColumn } from './column-table';

/**
 * A categorical column that arrived dictionary-encoded (as Parquet and Arrow store them, or a typed
 * table sent to the worker): `strings[i]` is `categories[codes[i]]`, null where the code is -1. A
 * check counts the codes instead of hashing a million strings. Pure: no Node imports.
 */
export interface CategoryCodes {
  codes: Int32Array;
  categories: readonly string[];
}

export type CodedColumn = TableColumn & { coded: CategoryCodes };

/** The column's codes when it carries them (and they still describe its strings), else null. */
export function categoryCodesOf(column: TableColumn): CategoryCodes | null {
  const coded = (column as Partial<CodedColumn>).coded;
  return coded && column.kind === 'categorical' && column.strings !== null && coded.codes.length === column.strings.length ? coded : null;
}

/**
 * value → count as counting the strings would give it, in the same order (first seen first): a
 * category listed twice in the dictionary is one key; categories with no rows are absent.
 */
export function countCodes(coded: CategoryCodes): { counts: Map<string, number>; n: number } {
  const perCode = new Float64Array(coded.categories.length);
  const order: number[] = [];
  const { codes } = coded;
  let n = 0;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code < 0) continue;
    if (perCode[code]!++ === 0) order.push(code);
    n++;
  }
  const counts = new Map<string, number>();
  for (const code of order) {
    const category = coded.categories[code]!;
    counts.set(category, (counts.get(category) ?? 0) + perCode[code]!);
  }
  return { counts, n };
}
