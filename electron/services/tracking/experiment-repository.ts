import type { Database, Statement } from 'better-sqlite3';
import { invalid } from '../../../shared/errors';
import type { LifecycleStage } from '../../../shared/contract/tracking';
import { StatementCache } from '../store/statement-cache';
import { LAST_ACTIVITY } from '../store/migrations/010-search-order-indexes';
import type { ExperimentCriteria, ExperimentOrderKey } from './experiment-search';
import { likeToGlob } from './run-query';
import type { FilterClause } from './search-filter';

export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentStats {
  run_count: number;
  last_activity: number | null;
}

const COLUMNS: Record<ExperimentOrderKey, string> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};

/** SQL for experiments and their tags. */
export class ExperimentRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  private sql(text: string): Statement {
    return this.statements.get(text);
  }

  insert(name: string, now: number): number {
    const id = Number(
      this.sql("INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES (?, '', ?, ?)")
        .run(name, now, now).lastInsertRowid,
    );
    this.sql('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(`mlflow-artifacts:/${id}`, id);
    return id;
  }

  get(id: number): ExperimentRow | undefined {
    return this.sql('SELECT * FROM experiments WHERE experiment_id = ?').get(id) as ExperimentRow | undefined;
  }

  getByName(name: string): ExperimentRow | undefined {
    return this.sql('SELECT * FROM experiments WHERE name = ?').get(name) as ExperimentRow | undefined;
  }

  /** Rows matching the criteria, ordered and paged. */
  search(criteria: ExperimentCriteria, limit: number, offset: number): ExperimentRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (criteria.lifecycle !== 'all') {
      where.push('e.lifecycle_stage = ?');
      params.push(criteria.lifecycle);
    }
    if (criteria.nameLike) {
      where.push('e.name LIKE ?');
      params.push(criteria.nameLike);
    }
    for (const clause of criteria.clauses) {
      const [test, testParams] = clauseSql(clause);
      where.push(test);
      params.push(...testParams);
    }
    const order = criteria.order.map((o) => `${COLUMNS[o.key]} ${o.ascending ? 'ASC' : 'DESC'}`);
    order.push('e.last_update_time DESC', 'e.experiment_id DESC');
    // Not cached: each filter is its own text, and a search is rare next to the writes.
    return this.db
      .prepare(`SELECT * FROM experiments e WHERE ${where.length ? where.join(' AND ') : '1 = 1'} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as ExperimentRow[];
  }

  rename(id: number, name: string, now: number): void {
    this.sql('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(name, now, id);
  }

  setLifecycle(id: number, stage: LifecycleStage, now: number): void {
    this.sql('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?').run(stage, now, id);
  }

  setTag(id: number, key: string, value: string): void {
    this.sql('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value')
      .run(id, key, value);
  }

  tags(id: number): Record<string, string> {
    const rows = this.sql('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key').all(id) as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  stats(id: number): ExperimentStats {
    // Two statements: alone, the max is one index seek (runs_activity) and the count an index-only
    // scan; together SQLite reads every entry for both.
    const scope = "FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active'";
    const count = this.sql(`SELECT count(*) ${scope}`).pluck().get(id) as number;
    const lastActivity = this.sql(`SELECT max(${LAST_ACTIVITY}) ${scope}`).pluck().get(id) as number | null;
    return { run_count: count, last_activity: lastActivity };
  }
}

/** One filter clause: a test on a column, or on a tag through a subquery; values always bound. */
function clauseSql(clause: FilterClause): [string, unknown[]] {
  if (clause.entity === 'tag') {
    const [test, params] = stringTest('value', clause.comparator, clause.value);
    return [`e.experiment_id IN (SELECT experiment_id FROM experiment_tags WHERE key = ? AND ${test})`, [clause.key, ...params]];
  }
  const column = Object.hasOwn(COLUMNS, clause.key) ? COLUMNS[clause.key as ExperimentOrderKey] : undefined;
  if (!column) throw invalid(`Invalid attribute key '${clause.key}' specified.`);
  return stringTest(column, clause.comparator, clause.value);
}

function stringTest(column: string, comparator: string, value: unknown): [string, unknown[]] {
  if (comparator === 'LIKE') return [`${column} GLOB ?`, [likeToGlob(String(value))]];
  // Both sides through SQLite's lower() (ASCII only, as MLflow on SQLite), so 'É%' finds 'Étude'.
  if (comparator === 'ILIKE') return [`lower(${column}) GLOB lower(?)`, [likeToGlob(String(value))]];
  if (['=', '!=', '<', '<=', '>', '>='].includes(comparator)) return [`${column} ${comparator} ?`, [value]];
  throw invalid(`Invalid comparator '${comparator}' for experiment search.`);
}
