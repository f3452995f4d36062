import type { RunColumn, SortState } from './columns';

/** Keys MLflow's parser reads bare: letters, digits and underscores (its sqlparse identifier). */
const BARE_KEY = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** A key as MLflow's search syntax needs it: bare when it can be, else in backticks (a backtick doubled). */
export function quoteKey(key: string): string {
  if (BARE_KEY.test(key)) return key;
  return `\`${key.replaceAll('`', '``')}\``;
}

const ENTITY = { param: 'params', metric: 'metrics', tag: 'tags' } as const;

/** The MLflow identifier of a column ("metrics.acc", "attributes.start_time"); null where the server cannot sort. */
export function columnIdentifier(column: RunColumn): string | null {
  if (column.kind === 'attribute') {
    switch (column.key) {
      case 'status':
        return 'attributes.status';
      case 'name':
        return 'attributes.run_name';
      case 'start':
        return 'attributes.start_time';
      case 'duration':
        // MLflow has no duration attribute to sort on.
        return null;
    }
  }
  return `${ENTITY[column.kind]}.${quoteKey(column.key)}`;
}

export function isSortable(column: RunColumn): boolean {
  return columnIdentifier(column) !== null;
}

/** The queryRuns orderBy list for a sort; [] (the server's default, newest first) when none. */
export function buildOrderBy(sort: SortState | null): string[] {
  if (!sort) return [];
  const ident = columnIdentifier(sort.column);
  return ident ? [`${ident} ${sort.direction}`] : [];
}

/** Clicking a header: a new column sorts descending for numbers/dates and ascending for text; the same column flips. */
export function nextSort(current: SortState | null, column: RunColumn): SortState | null {
  if (!isSortable(column)) return current;
  if (current && current.column.kind === column.kind && current.column.key === column.key) {
    return { column, direction: current.direction === 'ASC' ? 'DESC' : 'ASC' };
  }
  const textual = column.kind === 'param' || column.kind === 'tag' || (column.kind === 'attribute' && (column.key === 'name' || column.key === 'status'));
  return { column, direction: textual ? 'ASC' : 'DESC' };
}

/** The filter that narrows the current filter to some runs (MLflow joins clauses with AND only). */
export function filterForRuns(filter: string, runIds: readonly string[]): string {
  const ids = `attributes.run_id IN (${runIds.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ')})`;
  return filter.trim() ? `${filter.trim()} and ${ids}` : ids;
}
