import { z } from 'zod';
import { method, event, type EventsOf } from './define';

/** A metric value as it travels as JSON: NaN and ±Infinity as the protobuf-JSON strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** MLflow's tag naming a run's parent: sweep trials and nested runs carry it. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

export const runStatuses = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type LifecycleStage = 'active' | 'deleted';

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
  runCount: number;
  /** Latest start or end of any of its runs, or its own last update. */
  lastActivity: number;
}

export interface LatestMetric {
  key: string;
  value: MetricValue;
  step: number;
  timestamp: number;
}

/** A dataset a run used, as MLflow's log-inputs records it (tags aside). */
export interface DatasetFields {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface DatasetInput extends DatasetFields {
  tags: Record<string, string>;
}

export interface RunSource {
  command: string | null;
  sourceName: string | null;
  imageDigest: string | null;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
}

export interface Run {
  runId: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  userId: string;
  lifecycleStage: LifecycleStage;
  parentRunId: string | null;
  artifactUri: string;
  params: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  tags: Record<string, string>;
}

/** tracking.getRuns: the runs found, each once in the order first asked (a repeated id is not repeated), and the ids that name no run. */
export interface RunDetails {
  runs: RunDetail[];
  missing: string[];
}

export interface RunDetail extends Run {
  inputs: DatasetInput[];
  source: RunSource;
  /** Hardware and whatever the client sent, captured when the run started. */
  environment: Record<string, unknown> | null;
}

export interface RunColumns {
  params: string[];
  metrics: string[];
  tags: string[];
}

export interface RunsPage {
  /** Only the requested param / metric / tag columns are filled in. */
  runs: Run[];
  /** Every run matching, when asked for (withTotal); null otherwise. */
  total: number | null;
  nextPageToken: string | null;
  /** Every key present in these experiments, for the column picker. */
  available: RunColumns;
}

/**
 * Downsampled buckets of a series, column by column: compact on the wire and ready for charts.
 * Entry i of every array describes bucket i; an exact point is a bucket of one.
 */
export interface MetricBuckets {
  stepStart: number[];
  stepEnd: number[];
  count: number[];
  /** Smallest and largest value in the bucket (NaN points excluded; null when all were NaN). */
  min: Array<MetricValue | null>;
  minStep: Array<number | null>;
  max: Array<MetricValue | null>;
  maxStep: Array<number | null>;
  last: MetricValue[];
  lastStep: number[];
  lastTimestamp: number[];
}

export interface MetricSeries {
  runId: string;
  key: string;
  /** True when every point is returned (the series was shorter than the bucket count). */
  exact: boolean;
  totalPoints: number;
  buckets: MetricBuckets;
}

export interface ParamComparison {
  runIds: string[];
  rows: Array<{ key: string; values: Array<string | null>; differs: boolean }>;
  differingCount: number;
  totalCount: number;
}

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size: number | null;
}

export interface ArtifactContent {
  path: string;
  size: number;
  mimeType: string;
  encoding: 'utf8' | 'base64';
  content: string;
  truncated: boolean;
}

const id = z.string().min(1, 'must not be empty');
const runId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex run id');
const lifecycle = z.enum(['active', 'deleted', 'all']).default('active');

