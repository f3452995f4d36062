// Keyset paging for runs/search: a page starts strictly after the previous page's last row, found
// by comparing the sort terms with that row's values, so a deep page costs what the first does.

/** One ORDER BY term: a parameter-free SQL expression and its direction. */
export interface SortTerm {
  expr: string;
  desc: boolean;
  /** The expression is never NULL in this query, so the comparison can use an index range. */
  notNull: boolean;
}

export type SortValue = number | string | null;

/** The ORDER BY list for these terms. */
export function orderByOf(terms: readonly SortTerm[]): string {
  return terms.map((t) => `${t.expr} ${t.desc ? 'DESC' : 'ASC'}`).join(', ');
}

/**
 * SQL true for rows strictly after `values` in the order of `terms` (SQLite's: NULL sorts first
 * ascending, last descending). The last term must be unique (the run id) for this to be a strict
 * total order. A leading never-NULL term is written as a range (`e <= ? AND (e < ? OR …)`), which
 * SQLite turns into an index seek.
 */
export function afterPredicate(terms: readonly SortTerm[], values: readonly SortValue[]): { sql: string; params: SortValue[] } {
  const params: SortValue[] = [];
  const build = (i: number): string => {
    if (i >= terms.length) return '0';
    const { expr, desc, notNull } = terms[i]!;
    const value = values[i] ?? null;
    const rest = () => build(i + 1);
    if (value === null) {
      // NULL is the smallest: ascending, every non-NULL follows; descending, nothing but NULLs.
      if (desc) return `(${expr} IS NULL AND ${rest()})`;
      return `(${expr} IS NOT NULL OR (${expr} IS NULL AND ${rest()}))`;
    }
    const strict = desc ? '<' : '>';
    if (notNull) {
      params.push(value, value);
      return `(${expr} ${strict}= ? AND (${expr} ${strict} ? OR ${rest()}))`;
    }
    // Descending, the NULLs come after every value.
    const beyond = desc ? `${expr} < ? OR ${expr} IS NULL` : `${expr} > ?`;
    params.push(value, value);
    return `(${beyond} OR (${expr} = ? AND ${rest()}))`;
  };
  const sql = build(0);
  return { sql, params };
}
