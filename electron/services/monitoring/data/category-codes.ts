import type { TableColumn } from './column-table';

/**
 * A categorical column that arrived dictionary-encoded (as Parquet and Arrow store them, or a typed
 * table sent to the worker): row i is `categories[codes[i]]`, missing where the code is -1. A check
 * counts the codes instead of hashing a million strings. Pure: no Node imports.
 */
export interface CategoryCodes {
  codes: Int32Array;
  categories: readonly string[];
}

/**
 * A TableColumn over codes. Its `strings` are spelled out only when something reads them (about
 * 45 ms a million rows that a check by codes never needs). A copy of it (spread, structured clone)
 * reads them, and is a plain column again: only this class is taken at its codes' word.
 */
export class CodedColumn implements TableColumn {
  readonly kind = 'categorical' as const;
  readonly numbers = null;
  readonly typeMismatches = 0;
  declare readonly strings: (string | null)[];

  constructor(
    readonly name: string,
    readonly coded: CategoryCodes,
  ) {
    let strings: (string | null)[] | null = null;
    Object.defineProperty(this, 'strings', { enumerable: true, get: () => (strings ??= decodeStrings(coded)) });
  }
}

function decodeStrings({ codes, categories }: CategoryCodes): (string | null)[] {
  const strings = new Array<string | null>(codes.length);
  for (let i = 0; i < codes.length; i++) strings[i] = codes[i]! < 0 ? null : categories[codes[i]!]!;
  return strings;
}

/** The column's codes when it is a CodedColumn, else null. */
export function categoryCodesOf(column: TableColumn): CategoryCodes | null {
  return column instanceof CodedColumn ? column.coded : null;
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
