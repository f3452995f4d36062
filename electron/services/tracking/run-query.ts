import type { LifecycleStage } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import { PARAM_NUMBER_SQL } from './param-number';
import type { FilterClause, OrderClause, SearchDialect } from './search-filter';
import { orderByOf, type SortTerm } from './run-keyset';

// The run repository's SQL for runs/search: a parsed filter and order_by compiled to SQL fragments
// with their bound values, never user text spliced in. Only the repositories use it.

/** A compiled runs query: the general form, which reads every matching run and sorts them. */
export interface CompiledRunQuery {
  joins: string;
  joinParams: unknown[];
  where: string;
  whereParams: unknown[];
  orderBy: string;
  /** The ORDER BY terms one by one, ending with the tie-breakers (start_time DESC, run_id). */
  terms: SortTerm[];
}

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'r.run_id',
  run_name: 'r.name',
  status: 'r.status',
  user_id: 'r.user_id',
  artifact_uri: 'r.artifact_uri',
  lifecycle_stage: 'r.lifecycle_stage',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
};

export const SUBJECT_TABLES = { param: 'run_params', tag: 'run_tags' } as const;

/** Ties in any order: newest first, then run id, so every order is total (keyset paging needs it). */
export const TIE_BREAK: readonly SortTerm[] = [
  { expr: 'r.start_time', desc: true, notNull: false },
  { expr: 'r.run_id', desc: false, notNull: true },
];

/** The experiments, lifecycle and filter clauses as WHERE conditions on `runs r`. */
export function compileRunFilter(
  experimentIds: readonly number[],
  lifecycle: LifecycleStage | 'all',
  clauses: readonly FilterClause[],
): { where: string[]; params: unknown[] } {
  const where: string[] = [`r.experiment_id IN (${experimentIds.map(() => '?').join(',')})`];
  const params: unknown[] = [...experimentIds];
  if (lifecycle !== 'all') {
    where.push('r.lifecycle_stage = ?');
    params.push(lifecycle);
  }
  for (const clause of clauses) {
    const [sql, clauseParams] = compileClause(clause);
    where.push(sql);
    params.push(...clauseParams);
  }
  return { where, params };
}

export function compileRunQuery(
  experimentIds: readonly number[],
  lifecycle: LifecycleStage | 'all',
  clauses: readonly FilterClause[],
  order: readonly OrderClause[],
  dialect: SearchDialect = 'mlflow',
): CompiledRunQuery {
  const filter = compileRunFilter(experimentIds, lifecycle, clauses);
  const joins: string[] = [];
  const joinParams: unknown[] = [];
  const terms: SortTerm[] = [];
  const term = (expr: string, desc: boolean, notNull = false) => terms.push({ expr, desc, notNull });
  order.forEach((clause, i) => {
    const desc = !clause.ascending;
    let expr: string;
    // Runs without the value sort last in either direction, as in MLflow.
    let rank: string;
    if (clause.entity === 'param' && dialect === 'orrery') {
      // The runs table's rule (MLflow sorts params as text): numbers by value, then the other
      // values as text, then runs without the param, in either direction.
      joins.push(`LEFT JOIN run_params o${i} ON o${i}.run_id = r.run_id AND o${i}.key = ?`);
      joinParams.push(clause.key);
      const number = `${PARAM_NUMBER_SQL}(o${i}.value)`;
      term(`(o${i}.value IS NULL)`, false, true);
      term(`(${number} IS NULL)`, false, true);
      term(number, desc);
      term(`(CASE WHEN ${number} IS NULL THEN o${i}.value END)`, desc);
      return;
    }
    if (clause.entity === 'metric') {
      joins.push(`LEFT JOIN metric_series o${i} ON o${i}.run_id = r.run_id AND o${i}.key = ?`);
      joinParams.push(clause.key);
      expr = `o${i}.last_value`;
      // A NaN is stored as 0 beside a flag; MLflow sorts NaN after every number, before missing.
      rank = `(CASE WHEN ${expr} IS NULL THEN 2 WHEN o${i}.last_is_nan THEN 1 ELSE 0 END)`;
    } else if (clause.entity === 'param' || clause.entity === 'tag') {
      joins.push(`LEFT JOIN ${SUBJECT_TABLES[clause.entity]} o${i} ON o${i}.run_id = r.run_id AND o${i}.key = ?`);
      joinParams.push(clause.key);
      expr = `o${i}.value`;
      rank = `(${expr} IS NULL)`;
    } else {
      expr = attributeColumn(clause.key);
      rank = `(${expr} IS NULL)`;
    }
    term(rank, false, true);
    term(expr, desc);
  });
  terms.push(...TIE_BREAK);
  return { joins: joins.join(' '), joinParams, where: filter.where.join(' AND '), whereParams: filter.params, orderBy: orderByOf(terms), terms };
}

