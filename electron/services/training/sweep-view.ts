import { z } from 'zod';
import { SWEEP_SPACE_TAG, SWEEP_TAG, type SweepTrial, type SweepView } from '../../../shared/contract/training';
import { paramSpaceSchema, type ParamSpace, type SweepSpec } from '../../../shared/contract/training-spec';
import { invalid, OrreryError } from '../../../shared/errors';
import type { JobRepository, StoredJob } from './job-repository';
import type { RunTracker } from './ports';

export const SWEEP_STRATEGY_TAG = 'orrery.sweep.strategy';
export const SWEEP_OBJECTIVE_TAG = 'orrery.sweep.objective';
export const SWEEP_SEED_TAG = 'orrery.sweep.seed';
export const SWEEP_MAX_TRIALS_TAG = 'orrery.sweep.max_trials';
export const SWEEP_MAX_PARALLEL_TAG = 'orrery.sweep.max_parallel';

export interface SweepReaderDeps {
  jobs: Pick<JobRepository, 'sweepJobs'>;
  tracking: Pick<RunTracker, 'getRun'>;
}

/** "min val_loss" → { mode: 'min', metric: 'val_loss' }; null for anything else. */
export function parseObjective(text: string | undefined): SweepSpec['objective'] | null {
  const match = /^(min|max) (.+)$/.exec(text ?? '');
  return match ? { mode: match[1] as 'min' | 'max', metric: match[2]! } : null;
}

const spaceSchema = z.record(z.string().min(1), paramSpaceSchema);

/** The recorded space; null when absent or no longer a space (tags can be edited by hand). */
function parseSpace(text: string | undefined): Record<string, ParamSpace> | null {
  if (text === undefined) return null;
  try {
    const parsed = spaceSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function wholeNumber(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Best first by the objective's mode; trials without a value after them. Both keep trial order
 * among equals (Array.prototype.sort is stable), so ties go to the earlier trial, as bestTrial does.
 */
export function rankTrials<T extends { objectiveValue: number | null }>(trials: readonly T[], mode: 'min' | 'max' | null): T[] {
  if (mode === null) return [...trials];
  const scored = trials.filter((t) => t.objectiveValue !== null);
  const unscored = trials.filter((t) => t.objectiveValue === null);
  scored.sort((a, b) => (mode === 'min' ? a.objectiveValue! - b.objectiveValue! : b.objectiveValue! - a.objectiveValue!));
  return [...scored, ...unscored];
}

/** A retried trial keeps one row: its latest attempt, where its first attempt stood. */
function latestAttempts(jobs: readonly StoredJob[]): StoredJob[] {
  const byRoot = new Map<string, StoredJob>();
  for (const job of jobs) {
    const seen = byRoot.get(job.rootJobId);
    if (!seen || job.attempt > seen.attempt) byRoot.set(job.rootJobId, job);
  }
  return [...byRoot.values()];
}

/** For a sweep whose space was not recorded: the hyperparameters whose values differ between trials. */
function varyingParams(jobs: readonly StoredJob[]): string[] {
  const keys = new Set(jobs.flatMap((job) => Object.keys(job.spec.hyperparameters)));
  return [...keys].filter((key) => new Set(jobs.map((job) => JSON.stringify(job.spec.hyperparameters[key] ?? null))).size > 1);
}

/** A sweep read back from its parent run's tags and its trials' jobs and runs. */
export class SweepReader {
  constructor(private readonly deps: SweepReaderDeps) {}

  read(runId: string): SweepView {
    const { jobs, tracking } = this.deps;
    const parent = tracking.getRun(runId);
    const trialJobs = latestAttempts(jobs.sweepJobs(runId));
    if (parent.tags[SWEEP_TAG] !== 'true' && trialJobs.length === 0) {
      throw invalid(`runId: run ${runId} is not a sweep (it has no ${SWEEP_TAG} tag and no trials).`);
    }
    const tags = parent.tags;
    const objective = parseObjective(tags[SWEEP_OBJECTIVE_TAG]);
    const strategy = tags[SWEEP_STRATEGY_TAG];
    const space = parseSpace(tags[SWEEP_SPACE_TAG]);
    const sweptParams = space ? Object.keys(space) : varyingParams(trialJobs);
    const trials = rankTrials(
      trialJobs.map((job) => this.trial(job, sweptParams, objective?.metric ?? null)),
      objective?.mode ?? null,
    );
    const best = objective ? trials.find((t) => t.objectiveValue !== null) : undefined;
    return {
      parentRunId: runId,
      strategy: strategy === 'grid' || strategy === 'random' ? strategy : null,
      objective,
      space,
      maxTrials: wholeNumber(tags[SWEEP_MAX_TRIALS_TAG]),
      maxParallel: wholeNumber(tags[SWEEP_MAX_PARALLEL_TAG]),
      seed: wholeNumber(tags[SWEEP_SEED_TAG]),
      sweptParams,
      bestRunId: best?.runId ?? null,
      trials,
    };
  }

  private trial(job: StoredJob, sweptParams: readonly string[], metric: string | null): SweepTrial {
    const params: SweepTrial['params'] = {};
    for (const key of sweptParams) {
      const value = job.spec.hyperparameters[key];
      if (value !== undefined) params[key] = value;
    }
    return {
      runId: job.runId,
      jobId: job.jobId,
      name: job.name,
      params,
      objectiveValue: metric === null ? null : this.objectiveValue(job.runId, metric),
      status: job.status,
      attempt: job.attempt,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
    };
  }

  private objectiveValue(runId: string, metric: string): number | null {
    try {
      const value = Number(this.deps.tracking.getRun(runId).metrics[metric]?.value ?? Number.NaN);
      return Number.isFinite(value) ? value : null;
    } catch (error) {
      // A trial whose run was removed has no value; anything else is a real failure.
      if (error instanceof OrreryError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}