export const trackingMethods = {
  'tracking.searchExperiments': method<Experiment[]>()(
    z.object({ lifecycle, nameLike: z.string().optional() }).strict(),
    'Experiments with their run counts and last activity, newest activity first.',
  ),
  'tracking.getExperiment': method<Experiment>()(
    z.object({ experimentId: id }).strict(),
    'One experiment by id, deleted ones included (with their lifecycle stage); NOT_FOUND names a missing id.',
  ),
  'tracking.createExperiment': method<Experiment>()(z.object({ name: z.string().trim().min(1).max(500) }).strict(), 'Create an experiment.'),
  'tracking.renameExperiment': method<Experiment>()(
    z.object({ experimentId: id, name: z.string().trim().min(1).max(500) }).strict(),
    'Rename an experiment.',
  ),
  'tracking.deleteExperiment': method<Experiment>()(z.object({ experimentId: id }).strict(), 'Move an experiment (and its runs) to deleted.'),
  'tracking.restoreExperiment': method<Experiment>()(z.object({ experimentId: id }).strict(), 'Bring a deleted experiment back.'),
  'tracking.queryRuns': method<RunsPage>()(
    z
      .object({
        experimentIds: z.array(id).min(1).max(100),
        filter: z.string().max(10_000).default(''),
        /** MLflow order_by strings: "metrics.acc DESC", "params.lr", "attributes.start_time". */
        orderBy: z.array(z.string()).max(10).default([]),
        columns: z
          .object({ params: z.array(z.string()).default([]), metrics: z.array(z.string()).default([]), tags: z.array(z.string()).default([]) })
          .default({ params: [], metrics: [], tags: [] }),
        lifecycle,
        pageSize: z.number().int().min(1).max(1000).default(100),
        pageToken: z.string().nullish(),
        /** Count every match (the table's "N of M"); later pages pass false and keep the first page's count. */
        withTotal: z.boolean().default(true),
      })
      .strict(),
    'The runs table: filter (MLflow syntax), sort on any column, paging, total count.',
  ),
  'tracking.getRun': method<RunDetail>()(z.object({ runId }).strict(), 'A run with its params, metrics, tags, inputs, source and environment.'),
  'tracking.getRuns': method<RunDetails>()(
    z.object({ runIds: z.array(runId).min(1).max(100) }).strict(),
    'Several runs as getRun reads one, in one request (the compare page): each run once, in the order first asked; ids that name no run are listed as missing.',
  ),
  'tracking.getMetricHistory': method<MetricSeries[]>()(
    z
      .object({
        runIds: z.array(runId).min(1).max(100),
        keys: z.array(z.string().min(1)).min(1).max(50),
        buckets: z.number().int().min(2).max(10_000).default(1000),
        startStep: z.number().int().optional(),
        endStep: z.number().int().optional(),
      })
      .strict(),
    'Downsampled series for many runs and keys: at most `buckets` buckets each, exact when shorter.',
  ),
  'tracking.compareParams': method<ParamComparison>()(
    z.object({ runIds: z.array(runId).min(1).max(100), onlyDiffering: z.boolean().default(true) }).strict(),
    'Params side by side: the keys whose values differ, or all.',
  ),
  'tracking.listArtifacts': method<ArtifactEntry[]>()(z.object({ runId, path: z.string().default('') }).strict(), "List a folder of a run's artifacts."),
  'tracking.readArtifact': method<ArtifactContent>()(
    z.object({ runId, path: z.string().min(1), maxBytes: z.number().int().min(1).max(10_000_000).default(1_000_000) }).strict(),
    'Read an artifact for preview: text as UTF-8, anything else as base64, cut at maxBytes.',
  ),
  'tracking.renameRun': method<Run>()(z.object({ runId, name: z.string().trim().min(1).max(250) }).strict(), 'Rename a run.'),
  'tracking.setRunTag': method<Run>()(z.object({ runId, key: z.string().min(1).max(250), value: z.string().max(8000) }).strict(), "Set a tag on a run: MLflow's key rules; Orrery's own orrery.* tags and mlflow.parentRunId are refused."),
  'tracking.deleteRunTag': method<Run>()(z.object({ runId, key: z.string().min(1) }).strict(), "Remove a tag from a run; Orrery's own orrery.* tags and mlflow.parentRunId are refused."),
  'tracking.deleteRun': method<Run>()(z.object({ runId }).strict(), 'Move a run to deleted.'),
  'tracking.restoreRun': method<Run>()(z.object({ runId }).strict(), 'Bring a deleted run back.'),
};

export interface RunChangedEvent {
  runId: string;
  experimentId: string;
  status: RunStatus;
  lifecycleStage: LifecycleStage;
  change: 'created' | 'updated' | 'deleted' | 'restored';
}

export interface MetricsLoggedEvent {
  runId: string;
  experimentId: string;
  latest: LatestMetric[];
}

/** An experiment created, renamed, re-tagged, deleted or restored (its runs' changes are `tracking.run`). */
export interface ExperimentChangedEvent {
  experimentId: string;
  change: 'created' | 'updated' | 'deleted' | 'restored';
}

/** A file written to a run's artifacts: an upload, or a job's outputs collected when it ended. */
export interface ArtifactWrittenEvent {
  runId: string;
  experimentId: string;
  path: string;
}

export const trackingEvents = {
  'tracking.run': event<RunChangedEvent>('A run was created or changed (status, name, tags, params, lifecycle)'),
  'tracking.metrics': event<MetricsLoggedEvent>('Metric points were logged to a run'),
  'tracking.artifact': event<ArtifactWrittenEvent>("A file was written to a run's artifacts"),
  'tracking.experiment': event<ExperimentChangedEvent>('An experiment was created, renamed, re-tagged, deleted or restored'),
};
export type TrackingEvents = EventsOf<typeof trackingEvents>;