/** One filter clause as a condition on `runs r`: subject tables are probed per run (EXISTS). */
export function compileClause(clause: FilterClause): [string, unknown[]] {
  switch (clause.entity) {
    case 'metric': {
      const op = numericOperator(clause);
      // The unary + keeps SQLite probing by (run_id, key): left to itself it walks the metric's whole
      // (key, last_is_nan, last_value) index range once per run.
      return [`EXISTS (SELECT 1 FROM metric_series f WHERE f.run_id = r.run_id AND f.key = ? AND +f.last_is_nan = 0 AND +f.last_value ${op} ?)`, [clause.key, clause.value]];
    }
    case 'param':
    case 'tag': {
      const [test, params] = stringTest('f.value', clause);
      return [`EXISTS (SELECT 1 FROM ${SUBJECT_TABLES[clause.entity]} f WHERE f.run_id = r.run_id AND f.key = ? AND ${test})`, [clause.key, ...params]];
    }
    case 'attribute': {
      const column = attributeColumn(clause.key);
      if (clause.key === 'start_time' || clause.key === 'end_time') return [`${column} ${numericOperator(clause)} ?`, [clause.value]];
      return stringTest(column, clause);
    }
    case 'dataset': {
      const column = clause.key === 'context' ? 'json_extract(f.tags, \'$."mlflow.data.context"\')' : clause.key === 'digest' ? 'f.digest' : 'f.name';
      const [test, params] = stringTest(column, clause);
      return [`EXISTS (SELECT 1 FROM run_inputs f WHERE f.run_id = r.run_id AND ${test})`, params];
    }
  }
}

/** The comparator of a numeric clause, checked: it is written into the SQL. */
export function numericOperator(clause: FilterClause): string {
  if (['=', '!=', '>', '>=', '<', '<='].includes(clause.comparator) && typeof clause.value === 'number') return clause.comparator;
  throw new OrreryError('INVALID_INPUT', `Invalid comparator '${clause.comparator}' for ${clause.entity} '${clause.key}'.`);
}

/** A string comparison on `column`, its values bound. */
export function stringTest(column: string, clause: FilterClause): [string, unknown[]] {
  const { comparator, value } = clause;
  if (comparator === 'IN' || comparator === 'NOT IN') {
    const list = Array.isArray(value) ? value : [String(value)];
    return [`${column} ${comparator} (${list.map(() => '?').join(',')})`, list];
  }
  if (comparator === 'LIKE') return [`${column} GLOB ?`, [likeToGlob(String(value))]];
  // Both sides through SQLite's lower() (ASCII only, as MLflow on SQLite): JS's toLowerCase() on
  // the pattern alone made 'É' ILIKE 'É' false.
  if (comparator === 'ILIKE') return [`lower(${column}) GLOB lower(?)`, [likeToGlob(String(value))]];
  if (comparator === '=' || comparator === '!=') return [`${column} ${comparator} ?`, [value]];
  throw new OrreryError('INVALID_INPUT', `Invalid comparator '${comparator}' for ${clause.entity} '${clause.key}'.`);
}

/** MLflow's LIKE is case-sensitive; SQLite's is not, so it becomes a GLOB with its own escaping. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const ch of pattern) {
    if (ch === '%') glob += '*';
    else if (ch === '_') glob += '?';
    // A lone ']' is literal in GLOB already, so it needs no class.
    else if (ch === '*' || ch === '?' || ch === '[') glob += `[${ch}]`;
    else glob += ch;
  }
  return glob;
}

function attributeColumn(key: string): string {
  const column = ATTRIBUTE_COLUMNS[key];
  if (!column) throw new OrreryError('INVALID_INPUT', `Invalid attribute key '${key}' specified.`);
  return column;
}
