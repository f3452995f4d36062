import type { JobSpecInput, SweepSpec } from '../../../../shared/contract/training-spec';
import type { CommandStage, JobStage, TrainStage } from '../pipeline-definition';
import { StageFailure, type StageContext, type StageOutcome } from './stage-context';
import { waitForJob } from './job-waiter';

/**
 * Job, train and command (dvc.yaml) stages run as training jobs through the queue, so GPUs are
 * never given twice and independent stages run side by side as far as the machine allows. The
 * pipeline's folder is their writable workspace, mounted at the same path (running the file is
 * the user's consent to that), so paths in commands mean the same inside and out.
 */
export async function runJobStage(context: StageContext<JobStage | TrainStage | CommandStage>): Promise<StageOutcome> {
  const spec = jobSpecFor(context);
  if (context.stage.kind === 'train' && context.stage.sweep) return runSweep(context, spec, context.stage.sweep);
  const submitted = await context.call('training.submit', { spec });
  context.update({ jobId: submitted.jobId, runId: submitted.runId });
  context.log(`job ${submitted.jobId} queued (run ${submitted.runId})`);
  const job = await waitForJob(submitted.jobId, context);
  if (job.status === 'finished') return { runId: job.runId };
  if (job.status === 'cancelled') throw new StageFailure(`job ${job.jobId} was cancelled${job.reason ? `: ${job.reason}` : ''}`);
  throw new StageFailure(`job ${job.jobId} failed${job.reason ? `: ${job.reason}` : ''} (see its log)`);
}

/**
 * A sweep: every trial runs through the queue (side by side up to its max_parallel); the stage
 * waits for all of them, and its run is the best trial by the sweep's objective. It fails only
 * when no trial logged the objective (a few failed trials are what sweeps are for).
 */
async function runSweep(context: StageContext, spec: JobSpecInput, sweep: SweepSpec): Promise<StageOutcome> {
  const submitted = await context.call('training.submitSweep', { spec, sweep });
  context.update({ runId: submitted.parentRunId, jobId: submitted.jobs[0]?.jobId ?? null });
  context.log(`sweep ${submitted.parentRunId}: ${submitted.jobs.length} trials queued${submitted.warning ? ` (${submitted.warning})` : ''}`);
  return followSweep(context, submitted.parentRunId);
}

/** Waits for every trial of a sweep (also one a restarted app finds half done), then takes the best. */
export async function followSweep(context: Pick<StageContext, 'call' | 'events' | 'signal' | 'cancelled' | 'log'>, parentRunId: string): Promise<StageOutcome> {
  const trials = (await context.call('training.getSweep', { runId: parentRunId })).trials;
  const ended = await Promise.all(trials.map((trial) => waitForJob(trial.jobId, context)));
  if (context.cancelled()) throw new StageFailure('cancelled');
  const finished = ended.filter((job) => job.status === 'finished').length;
  const view = await context.call('training.getSweep', { runId: parentRunId });
  context.log(`${finished} of ${ended.length} trials finished`);
  const objective = view.objective ? `${view.objective.mode} ${view.objective.metric}` : 'the objective';
  if (view.bestRunId === null) throw new StageFailure(`no trial of sweep ${parentRunId} logged ${view.objective?.metric ?? 'the objective'}`);
  const best = view.trials.find((trial) => trial.runId === view.bestRunId);
  context.log(`best trial: run ${view.bestRunId}${best ? ` (${view.objective?.metric ?? 'objective'} ${String(best.objectiveValue)})` : ''}`);
  return { runId: view.bestRunId, message: `best of ${ended.length} trials (${objective})` };
}

export function jobSpecFor(context: StageContext<JobStage | TrainStage | CommandStage>): JobSpecInput {
  const { stage, definition, runner } = context;
  const workspace = { source: definition.folder, target: definition.folder, kind: 'workspace' as const, writable: true };
  if (stage.kind === 'cmd') {
    return {
      name: `${definition.name}/${stage.name}`,
      experiment: definition.name,
      image: stage.image,
      // As DVC does: each command on its own, in order; the first that fails fails the stage.
      command: ['sh', '-c', stage.cmd.map((cmd) => `sh -c ${shellQuote(cmd)}`).join(' && ')],
      mounts: [workspace],
      workingDir: stage.wdir,
      runner,
    };
  }
  const job = stage.job;
  return {
    ...job,
    name: job.name ?? `${definition.name}/${stage.name}`,
    experiment: job.experiment ?? definition.name,
    mounts: [...(job.mounts ?? []).filter((m) => m.target !== definition.folder), workspace],
    workingDir: job.workingDir ?? definition.folder,
    runner,
  };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, '\'\\\'\'')}'`;
}
