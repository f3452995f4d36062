import type { Database, Statement } from 'better-sqlite3';
import { StatementCache } from '../store/statement-cache';
import { type LifecycleStage, type RunStatus, PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { afterPredicate, orderByOf, type SortValue } from './run-keyset';
import type { RunCursor } from './run-page-token';
import { countQuery, searchPlan, type RunSearchCriteria } from './run-search-plan';
import { registerParamNumber } from './param-number';

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

/** How many search statement shapes stay compiled. */
const SEARCH_STATEMENTS = 64;

/**
 * What runs/search asks for, parsed: the repository compiles it to SQL. The dialect: 'orrery' (the
 * runs table) sorts numeric params as numbers; MLflow sorts them as text.
 */
export type RunCriteria = RunSearchCriteria;

/** A run found by search, with its place in the order. */
export interface SearchedRun {
  row: RunRow;
  segment: number;
  values: SortValue[];
}

/** SQL for runs and what hangs off them: params, tags, dataset inputs. */
export class RunRepository {
  private readonly statements: StatementCache;
  private readonly searchStatements = new Map<string, Statement>();

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

  /**
   * Up to `limit` runs matching the criteria, in order, starting after `after` (a previous page's
   * last row), each with where it sits in the order (for the next page's token).
   */
  search(criteria: RunCriteria, limit: number, after: RunCursor | null): SearchedRun[] {
    const segments = searchPlan(criteria);
    const found: SearchedRun[] = [];
    for (let segment = after?.segment ?? 0; segment < segments.length && found.length < limit; segment++) {
      const { from, fromParams, where, params, terms } = segments[segment]!;
      const conditions = [...where];
      const bound = [...fromParams, ...params];
      if (after && segment === after.segment) {
        const seek = afterPredicate(terms, after.values);
        conditions.push(seek.sql);
        bound.push(...seek.params);
      }
      const keys = terms.map((t, i) => `${t.expr} AS _k${i}`).join(', ');
      const rows = this.searchStatement(`SELECT r.*, ${keys} FROM ${from} WHERE ${conditions.join(' AND ')} ORDER BY ${orderByOf(terms)} LIMIT ?`)
        .all(...bound, limit - found.length) as Array<RunRow & Record<string, SortValue>>;
      for (const row of rows) {
        const values = terms.map((_, i) => row[`_k${i}`] ?? null);
        for (let i = 0; i < terms.length; i++) delete row[`_k${i}`];
        found.push({ row, segment, values });
      }
    }
    return found;
  }

  /** How many runs match the criteria. */
  count(criteria: RunCriteria): number {
    const { sql, params } = countQuery(criteria);
    return (this.searchStatement(sql).get(...params) as { n: number }).n;
  }

  /**
   * Search SQL compiled once per shape (values are bound, so a table paging or refreshing reuses
   * it); the most recent shapes only, since each filter written is a shape of its own.
   */
  private searchStatement(text: string): Statement {
    let statement = this.searchStatements.get(text);
    if (statement) this.searchStatements.delete(text);
    else statement = this.db.prepare(text);
    this.searchStatements.set(text, statement);
    if (this.searchStatements.size > SEARCH_STATEMENTS) this.searchStatements.delete(this.searchStatements.keys().next().value!);
    return statement;
  }

  /** Whether `cursor` can belong to a search with these criteria (its segment and number of sort values). */
  fitsPlan(criteria: RunCriteria, cursor: RunCursor): boolean {
    const segment = searchPlan(criteria)[cursor.segment];
    return segment !== undefined && segment.terms.length === cursor.values.length;
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

  /** Each run's inputs, in one query. */
  inputsMany(runIds: readonly string[]): Map<string, InputRow[]> {
    const result = new Map<string, InputRow[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return result;
    const rows = this.sql(
      'SELECT run_id, name, digest, source_type, source, schema, profile, tags FROM run_inputs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, name',
    ).all(JSON.stringify(runIds)) as Array<InputRow & { run_id: string }>;
    for (const { run_id: runId, ...input } of rows) result.get(runId)?.push(input);
    return result;
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
    // One bound JSON array, not a variable per run: a page may hold more runs than SQLite takes variables.
    // Rows as arrays: a page of runs/search reads thousands of them.
    const rows = this.sql(`SELECT run_id, key, value FROM ${table} WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key`)
      .raw(true)
      .all(JSON.stringify(runIds)) as Array<[string, string, string]>;
    for (const [runId, key, value] of rows) result.get(runId)?.push({ key, value });
    return result;
  }
}
