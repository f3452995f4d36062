import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type {
  Experiment,
  ExperimentChangedEvent,
  LatestMetric,
  LifecycleStage,
  MetricSeries,
  ParamComparison,
  Run,
  RunDetail,
  RunDetails,
  RunsPage,
  RunColumns,
} from '../../../shared/contract/tracking';
import { invalid, OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import { CommitGroup } from '../store/commit-group';
import { batchWrite, checkBatch, type LogBatch } from './batch-write';
import { toExperiment } from './experiment-mapper';
import { ExperimentRepository, type ExperimentRow } from './experiment-repository';
import { experimentCriteria } from './experiment-search';
import { MetricStore, type StoredPoint } from './metric-store';
import { MetricPointReader, type PointCursor, type SeriesSlices } from './metric-point-reader';
import { mapInTurns } from '../store/event-loop-turns';
import { decodePageToken, encodePageToken } from './page-token';
import { decodeRunPageToken, encodeRunPageToken, invalidRunPageToken } from './run-page-token';
import { orderSignature } from './run-search-plan';
import { compareRunParams } from './param-comparison';
import { hydrateRuns } from './run-hydrator';
import { RUN_NAME_TAG, toDatasetInput, toInputRow, toRunDetail } from './run-mapper';
import { randomRunName } from './run-names';
import { RunRepository, type RunRow } from './run-repository';
import { parseOrderBy, parseSearchFilter, type SearchDialect } from './search-filter';
import type { DatasetInputIn, NewRunInput, RunSummary, SearchExperimentsInput, SearchRunsInput } from './tracking-inputs';
import { limits, shortText, validateExperimentId, validateExperimentName, validateKey, validateRunId, validateRunStatus, validateStringValue } from '../../../shared/tracking-limits';

export type { LogBatch } from './batch-write';
export type { DatasetInputIn, NewRunInput, RunSummary, SearchExperimentsInput, SearchRunsInput } from './tracking-inputs';

export interface SearchRunsOptions {
  /** 'orrery' is the runs table's language (numeric param sort, more IN lists). */
  dialect?: SearchDialect;
  /** Count every matching run too (the runs table shows it; MLflow's REST API has no total). */
  withTotal?: boolean;
  /** The page token's name in refusals, as the caller wrote it (MLflow: page_token). */
  pageTokenField?: string;
}

export interface TrackingServiceDeps {
  db: Database;
  bus: EventBus;
  now?: () => number;
  /** Hardware facts recorded with each new run. */
  environment?: () => Record<string, unknown> | null;
}

/**
 * Experiments, runs, params, tags, inputs and metrics: every rule of MLflow's tracking store. Its
 * refusals name the contract's fields (experimentId, runId, name); the MLflow adapter checks its
 * own request parameters first, in MLflow's words. SQL lives in the repositories.
 */
export class TrackingService {
  private readonly db: Database;
  private readonly experiments: ExperimentRepository;
  private readonly runs: RunRepository;
  private readonly metrics: MetricStore;
  private readonly bus: EventBus;
  private readonly now: () => number;
  private readonly environment: () => Record<string, unknown> | null;
  private readonly commits: CommitGroup;
  private pointReader: MetricPointReader | undefined;

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
    const text = validateExperimentName(name, 'name');
    for (const tag of tags) this.checkTag(tag, limits.experimentTagValueLength);
    const id = this.db.transaction(() => {
      if (this.experiments.getByName(text)) throw new OrreryError('ALREADY_EXISTS', `Experiment(name=${text}) already exists.`);
      const id = this.experiments.insert(text, this.now());
      for (const tag of tags) this.experiments.setTag(id, tag.key, tag.value);
      return String(id);
    })();
    this.publishExperiment(id, 'created');
    return id;
  }

  getExperiment(experimentId: unknown): Experiment {
    return this.toExperiment(this.experimentRow(experimentId));
  }

  getExperimentByName(name: unknown): Experiment {
    const text = validateStringValue(name, 'name', limits.experimentNameLength);
    const row = this.experiments.getByName(text);
    if (!row) throw new OrreryError('NOT_FOUND', `Could not find experiment with name '${text}'`);
    return this.toExperiment(row);
  }

  searchExperiments(input: SearchExperimentsInput): { experiments: Experiment[]; nextPageToken: string | null } {
    const criteria = experimentCriteria(input);
    const limit = input.maxResults ?? 1000;
    const offset = decodePageToken(input.pageToken);
    const rows = this.experiments.search(criteria, limit + 1, offset);
    return {
      experiments: rows.slice(0, limit).map((row) => this.toExperiment(row)),
      nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : null,
    };
  }

  renameExperiment(experimentId: unknown, name: unknown): Experiment {
    const row = this.experimentRow(experimentId);
    const text = validateExperimentName(name, 'name');
    this.db.transaction(() => {
      const taken = this.experiments.getByName(text);
      if (taken && taken.experiment_id !== row.experiment_id) throw new OrreryError('ALREADY_EXISTS', `Experiment(name=${text}) already exists.`);
      this.experiments.rename(row.experiment_id, text, this.now());
    })();
    this.publishExperiment(String(row.experiment_id), 'updated');
    return this.getExperiment(String(row.experiment_id));
  }

  setExperimentLifecycle(experimentId: unknown, stage: LifecycleStage): Experiment {
    const row = this.experimentRow(experimentId);
    if (stage === 'deleted' && row.experiment_id === 0) throw invalid('Cannot delete the default experiment (0). This is an internally reserved experiment.');
    this.experiments.setLifecycle(row.experiment_id, stage, this.now());
    this.publishExperiment(String(row.experiment_id), stage === 'deleted' ? 'deleted' : 'restored');
    return this.getExperiment(String(row.experiment_id));
  }

  setExperimentTag(experimentId: unknown, tag: { key: unknown; value: unknown }): void {
    const row = this.experimentRow(experimentId);
    const checked = this.checkTag(tag, limits.experimentTagValueLength);
    this.experiments.setTag(row.experiment_id, checked.key, checked.value);
    this.publishExperiment(String(row.experiment_id), 'updated');
  }

  // ---- runs ----

  createRun(input: NewRunInput): Run {
    const experiment = this.experimentRow(input.experimentId);
    if (experiment.lifecycle_stage !== 'active') {
      throw invalid(`The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
    }
    const tags = input.tags.map((tag) => this.checkTag(tag, limits.tagValueLength));
    const nameTag = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    const name = (input.name?.trim() || nameTag || randomRunName()).slice(0, limits.runNameLength);
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

  /** The run's bare row facts: what a job's token check reads on each of its requests. */
  getRunSummary(runId: unknown): RunSummary {
    const row = this.runRow(runId);
    return { runId: row.run_id, experimentId: String(row.experiment_id), status: row.status, endTime: row.end_time };
  }

  getRunDetail(runId: unknown): RunDetail {
    const row = this.runRow(runId);
    return toRunDetail(this.hydrate([row])[0]!, row, this.runs.inputs(row.run_id));
  }

  /** Many runs' details in a constant number of queries (a 100-run comparison made 100 requests). */
  getRunDetails(runIds: readonly string[]): RunDetails {
    const unique = [...new Set(runIds)];
    const rows = this.runs.getMany(unique);
    const inputs = this.runs.inputsMany(rows.map((r) => r.run_id));
    const hydrated = this.hydrate(rows);
    const found = new Set(rows.map((r) => r.run_id));
    return {
      runs: rows.map((row, i) => toRunDetail(hydrated[i]!, row, inputs.get(row.run_id) ?? [])),
      missing: unique.filter((id) => !found.has(id)),
    };
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

  /** The inputs of each run, in one query (a page of runs/search). */
  runInputsMany(runIds: readonly string[]): Map<string, RunDetail['inputs']> {
    return new Map([...this.runs.inputsMany(runIds)].map(([runId, rows]) => [runId, rows.map(toDatasetInput)]));
  }

  /** `startTime` is for a run that waited before it began (a queued job): its duration is then the job's. */
  updateRun(runId: unknown, fields: { status?: unknown; startTime?: number | undefined; endTime?: number | undefined; name?: unknown }): Run {
    const row = this.runRow(runId);
    const status = fields.status === undefined || fields.status === null ? undefined : validateRunStatus(fields.status, 'status');
    const name = fields.name === undefined || fields.name === null ? undefined : validateStringValue(fields.name, 'name', limits.runNameLength);
    this.db.transaction(() => {
      this.runs.update(row.run_id, { status, startTime: fields.startTime, endTime: fields.endTime, name }, this.now());
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
    this.publishKeysChanged(row, batch);
  }

  /** The same, sharing one commit with other writes that arrive at the same moment. */
  async logBatchGrouped(runId: unknown, batch: LogBatch): Promise<void> {
    const { row, write } = this.prepareBatch(runId, batch);
    this.publishMetrics(row, await this.commits.run(write));
    this.publishKeysChanged(row, batch);
  }

  private prepareBatch(runId: unknown, batch: LogBatch) {
    checkBatch(batch);
    const row = this.activeRunRow(runId);
    return { row, write: batchWrite(this.runs, this.metrics, this.now, row, batch) };
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

  /** Tags and params are shown wherever the run is: a batch that changed them is a run change (a batch never changes the status). */
  private publishKeysChanged(row: RunRow, batch: LogBatch): void {
    if (batch.tags.length > 0 || batch.params.length > 0) this.publishRowChanged(row);
  }

  private publishRowChanged(row: RunRow): void {
    this.bus.publish('tracking.run', { runId: row.run_id, experimentId: String(row.experiment_id), status: row.status, lifecycleStage: row.lifecycle_stage, change: 'updated' });
  }

  deleteTag(runId: unknown, key: unknown): void {
    const row = this.activeRunRow(runId);
    const text = validateStringValue(key, 'key', limits.keyLength);
    if (this.runs.deleteTag(row.run_id, text) === 0) {
      throw new OrreryError('NOT_FOUND', `No tag with name: ${text} in run with id ${row.run_id}`);
    }
    this.publishRowChanged(row);
  }

  logInputs(runId: unknown, datasets: DatasetInputIn[]): void {
    const row = this.activeRunRow(runId);
    this.db.transaction(() => {
      for (const dataset of datasets) this.runs.insertInput(row.run_id, toInputRow(dataset));
    })();
  }

  // ---- metrics ----

  metricHistory(runId: unknown, key: unknown, limit: number, offset: number): StoredPoint[] {
    const row = this.runRow(runId);
    const text = validateStringValue(key, 'key', limits.keyLength);
    return this.metrics.points(row.run_id, text, limit, offset);
  }

  /**
   * A whole series read a slice at a time (MLflow get-history streams it): from the start, after
   * a cursor, or past an old offset token. The run and key are checked here, before any byte is sent.
   */
  metricSlices(runId: unknown, key: unknown, from: PointCursor | number | null = null): SeriesSlices {
    const row = this.runRow(runId);
    const text = validateStringValue(key, 'key', limits.keyLength);
    this.pointReader ??= new MetricPointReader(this.db);
    return this.pointReader.slices(row.run_id, text, from);
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

  /**
   * history() for callers that may ask for many long series (the UI's charts, MLflow's bulk
   * interval): a few milliseconds of series per turn of the event loop, each turn in one read
   * transaction, so a 100-run comparison never holds other requests up.
   */
  historyInTurns(runIds: readonly string[], keys: readonly string[], buckets: number, startStep?: number, endStep?: number): Promise<MetricSeries[]> {
    for (const runId of runIds) this.runRow(runId);
    const pairs = runIds.flatMap((runId) => keys.map((key) => [runId, key] as const));
    return mapInTurns(pairs, ([runId, key]) => this.metrics.downsample(runId, key, buckets, startStep, endStep), (run) => this.db.transaction(run)());
  }

  // ---- search ----

  /**
   * MLflow's runs/search by default; the runs table (queryRuns) asks in the 'orrery' dialect. The
   * total is counted only when asked (`withTotal`): REST callers never see it. Pages are keyset
   * pages: the token holds where the previous page ended, so a deep page costs what the first does.
   */
  searchRuns(input: SearchRunsInput, options: SearchRunsOptions = {}): { runs: Run[]; nextPageToken: string | null; total: number | null } {
    const dialect = options.dialect ?? 'mlflow';
    if (input.experimentIds.length > limits.searchExperiments) {
      throw invalid(`experimentIds has ${input.experimentIds.length} ids; at most ${limits.searchExperiments} in one search.`);
    }
    const experimentIds = input.experimentIds.map((id) => this.experimentRow(id).experiment_id);
    const clauses = parseSearchFilter(input.filter, dialect);
    const order = parseOrderBy(input.orderBy);
    const criteria = { experimentIds, lifecycle: input.lifecycle, clauses, order, dialect };
    const field = options.pageTokenField ?? 'pageToken';
    const cursor = decodeRunPageToken(input.pageToken, field, orderSignature(criteria));
    if (cursor && !this.runs.fitsPlan(criteria, cursor)) throw invalidRunPageToken(input.pageToken!, field);
    // One read transaction: the page, its fill-in and the total see the same moment.
    return this.db.transaction(() => {
      const found = this.runs.search(criteria, input.maxResults + 1, cursor);
      const page = found.slice(0, input.maxResults);
      const last = page.at(-1);
      return {
        runs: this.hydrate(page.map((f) => f.row), input.columns),
        nextPageToken:
          found.length > input.maxResults && last ? encodeRunPageToken({ order: orderSignature(criteria), segment: last.segment, values: last.values }) : null,
        total: options.withTotal ? this.runs.count(criteria) : null,
      };
    })();
  }

  /** The runs table's page; its total (a count over every match, the costly part at 100k runs) only when asked. */
  queryRuns(input: SearchRunsInput & { columns: RunColumns; withTotal?: boolean }): RunsPage {
    const result = this.searchRuns(input, { dialect: 'orrery', withTotal: input.withTotal ?? true });
    const experimentIds = input.experimentIds.map((id) => this.experimentRow(id).experiment_id);
    return { runs: result.runs, total: result.total, nextPageToken: result.nextPageToken, available: this.runs.columnKeys(experimentIds) };
  }

  compareParams(runIds: readonly string[], onlyDiffering: boolean): ParamComparison {
    const ids = runIds.map((id) => this.runRow(id).run_id);
    return compareRunParams(ids, this.runs.params(ids), onlyDiffering);
  }

  // ---- helpers ----

  private experimentRow(experimentId: unknown): ExperimentRow {
    const text = validateExperimentId(experimentId, 'experimentId');
    const row = this.experiments.get(Number(text));
    if (!row) throw new OrreryError('NOT_FOUND', `No Experiment with id=${text} exists`);
    return row;
  }

  private runRow(runId: unknown): RunRow {
    const text = validateRunId(runId, 'runId');
    const row = this.runs.get(text);
    if (!row) throw new OrreryError('NOT_FOUND', `Run with id=${shortText(text)} not found`);
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
    return hydrateRuns(this.runs, this.metrics, rows, columns);
  }

  private toExperiment(row: ExperimentRow): Experiment {
    return toExperiment(row, this.experiments.stats(row.experiment_id), this.experiments.tags(row.experiment_id));
  }

  private publishExperiment(experimentId: string, change: ExperimentChangedEvent['change']): void {
    this.bus.publish('tracking.experiment', { experimentId, change });
  }

  private publishRun(run: Run, change: 'created' | 'updated' | 'deleted' | 'restored'): void {
    this.bus.publish('tracking.run', { runId: run.runId, experimentId: run.experimentId, status: run.status, lifecycleStage: run.lifecycleStage, change });
  }
}
