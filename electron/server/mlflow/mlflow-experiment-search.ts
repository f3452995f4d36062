import type { LifecycleStage } from '../../../shared/contract/tracking';
import { decodePageToken, encodePageToken, likeToGlob } from '../../services/tracking/run-query';
import { FILTER_LIMITS, parseExperimentFilter } from '../../services/tracking/search-filter';
import type { TrackingService } from '../../services/tracking/tracking-service';
import { invalid } from '../../services/tracking/tracking-limits';
import { experimentJson } from './mlflow-json';
import type { MlflowParams } from './mlflow-params';

const COLUMNS: Record<string, string> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};

/** experiments/search: MLflow's filter on name, times and tags; order_by; paging. */
export function searchExperiments(tracking: TrackingService, p: MlflowParams, lifecycle: LifecycleStage | 'all'): Record<string, unknown> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (lifecycle !== 'all') {
    where.push('e.lifecycle_stage = ?');
    params.push(lifecycle);
  }
  for (const clause of parseExperimentFilter(p.optionalString('filter'))) {
    const value = clause.value;
    if (clause.entity === 'tag') {
      const [test, testParams] = stringTest('value', clause.comparator, value);
      where.push(`e.experiment_id IN (SELECT experiment_id FROM experiment_tags WHERE key = ? AND ${test})`);
      params.push(clause.key, ...testParams);
      continue;
    }
    const column = COLUMNS[clause.key];
    if (!column) throw invalid(`Invalid attribute key '${clause.key}' specified.`);
    const [test, testParams] = stringTest(column, clause.comparator, value);
    where.push(test);
    params.push(...testParams);
  }
  const orderBy = p.stringList('order_by');
  if (orderBy.length > FILTER_LIMITS.orderBy) throw invalid(`order_by has ${orderBy.length} fields; at most ${FILTER_LIMITS.orderBy}.`);
  const order = orderBy.map((term) => {
    const match = /^\s*(?:attributes?\.|attr\.)?`?(\w+)`?\s*(ASC|DESC)?\s*$/i.exec(term);
    const column = match?.[1] ? COLUMNS[match[1].toLowerCase()] : undefined;
    if (!match || !column) throw invalid(`Invalid order_by clause '${term}'.`);
    return `${column} ${(match[2] ?? 'ASC').toUpperCase()}`;
  });
  order.push('e.last_update_time DESC', 'e.experiment_id DESC');
  const limit = p.optionalInt('max_results', { min: 1, max: 50_000 }) ?? 1000;
  const offset = decodePageToken(p.optionalString('page_token'));
  const rows = tracking.searchExperimentRows(where.length ? where.join(' AND ') : '1 = 1', params, order.join(', '), limit + 1, offset);
  const body: Record<string, unknown> = {};
  if (rows.length > 0) body.experiments = rows.slice(0, limit).map(experimentJson);
  if (rows.length > limit) body.next_page_token = encodePageToken(offset + limit);
  return body;
}

function stringTest(column: string, comparator: string, value: unknown): [string, unknown[]] {
  if (comparator === 'LIKE') return [`${column} GLOB ?`, [likeToGlob(String(value))]];
  // Both sides through SQLite's lower() (ASCII only, as MLflow on SQLite), so 'É%' finds 'Étude'.
  if (comparator === 'ILIKE') return [`lower(${column}) GLOB lower(?)`, [likeToGlob(String(value))]];
  if (['=', '!=', '<', '<=', '>', '>='].includes(comparator)) return [`${column} ${comparator} ?`, [value]];
  throw invalid(`Invalid comparator '${comparator}' for experiment search.`);
}
