import type { PipelineRunOptions, StageRunView } from '../../../../shared/contract/pipelines';
import type { PipelineDefinition, StageDefinition } from '../pipeline-definition';
import type { StageResult } from '../pipeline-repository';
import type { AppCall, AppEvents } from '../ports';

/** What one stage gets to run with. */
export interface StageContext<S extends StageDefinition = StageDefinition> {
  stage: S;
  definition: PipelineDefinition;
  options: PipelineRunOptions;
  /** The runner stages run with: the one asked for, else Docker when an engine answers. */
  runner: 'docker' | 'process';
  /** What each finished (or cached) stage before this one produced, by stage name. */
  upstream: ReadonlyMap<string, StageResult>;
  call: AppCall;
  events: AppEvents;
  /** A line of what the stage did, for the pipeline run's page and `orrery pipeline status`. */
  log(line: string): void;
  /** Shows progress at once (the job it started, a version waiting for approval). */
  update(patch: Partial<Pick<StageRunView, 'status' | 'jobId' | 'runId' | 'model' | 'deployment' | 'message'>>): void;
  /** Aborted when the pipeline run is cancelled, or when the app closes (then the run resumes at the next start). */
  signal: AbortSignal;
  /** Whether `signal` aborted because the run was cancelled (not because the app is closing). */
  cancelled(): boolean;
  now(): number;
}

/** What a stage made; kept for later cache hits and handed to the stages after it. */
export interface StageOutcome {
  runId?: string | null;
  model?: { name: string; version: number } | null;
  deployment?: string | null;
  message?: string | null;
}

/** A stage that ran and failed (its message names why); a bug is any other error. */
export class StageFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageFailure';
  }
}

/** The run id of the train (or job) stage a stage reads from. */
export function upstreamRun(context: StageContext, from: string): string {
  const result = context.upstream.get(from);
  if (!result?.runId) throw new StageFailure(`stage '${from}' made no run to read`);
  return result.runId;
}
