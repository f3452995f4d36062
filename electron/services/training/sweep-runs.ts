import { PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { SWEEP_SPACE_TAG, SWEEP_TAG, type Job, type SweepSubmitted } from '../../../shared/contract/training';
import { limits } from '../../../shared/tracking-limits';
import type { JobSpec, SweepSpec } from '../../../shared/contract/training-spec';
import type { JobBook } from './job-book';
import type { JobIntake } from './job-intake';
import type { JobRepository } from './job-repository';
import type { RunTag, RunTracker } from './ports';
import { parseObjective, SWEEP_MAX_PARALLEL_TAG, SWEEP_MAX_TRIALS_TAG, SWEEP_OBJECTIVE_TAG, SWEEP_SEED_TAG, SWEEP_STRATEGY_TAG } from './sweep-view';
import { bestTrial, type SweepPlan } from './sweep-planner';

export interface SweepRunsDeps {
  book: JobBook;
  jobs: JobRepository;
  tracking: RunTracker;
  intake: JobIntake;
  /** Hashes the datasets the trials share, once for all of them. */
  hashInputs: (jobIds: string[], spec: JobSpec) => void;
}

/**
 * The search space, kept on the parent so its page can show it. A space too long for a tag (a list
 * of thousands of values) is left out: the page then says it was not recorded.
 */
function spaceTags(sweep: SweepSpec): RunTag[] {
  const space = JSON.stringify(sweep.space);
  return [
    ...(space.length <= limits.tagValueLength ? [{ key: SWEEP_SPACE_TAG, value: space }] : []),
    { key: SWEEP_MAX_TRIALS_TAG, value: String(sweep.maxTrials) },
    { key: SWEEP_MAX_PARALLEL_TAG, value: String(sweep.maxParallel) },
  ];
}

/**
 * Sweeps: one parent run, and one queued trial (a child run) per point of the planned search
 * space. The parent shows the best trial so far and finishes with the last trial.
 */
export class SweepRuns {
  /** Each sweep's objective, by parent run; read back from the parent's tag after a restart. */
  private readonly objectives = new Map<string, SweepSpec['objective']>();

  constructor(private readonly deps: SweepRunsDeps) {}

  /** Queues the plan's trials under a new parent run. */
  expand(spec: JobSpec, sweep: SweepSpec, plan: SweepPlan): SweepSubmitted {
    const { tracking, intake, book } = this.deps;
    const experimentId = intake.experimentFor(spec.experiment);
    const parent = tracking.createRun({
      experimentId,
      name: `${spec.name} (sweep)`,
      tags: [
        { key: SWEEP_TAG, value: 'true' },
        { key: SWEEP_STRATEGY_TAG, value: sweep.strategy },
        { key: SWEEP_OBJECTIVE_TAG, value: `${sweep.objective.mode} ${sweep.objective.metric}` },
        ...(plan.seed !== null ? [{ key: SWEEP_SEED_TAG, value: String(plan.seed) }] : []),
        ...spaceTags(sweep),
      ],
    });
    const jobs: Job[] = [];
    for (const [i, trial] of plan.trials.entries()) {
      const trialSpec: JobSpec = { ...spec, name: `${spec.name} #${i + 1}`, hyperparameters: { ...spec.hyperparameters, ...trial } };
      jobs.push(
        intake.enqueue(trialSpec, 1, null, {
          sweepRunId: parent.runId,
          maxParallel: sweep.maxParallel,
          extraTags: [{ key: PARENT_RUN_TAG, value: parent.runId }],
          deferHashing: true,
        }),
      );
    }
    this.objectives.set(parent.runId, sweep.objective);
    // The trials mount the same datasets: one hash serves them all.
    if (jobs.some((job) => job.stage === 'hashing-inputs')) this.deps.hashInputs(jobs.map((job) => job.jobId), spec);
    return { parentRunId: parent.runId, jobs: jobs.map((job) => book.get(job.jobId)), warning: plan.warning ?? null };
  }

  /** The sweep's parent shows the best trial so far, and finishes with the last trial. */
  update(sweepRunId: string): void {
    const { tracking, jobs, book } = this.deps;
    const trials = jobs.sweepJobs(sweepRunId);
    const objective = this.objectives.get(sweepRunId) ?? parseObjective(tracking.getRun(sweepRunId).tags[SWEEP_OBJECTIVE_TAG]);
    if (!objective) return;
    const scored = trials.map((t) => {
      const metric = tracking.getRun(t.runId).metrics[objective.metric];
      const value = metric === undefined ? null : Number(metric.value);
      return { runId: t.runId, value };
    });
    const best = bestTrial(scored, objective.mode);
    const tags = best ? [{ key: 'orrery.sweep.best_run_id', value: best.runId }, { key: 'orrery.sweep.best_value', value: String(best.value) }] : [];
    const metrics = best && best.value !== null ? [{ key: `best_${objective.metric}`, value: best.value, step: trials.filter((t) => t.endedAt).length, timestamp: book.now() }] : [];
    try {
      tracking.logBatch(sweepRunId, { metrics, params: [], tags });
      if (trials.every((t) => t.status !== 'queued' && t.status !== 'running')) {
        tracking.updateRun(sweepRunId, { status: trials.some((t) => t.status === 'finished') ? 'FINISHED' : 'FAILED', endTime: book.now() });
      }
    } catch {
      // The parent run was deleted: the trials still stand on their own.
    }
  }
}
