import type { LifecycleStage } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import { PARAM_NUMBER_SQL } from './param-number';
import type { FilterClause, OrderClause, SearchDialect } from './search-filter';

// The run repository's SQL for runs/search: a parsed filter and order_by compiled to SQL fragments
// with their bound values, never user text spliced in. Only the repositories use it.

/** A compiled runs query. */
export interface CompiledRunQuery {
  joins: string;
  joinParams: unknown[];
  where: string;
  whereParams: unknown[];
  orderBy: string;
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

const SUBJECT_TABLES = { param: 'run_params', tag: 'run_tags' } as const;

export function compileRunQuery(
  experimentIds: readonly number[],
  lifecycle: LifecycleStage | 'all',
  clauses: readonly FilterClause[],
  order: readonly OrderClause[],
  dialect: SearchDialect = 'mlflow',
): CompiledRunQuery {
  const where: string[] = [`r.experiment_id IN (${experimentIds.map(() => '?').join(',')})`];
  const whereParams: unknown[] = [...experimentIds];
  if (lifecycle !== 'all') {
    where.push('r.lifecycle_stage = ?');
    whereParams.push(lifecycle);
  }
  for (const clause of clauses) {
    const [sql, params] = compileClause(clause);
    where.push(sql);
    whereParams.push(...params);
  }

  const joins: string[] = [];
  const joinParams: unknown[] = [];
  const orderTerms: string[] = [];
  order.forEach((clause, i) => {
    const dir = clause.ascending ? 'ASC' : 'DESC';
    let expr: string;
    // Runs without the value sort last in either direction, as in MLflow.
    let rank: string;
    if (clause.entity === 'param' && dialect === 'orrery') {
      // The runs table's rule (MLflow sorts params as text): numbers by value, then the other
      // values as text, then runs without the param, in either direction.
      joins.push(`LEFT JOIN run_params o${i} ON o${i}.run_id = r.run_id AND o${i}.key = ?`);
      joinParams.push(clause.key);
      const number = `${PARAM_NUMBER_SQL}(o${i}.value)`;
      orderTerms.push(`(o${i}.value IS NULL)`, `(${number} IS NULL)`, `${number} ${dir}`, `(CASE WHEN ${number} IS NULL THEN o${i}.value END) ${dir}`);
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
    orderTerms.push(rank, `${expr} ${dir}`);
  });
  orderTerms.push('r.start_time DESC', 'r.run_id');
  return { joins: joins.join(' '), joinParams, where: where.join(' AND '), whereParams, orderBy: orderTerms.join(', ') };
}

function compileClause(clause: FilterClause): [string, unknown[]] {
  switch (clause.entity) {
    case 'metric': {
      const op = numericOperator(clause);
      return [`r.run_id IN (SELECT run_id FROM metric_series WHERE key = ? AND last_is_nan = 0 AND last_value ${op} ?)`, [clause.key, clause.value]];
    }
    case 'param':
    case 'tag': {
      const [test, params] = stringTest('value', clause);
      return [`r.run_id IN (SELECT run_id FROM ${SUBJECT_TABLES[clause.entity]} WHERE key = ? AND ${test})`, [clause.key, ...params]];
    }
    case 'attribute': {
      const column = attributeColumn(clause.key);
      if (clause.key === 'start_time' || clause.key === 'end_time') return [`${column} ${numericOperator(clause)} ?`, [clause.value]];
      return stringTest(column, clause);
    }
    case 'dataset': {
      const column = clause.key === 'context' ? 'json_extract(tags, \'$."mlflow.data.context"\')' : clause.key === 'digest' ? 'digest' : 'name';
      const [test, params] = stringTest(column, clause);
      return [`r.run_id IN (SELECT run_id FROM run_inputs WHERE ${test})`, params];
    }
  }
}

function numericOperator(clause: FilterClause): string {
  if (['=', '!=', '>', '>=', '<', '<='].includes(clause.comparator) && typeof clause.value === 'number') return clause.comparator;
  throw new OrreryError('INVALID_INPUT', `Invalid comparator '${clause.comparator}' for ${clause.entity} '${clause.key}'.`);
}

function stringTest(column: string, clause: FilterClause): [string, unknown[]] {
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
