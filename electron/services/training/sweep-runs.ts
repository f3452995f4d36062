import { PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import type { Job, SweepSubmitted } from '../../../shared/contract/training';
import type { JobSpec, SweepSpec } from '../../../shared/contract/training-spec';
import type { JobBook } from './job-book';
import type { JobIntake } from './job-intake';
import type { JobRepository } from './job-repository';
import type { RunTracker } from './ports';
import { bestTrial, type SweepPlan } from './sweep-planner';

export interface SweepRunsDeps {
  book: JobBook;
  jobs: JobRepository;
  tracking: RunTracker;
  intake: JobIntake;
  /** Hashes the datasets the trials share, once for all of them. */
  hashInputs: (jobIds: string[], spec: JobSpec) => void;
}

function parseObjective(text: string | undefined): SweepSpec['objective'] | null {
  const match = /^(min|max) (.+)$/.exec(text ?? '');
  return match ? { mode: match[1] as 'min' | 'max', metric: match[2]! } : null;
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
        { key: 'orrery.sweep', value: 'true' },
        { key: 'orrery.sweep.strategy', value: sweep.strategy },
        { key: 'orrery.sweep.objective', value: `${sweep.objective.mode} ${sweep.objective.metric}` },
        ...(plan.seed !== null ? [{ key: 'orrery.sweep.seed', value: String(plan.seed) }] : []),
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
    const objective = this.objectives.get(sweepRunId) ?? parseObjective(tracking.getRun(sweepRunId).tags['orrery.sweep.objective']);
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
