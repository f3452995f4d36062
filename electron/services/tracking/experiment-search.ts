import type { LifecycleStage } from '../../../shared/contract/tracking';
import { invalid } from '../../../shared/errors';
import { FILTER_LIMITS, parseExperimentFilter, type FilterClause } from './search-filter';

/** The experiment fields experiments/search may sort on. */
export const EXPERIMENT_ORDER_KEYS = ['name', 'experiment_id', 'creation_time', 'last_update_time'] as const;
export type ExperimentOrderKey = (typeof EXPERIMENT_ORDER_KEYS)[number];

export interface ExperimentOrder {
  key: ExperimentOrderKey;
  ascending: boolean;
}

/** What the experiment repository searches for: parsed, so no caller's text reaches SQL. */
export interface ExperimentCriteria {
  lifecycle: LifecycleStage | 'all';
  /** SQLite LIKE on the name (case-insensitive), the UI's quick search. */
  nameLike?: string | undefined;
  /** MLflow's filter on name, times and tags. */
  clauses: FilterClause[];
  /** Ahead of the fixed order: newest update first, then highest id. */
  order: ExperimentOrder[];
}

/** experiments/search order_by: `name`, `attributes.creation_time DESC`, … */
export function parseExperimentOrderBy(orderBy: readonly string[] | undefined): ExperimentOrder[] {
  if (!orderBy) return [];
  if (orderBy.length > FILTER_LIMITS.orderBy) throw invalid(`order_by has ${orderBy.length} fields; at most ${FILTER_LIMITS.orderBy}.`);
  return orderBy.map((term) => {
    const match = /^\s*(?:attributes?\.|attr\.)?`?(\w+)`?\s*(ASC|DESC)?\s*$/i.exec(term);
    const key = match?.[1]?.toLowerCase();
    if (!match || !isOrderKey(key)) throw invalid(`Invalid order_by clause '${term}'.`);
    return { key, ascending: (match[2] ?? 'ASC').toUpperCase() === 'ASC' };
  });
}

/** Parses an experiments/search request's filter and order_by into criteria. */
export function experimentCriteria(input: {
  lifecycle: LifecycleStage | 'all';
  nameLike?: string | undefined;
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
}): ExperimentCriteria {
  return { lifecycle: input.lifecycle, nameLike: input.nameLike, clauses: parseExperimentFilter(input.filter), order: parseExperimentOrderBy(input.orderBy) };
}

function isOrderKey(key: string | undefined): key is ExperimentOrderKey {
  return (EXPERIMENT_ORDER_KEYS as readonly string[]).includes(key ?? '');
}
