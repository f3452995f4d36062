import type { JobSpecInput, SweepSpec } from '../../../shared/contract/training-spec';

/**
 * A pipeline as read from its file (`orrery.pipeline.yaml` or an unchanged `dvc.yaml`): stages in a
 * DAG, every path already absolute. What the parsers make and what the runner, the cache and the
 * triggers read; nothing here touches the disk.
 */
export interface PipelineDefinition {
  /** Absolute path of the file it was read from: a pipeline's identity. */
  file: string;
  /** The file's folder: the workspace its stages may mount (running the file is consent to that). */
  folder: string;
  /** `name:` in an Orrery file; otherwise the folder's name. */
  name: string;
  dialect: 'orrery' | 'dvc';
  /** In file order; `needs` (explicit, or from deps naming another stage's outs) already resolved. */
  stages: StageDefinition[];
  triggers: TriggerSpec[];
}

export type HyperValue = string | number | boolean;

interface StageBase {
  name: string;
  /** Stages that must succeed first (explicit `needs`, plus those whose outs this stage's deps name). */
  needs: string[];
  /** Absolute files or folders whose content is part of the stage's key. */
  deps: string[];
  /** Absolute files or folders the stage makes; all must exist after it for a cache hit. */
  outs: string[];
  /** Params that are part of the key (a job's hyperparameters, a dvc stage's params values). */
  params: Record<string, HyperValue>;
  /** 1-based line of the stage in its file, for messages. */
  line: number;
}

/** A training-job spec run through the queue, with the pipeline's folder as its workspace. */
export interface JobStage extends StageBase {
  kind: 'job';
  job: JobSpecInput;
}

/** A `dvc.yaml` stage (also allowed in an Orrery file as `cmd:`): shell commands run in `wdir`. */
export interface CommandStage extends StageBase {
  kind: 'cmd';
  /** Each runs with `sh -c`, in order; the first that fails fails the stage. */
  cmd: string[];
  /** Absolute working directory (the file's folder joined with `wdir`). */
  wdir: string;
  /** A frozen stage is never run; it counts as up to date when its outs exist. */
  frozen: boolean;
  /** DVC's `always_changed`: never a cache hit, so it runs every time (its dependents then run too). */
  alwaysChanged: boolean;
  /** Image for the Docker runner; default the local Python image. */
  image: string;
  /** Files the stage's `params:` read from (absolute), with the keys read: part of the key. */
  paramFiles: Array<{ file: string; keys: string[] }>;
}

/** monitoring's drift + data-quality checks of `current` against `reference`; fails when they fail. */
export interface ValidateDataStage extends StageBase {
  kind: 'validate-data';
  reference: string;
  current: string;
  /** Share of drifted columns at which the dataset counts as drifted (monitoring's default when absent). */
  driftShare?: number;
  /** Fail on data-quality problems too (missing columns, types, nulls). Default true. */
  failOnQuality: boolean;
}

/** A training job (or a sweep of them: its best trial) whose run is the stage's output. */
export interface TrainStage extends StageBase {
  kind: 'train';
  job: JobSpecInput;
  /** One trial per point of the space; the stage's run is the best trial by the objective. */
  sweep?: SweepSpec;
}

export interface MetricThreshold {
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==';
  value: number;
}

export interface EvaluateStage extends StageBase {
  kind: 'evaluate';
  /** The train stage whose run is judged (default: the only train stage it needs, directly or not). */
  from: string;
  thresholds: MetricThreshold[];
  /** Beat the version behind `alias` (or in stage Production) by at least `by` on `metric`. */
  beat?: { model: string; alias?: string; metric: string; by: number; mode: 'max' | 'min' };
}

export interface RegisterStage extends StageBase {
  kind: 'register';
  from: string;
  model: string;
  /** Folder within the run's artifacts (default: all of them). */
  path: string;
  /** Approve the version at once when every gate passed (otherwise an approval request is opened). */
  autoApprove: boolean;
}

export interface DeployStage extends StageBase {
  kind: 'deploy';
  /** The register stage whose version is rolled out. */
  from: string;
  deployment: string;
  strategy: 'canary' | 'blue-green' | 'rolling' | 'shadow';
  /** serving's rollout settings, passed as written. */
  settings: Record<string, unknown>;
  replicas: number;
  /** Each replica's limits when a first run creates the deployment (serving's defaults when absent). */
  cpus?: number;
  memoryGb?: number;
  gpus?: number;
  /** How long a version waiting for approval holds the stage before it fails. Default 24 h. */
  approvalTimeoutMs: number;
}

export type StageDefinition = JobStage | CommandStage | ValidateDataStage | TrainStage | EvaluateStage | RegisterStage | DeployStage;
export type StageKind = StageDefinition['kind'];

export type TriggerSpec =
  | { kind: 'cron'; expression: string }
  /** An absolute file or folder whose content hash is watched. */
  | { kind: 'dataset'; path: string }
  /** An absolute path to a local git repository and a branch in it. */
  | { kind: 'commit'; repo: string; branch: string }
  /** A firing drift or performance alert of this deployment. */
  | { kind: 'alert'; deployment: string };

/** Why a pipeline run started: what the runs list shows and the run records. */
export interface TriggerReason {
  kind: 'manual' | 'cron' | 'dataset' | 'commit' | 'alert';
  /** For people: `cron 0 3 * * * (catch-up)`, `dataset /data/x changed`, `commit 1a2b3c4 on main`. */
  detail: string;
  /** A follow-up run's triggers, in arrival order: every one that came during the previous run. */
  coalesced?: TriggerReason[];
}

/** A problem in a pipeline file, with where it is. */
export interface DefinitionProblem {
  /** 1-based; null when the problem is not at one place (a cycle names its stages). */
  line: number | null;
  /** Dotted path of the field (`stages.train.job.image`), or '' for the file. */
  field: string;
  message: string;
}
