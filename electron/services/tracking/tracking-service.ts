import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type {
  Experiment,
  LatestMetric,
  LifecycleStage,
  MetricSeries,
  ParamComparison,
  Run,
  RunDetail,
  RunStatus,
  RunsPage,
  RunColumns,
} from '../../../shared/contract/tracking';
import { runStatuses } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import { CommitGroup, type GroupedWrite } from '../store/commit-group';
import { ExperimentRepository, type ExperimentRow } from './experiment-repository';
import { MetricStore, type MetricPoint, type StoredPoint } from './metric-store';
import { compileRunQuery, decodePageToken, encodePageToken } from './run-query';
import { RUN_NAME_TAG, toDatasetInput, toRun, toRunDetail } from './run-mapper';
import { RunRepository, type InputRow, type RunRow } from './run-repository';
import { parseOrderBy, parseSearchFilter } from './search-filter';
import { invalid, limits, quote, shortText, validateKey, validateSafeInteger, validateStringValue } from './tracking-limits';

export interface TrackingServiceDeps {
  db: Database;
  bus: EventBus;
  now?: () => number;
  /** Hardware facts recorded with each new run. */
  environment?: () => Record<string, unknown> | null;
}

export interface LogBatch {
  metrics: MetricPoint[];
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
}

export interface NewRunInput {
  experimentId: string;
  name?: string | undefined;
  startTime?: number | undefined;
  userId?: string | undefined;
  tags: Array<{ key: string; value: string }>;
}

export interface DatasetInputIn {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags: Array<{ key: string; value: string }>;
}

export interface SearchRunsInput {
  experimentIds: string[];
  filter?: string | undefined;
  orderBy?: string[] | undefined;
  lifecycle: LifecycleStage | 'all';
  maxResults: number;
  pageToken?: string | null | undefined;
  columns?: RunColumns | undefined;
}

