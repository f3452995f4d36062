import type { Database, Statement } from 'better-sqlite3';
import { StatementCache } from '../store/statement-cache';
import { type LifecycleStage, type RunStatus, PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { compileRunQuery } from './run-query';
import { registerParamNumber } from './param-number';
import type { FilterClause, OrderClause, SearchDialect } from './search-filter';

export interface RunRow {
  run_id: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
  deleted_time: number | null;
  artifact_uri: string;
  environment: string | null;
  last_update_time: number;
}

export interface NewRun {
  runId: string;
  experimentId: number;
  name: string;
  userId: string;
  status: RunStatus;
  startTime: number | null;
  artifactUri: string;
  environment: string | null;
  now: number;
}

export interface InputRow {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags: string;
}

type KeyValue = { key: string; value: string };

/** What runs/search asks for, parsed: the repository compiles it to SQL. */
export interface RunCriteria {
  experimentIds: readonly number[];
  lifecycle: LifecycleStage | 'all';
  clauses: readonly FilterClause[];
  order: readonly OrderClause[];
  /** 'orrery' (the runs table) sorts numeric params as numbers; MLflow sorts them as text. */
  dialect?: SearchDialect;
}

/** SQL for runs and what hangs off them: params, tags, dataset inputs. */
export class RunRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
    registerParamNumber(db);
  }

  private sql(text: string): Statement {
    return this.statements.get(text);
  }

  insert(run: NewRun): void {
    this.sql(
        `INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, artifact_uri, environment, last_update_time)
         VALUES (@runId, @experimentId, @name, @userId, @status, @startTime, @artifactUri, @environment, @now)`,
    )
      .run(run);
  }

  get(runId: string): RunRow | undefined {
    return this.sql('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
  }

  getMany(runIds: readonly string[]): RunRow[] {
    if (runIds.length === 0) return [];
    const rows = this.sql(`SELECT * FROM runs WHERE run_id IN (${runIds.map(() => '?').join(',')})`).all(...runIds) as RunRow[];
    const byId = new Map(rows.map((r) => [r.run_id, r]));
    return runIds.map((id) => byId.get(id)).filter((r): r is RunRow => r !== undefined);
  }

  /** A page of the runs matching the criteria, in order, and how many match in all. */
  search(criteria: RunCriteria, limit: number, offset: number): { rows: RunRow[]; total: number } {
    const compiled = compileRunQuery(criteria.experimentIds, criteria.lifecycle, criteria.clauses, criteria.order, criteria.dialect);
    // Not cached: each filter is its own text.
    const rows = this.db
      .prepare(`SELECT r.* FROM runs r ${compiled.joins} WHERE ${compiled.where} ORDER BY ${compiled.orderBy} LIMIT ? OFFSET ?`)
      .all(...compiled.joinParams, ...compiled.whereParams, limit, offset) as RunRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM runs r WHERE ${compiled.where}`).get(...compiled.whereParams) as { n: number }).n;
    return { rows, total };
  }

  update(runId: string, fields: { status?: RunStatus; startTime?: number; endTime?: number | null; name?: string }, now: number): void {
    this.sql(
        `UPDATE runs SET status = coalesce(@status, status), start_time = coalesce(@startTime, start_time), end_time = coalesce(@endTime, end_time),
           name = coalesce(@name, name), last_update_time = @now
         WHERE run_id = @runId`,
    )
      .run({ runId, status: fields.status ?? null, startTime: fields.startTime ?? null, endTime: fields.endTime ?? null, name: fields.name ?? null, now });
  }

  setLifecycle(runId: string, stage: LifecycleStage, now: number): void {
    this.sql('UPDATE runs SET lifecycle_stage = ?, deleted_time = ?, last_update_time = ? WHERE run_id = ?')
      .run(stage, stage === 'deleted' ? now : null, now, runId);
  }

  touch(runId: string, now: number): void {
    this.sql('UPDATE runs SET last_update_time = ? WHERE run_id = ?').run(now, runId);
  }

  param(runId: string, key: string): string | undefined {
    return (this.sql('SELECT value FROM run_params WHERE run_id = ? AND key = ?').get(runId, key) as { value: string } | undefined)?.value;
  }

  insertParam(runId: string, key: string, value: string): void {
    this.sql('INSERT OR IGNORE INTO run_params (run_id, key, value) VALUES (?, ?, ?)').run(runId, key, value);
  }

  setTag(runId: string, key: string, value: string): void {
    this.sql('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value').run(runId, key, value);
  }

  deleteTag(runId: string, key: string): number {
    return this.sql('DELETE FROM run_tags WHERE run_id = ? AND key = ?').run(runId, key).changes;
  }

  params(runIds: readonly string[]): Map<string, KeyValue[]> {
    return this.grouped('run_params', runIds);
  }

  tags(runIds: readonly string[]): Map<string, KeyValue[]> {
    return this.grouped('run_tags', runIds);
  }

  insertInput(runId: string, input: InputRow): void {
    this.sql(
        `INSERT INTO run_inputs (run_id, name, digest, source_type, source, schema, profile, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, name, digest) DO UPDATE SET source_type = excluded.source_type, source = excluded.source,
           schema = excluded.schema, profile = excluded.profile, tags = excluded.tags`,
    )
      .run(runId, input.name, input.digest, input.source_type, input.source, input.schema, input.profile, input.tags);
  }

  inputs(runId: string): InputRow[] {
    return this.sql('SELECT name, digest, source_type, source, schema, profile, tags FROM run_inputs WHERE run_id = ? ORDER BY name').all(runId) as InputRow[];
  }

  /** Remembers that a key is used in an experiment, for the column picker. */
  /** The run's parent (its `mlflow.parentRunId` tag), null for a top-level run. */
  parentRunId(runId: string): string | null {
    const row = this.sql('SELECT value FROM run_tags WHERE run_id = ? AND key = ?').get(runId, PARENT_RUN_TAG) as { value: string } | undefined;
    return row?.value ?? null;
  }

  noteKey(experimentId: number, kind: 'param' | 'metric' | 'tag', key: string): void {
    this.sql('INSERT OR IGNORE INTO experiment_keys (experiment_id, kind, key) VALUES (?, ?, ?)').run(experimentId, kind, key);
  }

  /** Every key of params, metrics and tags used in these experiments. */
  columnKeys(experimentIds: readonly number[]): { params: string[]; metrics: string[]; tags: string[] } {
    const rows = this.sql(
      `SELECT DISTINCT kind, key FROM experiment_keys WHERE experiment_id IN (${experimentIds.map(() => '?').join(',')}) ORDER BY key`,
    ).all(...experimentIds) as Array<{ kind: 'param' | 'metric' | 'tag'; key: string }>;
    const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.key);
    return { params: of('param'), metrics: of('metric'), tags: of('tag') };
  }

  private grouped(table: 'run_params' | 'run_tags', runIds: readonly string[]): Map<string, KeyValue[]> {
    const result = new Map<string, KeyValue[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return result;
    const rows = this.sql(`SELECT run_id, key, value FROM ${table} WHERE run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY run_id, key`)
      .all(...runIds) as Array<KeyValue & { run_id: string }>;
    for (const row of rows) result.get(row.run_id)?.push({ key: row.key, value: row.value });
    return result;
  }
}
