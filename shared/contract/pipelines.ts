import { z } from 'zod';
import { event, method, type EventsOf } from './define';

export type PipelineRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * 'pending': not started (waiting for what it needs); 'cached': its key and outputs were already
 * there, nothing ran; 'skipped': something it needs failed or the run was cancelled first;
 * 'waiting-approval': a deploy stage holding until its version is approved.
 */
export type StageRunStatus = 'pending' | 'running' | 'waiting-approval' | 'succeeded' | 'cached' | 'failed' | 'skipped' | 'cancelled';

export type TriggerKind = 'manual' | 'cron' | 'dataset' | 'commit' | 'alert';

/** Why a pipeline run started, in words a user can read. */
export interface TriggerReasonView {
  kind: TriggerKind;
  detail: string;
}

export interface StageRunView {
  name: string;
  kind: string;
  needs: string[];
  status: StageRunStatus;
  cached: boolean;
  /** The cache key it ran (or was found) with; null before it was computed. */
  key: string | null;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  /** The training job it ran as (job, train and dvc stages); its logs are the job's. */
  jobId: string | null;
  /** The tracking run it made or judged. */
  runId: string | null;
  model: { name: string; version: number } | null;
  deployment: string | null;
  /** Why it failed, or what it decided (a gate's numbers, "no Production model yet"). */
  message: string | null;
  /** What a built-in stage did, line by line (a job's own output is in its job's log). */
  log: string[];
}

export interface PipelineRunOptions {
  force: boolean;
  forceStages: string[];
  from: string | null;
  runner: 'docker' | 'process' | null;
}

export interface PipelineRunView {
  runId: string;
  file: string;
  name: string;
  status: PipelineRunStatus;
  reason: TriggerReasonView;
  options: PipelineRunOptions;
  createdAt: number;
  endedAt: number | null;
  /** The first failure, naming its stage. */
  error: string | null;
  stages: StageRunView[];
}

export interface TriggerView {
  triggerId: string;
  file: string;
  kind: Exclude<TriggerKind, 'manual'>;
  /** The cron expression, watched path, REPO:BRANCH, or deployment. */
  target: string;
  /** Written in the pipeline file (removed by editing it), or added from the app or command line. */
  source: 'file' | 'user';
  /** The next time a cron trigger fires; null for the others. */
  nextAt: number | null;
  /** A problem watching it (a path that disappeared, a branch that is gone); null when none. */
  problem: string | null;
}

export interface PipelineSummary {
  file: string;
  name: string;
  dialect: 'orrery' | 'dvc';
  stageCount: number;
  lastRun: { runId: string; status: PipelineRunStatus; createdAt: number; endedAt: number | null } | null;
  /** The soonest cron time among its triggers. */
  nextTriggerAt: number | null;
  triggers: TriggerView[];
  /** The file could not be read (deleted, invalid); its runs stay. */
  problem: string | null;
}

const file = z.string().trim().min(1, 'must be a pipeline file path').max(4096);
const stageName = z.string().trim().min(1, 'must name a stage').max(200);
const runId = z.string().trim().min(1, 'must be a pipeline run id').max(100);

export const triggerInputSchema = z.union([
  z.object({ cron: z.string().trim().min(1, 'must be a cron expression').max(200) }).strict(),
  z.object({ dataset: z.string().trim().min(1, 'must be a path').max(4096) }).strict(),
  z.object({ commit: z.string().trim().min(3, 'must be REPO:BRANCH').max(4096) }).strict(),
  z.object({ alert: z.string().trim().min(1, 'must name a deployment').max(63) }).strict(),
]);

export const pipelineMethods = {
  'pipelines.list': method<PipelineSummary[]>()(z.object({}).strict(), 'Pipelines this app has run or watches, with their last run and triggers.'),
  'pipelines.checkFile': method<{ name: string; dialect: 'orrery' | 'dvc'; stages: Array<{ name: string; kind: string; needs: string[] }> }>()(
    z.object({ file }).strict(),
    'Read and check a pipeline file (orrery.pipeline.yaml or dvc.yaml) without running it.',
  ),
  'pipelines.startRun': method<PipelineRunView>()(
    z
      .object({
        file,
        force: z.boolean().default(false),
        forceStages: z.array(stageName).max(200).default([]),
        from: stageName.optional(),
        runner: z.enum(['docker', 'process']).optional(),
      })
      .strict(),
    'Run a pipeline file: stages whose key and outputs are unchanged are cached. Refused (CONFLICT) while a run of the file is going; triggers that come during a run give one follow-up run.',
  ),
  'pipelines.getRun': method<PipelineRunView>()(z.object({ runId }).strict(), 'One pipeline run with every stage.'),
  'pipelines.getLatestRun': method<PipelineRunView | null>()(z.object({ file }).strict(), "A file's latest pipeline run, or null."),
  'pipelines.listRuns': method<PipelineRunView[]>()(
    z.object({ file: file.optional(), limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    'Pipeline runs, newest first, of one file or all.',
  ),
  'pipelines.cancel': method<PipelineRunView>()(z.object({ runId }).strict(), 'Cancel a running pipeline run: its running jobs are cancelled, nothing further starts.'),
  'pipelines.createTrigger': method<TriggerView>()(z.object({ file, trigger: triggerInputSchema }).strict(), 'Start a pipeline on a cron schedule, a dataset change, a new commit, or a firing alert.'),
  'pipelines.listTriggers': method<TriggerView[]>()(z.object({ file: file.optional() }).strict(), 'Triggers of one pipeline file or all.'),
  'pipelines.deleteTrigger': method<{ removed: true }>()(
    z.object({ triggerId: z.string().trim().min(1, 'must be a trigger id').max(100) }).strict(),
    'Remove a trigger added from the app or command line (one written in the file goes by editing the file).',
  ),
};

export interface PipelineRunEvent {
  runId: string;
  file: string;
  status: PipelineRunStatus;
  /** The stage that changed, if one did. */
  stage: string | null;
  /** Something a person must act on, told as a desktop notification (a stage waiting for approval). */
  notice?: { title: string; body: string } | null;
}

export const pipelineEvents = {
  'pipelines.run': event<PipelineRunEvent>('A pipeline run or one of its stages changed'),
  'pipelines.triggers': event<{ file: string }>("A pipeline's triggers changed"),
};
export type PipelineEvents = EventsOf<typeof pipelineEvents>;
