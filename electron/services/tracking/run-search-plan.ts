import type { LifecycleStage } from '../../../shared/contract/tracking';
import type { SortTerm } from './run-keyset';
import { compileRunFilter, compileRunQuery, numericOperator, stringTest, SUBJECT_TABLES, TIE_BREAK } from './run-query';
import type { FilterClause, OrderClause, SearchDialect } from './search-filter';

/**
 * How runs/search reads a page: one or more segments, read in turn, each a query whose rows come
 * out in the sort order. For the common orders (default, start_time, one metric, one param or tag)
 * the first segment walks an index in that order and stops after the page; the runs that sort
 * after every value (NaN, then no value at all) are later segments, read only when the page is not
 * yet full. Any other order is one general segment that reads and sorts every matching run.
 */
export interface SearchSegment {
  /** FROM clause; `runs r` is always in it. */
  from: string;
  fromParams: unknown[];
  where: string[];
  params: unknown[];
  /** The whole order, ending with the run id (unique). */
  terms: SortTerm[];
}

export interface RunSearchCriteria {
  experimentIds: readonly number[];
  lifecycle: LifecycleStage | 'all';
  clauses: readonly FilterClause[];
  order: readonly OrderClause[];
  dialect?: SearchDialect | undefined;
}

const RUN_ID: SortTerm = TIE_BREAK[1]!;
/** Ordered by a subject table driven first: CROSS JOIN keeps SQLite from reordering the loops. */
const driven = (table: string) => `${table} s CROSS JOIN runs r`;
const RANGE_COMPARATORS = new Set(['=', '>', '>=', '<', '<=']);

export function searchPlan(criteria: RunSearchCriteria): SearchSegment[] {
  const { experimentIds, lifecycle, clauses, order } = criteria;
  const dialect = criteria.dialect ?? 'mlflow';
  const base = () => compileRunFilter(experimentIds, lifecycle, clauses);
  const [first, ...more] = order;
  if (!first) return startTimePlan(base(), true);
  if (more.length > 0) return [generalSegment(criteria, dialect)];
  if (first.entity === 'attribute' && first.key === 'start_time') return startTimePlan(base(), !first.ascending);
  if (first.entity === 'metric') return metricPlan(criteria, first);
  if (first.entity === 'tag' || (first.entity === 'param' && dialect === 'mlflow')) return subjectPlan(base(), SUBJECT_TABLES[first.entity], first);
  return [generalSegment(criteria, dialect)];
}

/** A short text naming the order a page token belongs to. */
export function orderSignature(criteria: RunSearchCriteria): string {
  const order = criteria.order.map((o) => `${o.entity[0]}${o.ascending ? '+' : '-'}${o.key}`).join('|');
  return `${criteria.dialect === 'orrery' ? 'o' : 'm'}:${order}`;
}

type Filter = { where: string[]; params: unknown[] };

function withBase(base: Filter, segment: Omit<SearchSegment, 'where' | 'params'> & { where: string[]; params: unknown[] }): SearchSegment {
  return { ...segment, where: [...segment.where, ...base.where], params: [...segment.params, ...base.params] };
}

/** By start time (the default is newest first), through runs_by_experiment_start; runs without one last. */
function startTimePlan(base: Filter, desc: boolean): SearchSegment[] {
  return [
    withBase(base, { from: 'runs r', fromParams: [], where: ['r.start_time IS NOT NULL'], params: [], terms: [{ expr: 'r.start_time', desc, notNull: true }, RUN_ID] }),
    withBase(base, { from: 'runs r', fromParams: [], where: ['r.start_time IS NULL'], params: [], terms: [RUN_ID] }),
  ];
}

/**
 * By one metric's latest value, walking metric_series_by_key_value: numbers in order, then NaN,
 * then runs without the metric. A filter on the same metric becomes the walk's range (and leaves
 * no NaN or missing runs to add).
 */