/** MLflow's batch limits and its wording when one is exceeded. */
export function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const over = (count: number, max: number, what: string) => {
    if (count > max) {
      throw invalid(
        `A batch logging request can contain at most ${max} ${what}. Got ${count} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  over(metrics, limits.batchMetrics, 'metrics');
  over(params, limits.batchParams, 'params');
  over(tags, limits.batchTags, 'tags');
  const total = metrics + params + tags;
  if (total > limits.batchItems) {
    throw invalid(
      `A batch logging request can contain at most ${limits.batchItems} total metrics, params, and tags. Got ${total} items. Please split up the items across multiple requests and try again.`,
    );
  }
}

const MAX_SEARCH_EXPERIMENTS = 1000;

const ADJECTIVES = ['brave', 'calm', 'bright', 'swift', 'quiet', 'bold', 'keen', 'merry', 'lucid', 'nimble'];
const NOUNS = ['comet', 'nebula', 'quasar', 'pulsar', 'meteor', 'aurora', 'nova', 'orbit', 'zenith', 'eclipse'];

/** Experiments, runs, params, tags, inputs and metrics: every rule of MLflow's tracking store. */
export class TrackingService {
  readonly db: Database;
  private readonly experiments: ExperimentRepository;
  private readonly runs: RunRepository;
  readonly metrics: MetricStore;
  private readonly bus: EventBus;
  private readonly now: () => number;
  private readonly environment: () => Record<string, unknown> | null;
  private readonly commits: CommitGroup;

  constructor(deps: TrackingServiceDeps) {
    this.db = deps.db;
    this.experiments = new ExperimentRepository(deps.db);
    this.runs = new RunRepository(deps.db);
    this.metrics = new MetricStore(deps.db);
    this.bus = deps.bus;
    this.now = deps.now ?? Date.now;
    this.environment = deps.environment ?? (() => null);
    this.commits = new CommitGroup(deps.db, this.metrics);
  }

  // ---- experiments ----

  createExperiment(name: unknown, tags: Array<{ key: string; value: string }> = []): string {
    const text = validateStringValue(name, 'name', limits.experimentNameLength).trim();
    if (text === '') throw invalid("Missing value for required parameter 'name'. See the API docs for more information about request parameters.");
    for (const tag of tags) this.checkTag(tag, limits.experimentTagValueLength);
    return this.db.transaction(() => {
      if (this.experiments.getByName(text)) throw new OrreryError('ALREADY_EXISTS', `Experiment(name=${text}) already exists.`);
      const id = this.experiments.insert(text, this.now());
      for (const tag of tags) this.experiments.setTag(id, tag.key, tag.value);
      return String(id);
    })();
  }

  getExperiment(experimentId: unknown): Experiment {
    return this.toExperiment(this.experimentRow(experimentId));
  }

  getExperimentByName(name: unknown): Experiment {
    const text = validateStringValue(name, 'experiment_name', limits.experimentNameLength);
    const row = this.experiments.getByName(text);
    if (!row) throw new OrreryError('NOT_FOUND', `Could not find experiment with name '${text}'`);
    return this.toExperiment(row);
  }

  searchExperiments(input: { lifecycle: LifecycleStage | 'all'; nameLike?: string | undefined; maxResults?: number; pageToken?: string | null }): {
    experiments: Experiment[];
    nextPageToken: string | null;
  } {
    const where: string[] = ['1 = 1'];
    const params: unknown[] = [];
    if (input.lifecycle !== 'all') {
      where.push('e.lifecycle_stage = ?');
      params.push(input.lifecycle);
    }
    if (input.nameLike) {
      where.push('e.name LIKE ?');
      params.push(input.nameLike);
    }
    const limit = input.maxResults ?? 1000;
    const offset = decodePageToken(input.pageToken);
    const rows = this.experiments.search(where.join(' AND '), params, 'e.last_update_time DESC, e.experiment_id DESC', limit + 1, offset);
    return {
      experiments: rows.slice(0, limit).map((row) => this.toExperiment(row)),
      nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : null,
    };
  }

  /** For experiments/search with a compiled WHERE (the REST layer compiles MLflow's filter). */
  searchExperimentRows(where: string, params: unknown[], orderBy: string, limit: number, offset: number): Experiment[] {
    return this.experiments.search(where, params, orderBy, limit, offset).map((row) => this.toExperiment(row));
  }

  renameExperiment(experimentId: unknown, name: unknown): Experiment {
    const row = this.experimentRow(experimentId);
    const text = validateStringValue(name, 'new_name', limits.experimentNameLength).trim();
    if (text === '') throw invalid("Missing value for required parameter 'new_name'.");
    this.db.transaction(() => {
      const taken = this.experiments.getByName(text);
      if (taken && taken.experiment_id !== row.experiment_id) throw new OrreryError('ALREADY_EXISTS', `Experiment(name=${text}) already exists.`);
      this.experiments.rename(row.experiment_id, text, this.now());
    })();
    return this.getExperiment(String(row.experiment_id));
  }

  setExperimentLifecycle(experimentId: unknown, stage: LifecycleStage): Experiment {
    const row = this.experimentRow(experimentId);
    if (stage === 'deleted' && row.experiment_id === 0) throw invalid('Cannot delete the default experiment (0). This is an internally reserved experiment.');
    this.experiments.setLifecycle(row.experiment_id, stage, this.now());
    return this.getExperiment(String(row.experiment_id));
  }

  setExperimentTag(experimentId: unknown, tag: { key: unknown; value: unknown }): void {
    const row = this.experimentRow(experimentId);
    const checked = this.checkTag(tag, limits.experimentTagValueLength);
    this.experiments.setTag(row.experiment_id, checked.key, checked.value);
  }

  // ---- runs ----

  createRun(input: NewRunInput): Run {
    const experiment = this.experimentRow(input.experimentId);
    if (experiment.lifecycle_stage !== 'active') {
      throw invalid(`The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
    }
    const tags = input.tags.map((tag) => this.checkTag(tag, limits.tagValueLength));
    const nameTag = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    const name = (input.name?.trim() || nameTag || this.randomRunName()).slice(0, limits.runNameLength);
    const userTag = tags.find((t) => t.key === 'mlflow.user')?.value;
    const runId = randomUUID().replaceAll('-', '');
    const now = this.now();
    const environment = { hardware: this.environment(), client: Object.fromEntries(tags.map((t) => [t.key, t.value])) };
    this.db.transaction(() => {
      this.runs.insert({
        runId,
        experimentId: experiment.experiment_id,
        name,
        userId: input.userId ?? userTag ?? '',
        status: 'RUNNING',
        startTime: input.startTime ?? now,
        artifactUri: `mlflow-artifacts:/${experiment.experiment_id}/${runId}/artifacts`,
        environment: JSON.stringify(environment),
        now,
      });
      for (const tag of [...tags, { key: RUN_NAME_TAG, value: name }]) {
        this.runs.setTag(runId, tag.key, tag.value);
        this.runs.noteKey(experiment.experiment_id, 'tag', tag.key);
      }
    })();
    const run = this.getRun(runId);
    this.publishRun(run, 'created');
    return run;
  }

  getRun(runId: unknown): Run {
    const row = this.runRow(runId);
    return this.hydrate([row])[0]!;
  }

  getRunDetail(runId: unknown): RunDetail {
    const row = this.runRow(runId);
    return toRunDetail(this.hydrate([row])[0]!, row, this.runs.inputs(row.run_id));
  }

  /** Whether `runId` is `rootRunId` or one of its descendants (by `mlflow.parentRunId`). */
  isInRunTree(rootRunId: string, runId: string): boolean {
    let current: string | null = runId;
    // A cycle of parent tags (set by hand) must not loop forever; real nesting is a few levels.
    for (let depth = 0; current !== null && depth < 100; depth++) {
      if (current === rootRunId) return true;
      current = this.runs.parentRunId(current);
    }
    return false;
  }

  runInputs(runId: string): RunDetail['inputs'] {
    return this.runs.inputs(runId).map(toDatasetInput);
  }

  updateRun(runId: unknown, fields: { status?: unknown; endTime?: number | undefined; name?: unknown }): Run {
    const row = this.runRow(runId);
    let status: RunStatus | undefined;
    if (fields.status !== undefined && fields.status !== null) {
      // MLflow 3.6 accepts any status string here; a typo would silently keep the old one.
      if (typeof fields.status !== 'string' || !(runStatuses as readonly string[]).includes(fields.status)) {
        throw invalid(`Invalid value ${quote(fields.status)} for parameter 'status' supplied: expected one of ${runStatuses.join(', ')}.`);
      }
      status = fields.status as RunStatus;
    }
    const name = fields.name === undefined || fields.name === null ? undefined : validateStringValue(fields.name, 'run_name', limits.runNameLength);
    this.db.transaction(() => {
      this.runs.update(row.run_id, { status, endTime: fields.endTime, name }, this.now());
      if (name !== undefined) this.runs.setTag(row.run_id, RUN_NAME_TAG, name);
    })();
    const run = this.getRun(row.run_id);
    this.publishRun(run, 'updated');
    return run;
  }

  setRunLifecycle(runId: unknown, stage: LifecycleStage): Run {
    const row = this.runRow(runId);
    this.runs.setLifecycle(row.run_id, stage, this.now());
    const run = this.getRun(row.run_id);
    this.publishRun(run, stage === 'deleted' ? 'deleted' : 'restored');
    return run;
  }

  /** log-batch and its single-item cousins: all or nothing, MLflow's limits and messages. */
  logBatch(runId: unknown, batch: LogBatch): void {
    const { row, write } = this.prepareBatch(runId, batch);
    const latest = this.writeTransaction(() => {
      write.check();
      return write.write();
    });
    this.publishMetrics(row, latest);
  }

  /** The same, sharing one commit with other writes that arrive at the same moment. */
  async logBatchGrouped(runId: unknown, batch: LogBatch): Promise<void> {
    const { row, write } = this.prepareBatch(runId, batch);
    this.publishMetrics(row, await this.commits.run(write));
  }

  private prepareBatch(runId: unknown, batch: LogBatch): { row: RunRow; write: GroupedWrite<LatestMetric[]> } {
    const { metrics, params, tags } = batch;
    checkBatchLimits(metrics.length, params.length, tags.length);
    // Every path in (REST, RPC, a job's metric lines) meets the same range: SQLite refuses some
    // values outside it only at write time, and others it would store rounded.
    for (const metric of metrics) {
      if (!Number.isSafeInteger(metric.step)) validateSafeInteger(metric.step, 'step');
      if (!Number.isSafeInteger(metric.timestamp)) validateSafeInteger(metric.timestamp, 'timestamp');
    }
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const param of params) (seen.has(param.key) ? duplicates : seen).add(param.key);
    if (duplicates.size > 0) {
      throw invalid(
        `Duplicate parameter keys have been submitted: [${[...duplicates].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
      );
    }
    const row = this.activeRunRow(runId);
    const fresh: Array<{ key: string; value: string }> = [];
    // Reads only: a refused batch must not have written anything (see CommitGroup).
    const check = () => {
      fresh.length = 0;
      for (const param of params) {
        const existing = this.runs.param(row.run_id, param.key);
        if (existing !== undefined && existing !== param.value) {
          throw invalid(
            `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${existing}' for run ID='${row.run_id}'. Attempted logging new value '${param.value}'.`,
          );
        }
        if (existing === undefined) fresh.push(param);
      }
    };
    const work = (): LatestMetric[] => {
      for (const param of fresh) {
        this.runs.insertParam(row.run_id, param.key, param.value);
        this.runs.noteKey(row.experiment_id, 'param', param.key);
      }
      for (const tag of tags) {
        this.runs.setTag(row.run_id, tag.key, tag.value);
        this.runs.noteKey(row.experiment_id, 'tag', tag.key);
        if (tag.key === RUN_NAME_TAG) this.runs.update(row.run_id, { name: tag.value }, this.now());
      }
      if (metrics.length === 0) return [];
      const latest = this.metrics.append(row.run_id, metrics);
      for (const metric of latest) this.runs.noteKey(row.experiment_id, 'metric', metric.key);
      return latest;
    };
    return { row, write: { check, write: work } };
  }

  /**
   * A transaction whose outcome the metric store hears, so a rolled-back series id is never
   * reused from its cache. Nested in someone else's transaction, that owner's outcome counts.
   */
  private writeTransaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      const result = this.db.transaction(fn)();
      this.metrics.committed();
      return result;
    } catch (error) {
      this.metrics.rolledBack();
      throw error;
    }
  }

  private publishMetrics(row: RunRow, latest: LatestMetric[]): void {
    if (latest.length > 0) this.bus.publish('tracking.metrics', { runId: row.run_id, experimentId: String(row.experiment_id), latest });
  }

  deleteTag(runId: unknown, key: unknown): void {
    const row = this.activeRunRow(runId);
    const text = validateStringValue(key, 'key', limits.keyLength);
    if (this.runs.deleteTag(row.run_id, text) === 0) {
      throw new OrreryError('NOT_FOUND', `No tag with name: ${text} in run with id ${row.run_id}`);
    }
  }

  logInputs(runId: unknown, datasets: DatasetInputIn[]): void {
    const row = this.activeRunRow(runId);
    this.db.transaction(() => {
      for (const d of datasets) {
        const input: InputRow = {
          name: d.name,
          digest: d.digest,
          source_type: d.sourceType,
          source: d.source,
          schema: d.schema,
          profile: d.profile,
          tags: JSON.stringify(Object.fromEntries(d.tags.map((t) => [t.key, t.value]))),
        };
        this.runs.insertInput(row.run_id, input);
      }
    })();
  }

  // ---- metrics ----

  metricHistory(runId: unknown, key: unknown, limit: number, offset: number): StoredPoint[] {
    const row = this.runRow(runId);
    const text = validateStringValue(key, 'metric_key', limits.keyLength);
    return this.metrics.points(row.run_id, text, limit, offset);
  }

  history(runIds: readonly string[], keys: readonly string[], buckets: number, startStep?: number, endStep?: number): MetricSeries[] {
    for (const runId of runIds) this.runRow(runId);
    const series: MetricSeries[] = [];
    const read = this.db.transaction(() => {
      for (const runId of runIds) for (const key of keys) series.push(this.metrics.downsample(runId, key, buckets, startStep, endStep));
    });
    read();
    return series;
  }

  // ---- search ----

  searchRuns(input: SearchRunsInput): { runs: Run[]; nextPageToken: string | null; total: number } {
    // Each id is a bound variable; SQLite takes 32766 in one statement.
    if (input.experimentIds.length > MAX_SEARCH_EXPERIMENTS) {
      throw invalid(`experiment_ids has ${input.experimentIds.length} ids; at most ${MAX_SEARCH_EXPERIMENTS} in one search.`);
    }
    const experimentIds = input.experimentIds.map((id) => this.experimentRow(id).experiment_id);
    const clauses = parseSearchFilter(input.filter);
    const order = parseOrderBy(input.orderBy);
    const compiled = compileRunQuery(experimentIds, input.lifecycle, clauses, order);
    const offset = decodePageToken(input.pageToken);
    const rows = this.db
      .prepare(`SELECT r.* FROM runs r ${compiled.joins} WHERE ${compiled.where} ORDER BY ${compiled.orderBy} LIMIT ? OFFSET ?`)
      .all(...compiled.joinParams, ...compiled.whereParams, input.maxResults + 1, offset) as RunRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM runs r WHERE ${compiled.where}`).get(...compiled.whereParams) as { n: number }).n;
    const page = rows.slice(0, input.maxResults);
    return {
      runs: this.hydrate(page, input.columns),
      nextPageToken: rows.length > input.maxResults ? encodePageToken(offset + input.maxResults) : null,
      total,
    };
  }

  queryRuns(input: SearchRunsInput & { columns: RunColumns }): RunsPage {
    const result = this.searchRuns(input);
    const experimentIds = input.experimentIds.map((id) => this.experimentRow(id).experiment_id);
    return { runs: result.runs, total: result.total, nextPageToken: result.nextPageToken, available: this.runs.columnKeys(experimentIds) };
  }

  compareParams(runIds: readonly string[], onlyDiffering: boolean): ParamComparison {
    const rows = runIds.map((id) => this.runRow(id));
    const params = this.runs.params(rows.map((r) => r.run_id));
    const keys = [...new Set([...params.values()].flatMap((list) => list.map((p) => p.key)))].sort();
    const all = keys.map((key) => {
      const values = rows.map((r) => params.get(r.run_id)?.find((p) => p.key === key)?.value ?? null);
      return { key, values, differs: new Set(values).size > 1 };
    });
    const differing = all.filter((r) => r.differs);
    return { runIds: rows.map((r) => r.run_id), rows: onlyDiffering ? differing : all, differingCount: differing.length, totalCount: all.length };
  }

  // ---- helpers ----

  experimentRow(experimentId: unknown): ExperimentRow {
    const text = typeof experimentId === 'number' ? String(experimentId) : experimentId;
    if (text === undefined || text === null || text === '') throw invalid("Missing value for required parameter 'experiment_id'. See the API docs for more information about request parameters.");
    // MLflow 3.6 answers a non-numeric id with a 500; this is the caller's mistake, so 400.
    if (typeof text !== 'string' || !/^\d{1,18}$/.test(text)) {
      throw invalid(`Invalid value ${quote(experimentId)} for parameter 'experiment_id' supplied: experiment ids are whole numbers.`);
    }
    const row = this.experiments.get(Number(text));
    if (!row) throw new OrreryError('NOT_FOUND', `No Experiment with id=${text} exists`);
    return row;
  }

  runRow(runId: unknown): RunRow {
    if (runId === undefined || runId === null || runId === '') throw invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
    if (typeof runId !== 'string') throw invalid(`Invalid value ${quote(runId)} for parameter 'run_id' supplied: expected a string.`);
    const row = this.runs.get(runId);
    if (!row) throw new OrreryError('NOT_FOUND', `Run with id=${shortText(runId)} not found`);
    return row;
  }

  private activeRunRow(runId: unknown): RunRow {
    const row = this.runRow(runId);
    if (row.lifecycle_stage !== 'active') {
      throw invalid(`The run ${row.run_id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  private checkTag(tag: { key: unknown; value: unknown }, maxValue: number): { key: string; value: string } {
    return { key: validateKey(tag.key, 'key'), value: validateStringValue(tag.value, 'value', maxValue) };
  }

  private hydrate(rows: RunRow[], columns?: RunColumns): Run[] {
    const ids = rows.map((r) => r.run_id);
    const params = this.runs.params(ids);
    const tags = this.runs.tags(ids);
    return rows.map((row) => {
      let runParams = params.get(row.run_id) ?? [];
      let runTags = tags.get(row.run_id) ?? [];
      let latest = this.metrics.latest(row.run_id);
      if (columns) {
        runParams = runParams.filter((p) => columns.params.includes(p.key));
        runTags = runTags.filter((t) => columns.tags.includes(t.key) || t.key === 'mlflow.parentRunId');
        latest = latest.filter((m) => columns.metrics.includes(m.key));
      }
      return toRun(row, runParams, runTags, latest);
    });
  }

  private toExperiment(row: ExperimentRow): Experiment {
    const stats = this.experiments.stats(row.experiment_id);
    return {
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      lifecycleStage: row.lifecycle_stage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      tags: this.experiments.tags(row.experiment_id),
      runCount: stats.run_count,
      lastActivity: Math.max(stats.last_activity ?? 0, row.last_update_time),
    };
  }

  private publishRun(run: Run, change: 'created' | 'updated' | 'deleted' | 'restored'): void {
    this.bus.publish('tracking.run', { runId: run.runId, experimentId: run.experimentId, status: run.status, lifecycleStage: run.lifecycleStage, change });
  }

  private randomRunName(): string {
    const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)]!;
    return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
  }
}