function metricPlan(criteria: RunSearchCriteria, order: OrderClause): SearchSegment[] {
  const same = (c: FilterClause) => c.entity === 'metric' && c.key === order.key && RANGE_COMPARATORS.has(c.comparator);
  const ranges = criteria.clauses.filter(same);
  const base = compileRunFilter(criteria.experimentIds, criteria.lifecycle, criteria.clauses.filter((c) => !same(c)));
  const from = driven('metric_series');
  const join = ['r.run_id = s.run_id', 's.key = ?'];
  const numbers = withBase(base, {
    from,
    fromParams: [],
    where: [...join, 's.last_is_nan = 0', 's.last_value IS NOT NULL', ...ranges.map((c) => `s.last_value ${numericOperator(c)} ?`)],
    params: [order.key, ...ranges.map((c) => c.value)],
    terms: [{ expr: 's.last_value', desc: !order.ascending, notNull: true }, ...TIE_BREAK],
  });
  if (ranges.length > 0) return [numbers];
  return [
    numbers,
    withBase(base, { from, fromParams: [], where: [...join, 's.last_is_nan = 1', 's.last_value IS NOT NULL'], params: [order.key], terms: [...TIE_BREAK] }),
    withBase(base, {
      from: 'runs r',
      fromParams: [],
      where: ['NOT EXISTS (SELECT 1 FROM metric_series m WHERE m.run_id = r.run_id AND m.key = ? AND +m.last_value IS NOT NULL)'],
      params: [order.key],
      terms: [...TIE_BREAK],
    }),
  ];
}

/** By one param (as text, MLflow's rule) or tag, walking its (key, value) index; runs without it last. */
function subjectPlan(base: Filter, table: string, order: OrderClause): SearchSegment[] {
  return [
    withBase(base, {
      from: driven(table),
      fromParams: [],
      where: ['r.run_id = s.run_id', 's.key = ?'],
      params: [order.key],
      terms: [{ expr: 's.value', desc: !order.ascending, notNull: true }, ...TIE_BREAK],
    }),
    withBase(base, {
      from: 'runs r',
      fromParams: [],
      where: [`NOT EXISTS (SELECT 1 FROM ${table} m WHERE m.run_id = r.run_id AND m.key = ?)`],
      params: [order.key],
      terms: [...TIE_BREAK],
    }),
  ];
}

function generalSegment(criteria: RunSearchCriteria, dialect: SearchDialect): SearchSegment {
  const q = compileRunQuery(criteria.experimentIds, criteria.lifecycle, criteria.clauses, criteria.order, dialect);
  return { from: `runs r ${q.joins}`, fromParams: q.joinParams, where: [q.where], params: q.whereParams, terms: q.terms };
}

/**
 * The count of matching runs, driven by the clause most likely to be selective: an equality on a
 * param or tag, then a metric range (both through their (key, value) indexes); otherwise every
 * run of the experiments, each checked.
 */
export function countQuery(criteria: RunSearchCriteria): { sql: string; params: unknown[] } {
  const { clauses } = criteria;
  const pick =
    clauses.find((c) => (c.entity === 'param' || c.entity === 'tag') && (c.comparator === '=' || c.comparator === 'IN')) ??
    clauses.find((c) => c.entity === 'metric' && c.comparator === '=') ??
    clauses.find((c) => c.entity === 'metric' && RANGE_COMPARATORS.has(c.comparator));
  if (!pick) {
    const base = compileRunFilter(criteria.experimentIds, criteria.lifecycle, clauses);
    return { sql: `SELECT count(*) AS n FROM runs r WHERE ${base.where.join(' AND ')}`, params: base.params };
  }
  const base = compileRunFilter(criteria.experimentIds, criteria.lifecycle, clauses.filter((c) => c !== pick));
  let drive: string;
  let driveParams: unknown[];
  if (pick.entity === 'metric') {
    drive = `SELECT count(*) AS n FROM ${driven('metric_series')} WHERE r.run_id = s.run_id AND s.key = ? AND s.last_is_nan = 0 AND s.last_value ${numericOperator(pick)} ?`;
    driveParams = [pick.key, pick.value];
  } else {
    // The clause's own test, on the driving row: a seek in the (key, value) index.
    const [test, params] = stringTest('s.value', pick);
    drive = `SELECT count(*) AS n FROM ${driven(SUBJECT_TABLES[pick.entity as 'param' | 'tag'])} WHERE r.run_id = s.run_id AND s.key = ? AND ${test}`;
    driveParams = [pick.key, ...params];
  }
  return { sql: `${drive} AND ${base.where.join(' AND ')}`, params: [...driveParams, ...base.params] };
}
