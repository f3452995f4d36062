import type { JobSpecInput } from '../../../../shared/contract/training-spec';
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
  const submitted = await context.call('training.submit', { spec });
  context.update({ jobId: submitted.jobId, runId: submitted.runId });
  context.log(`job ${submitted.jobId} queued (run ${submitted.runId})`);
  const job = await waitForJob(submitted.jobId, context);
  if (job.status === 'finished') return { runId: job.runId };
  if (job.status === 'cancelled') throw new StageFailure(`job ${job.jobId} was cancelled${job.reason ? `: ${job.reason}` : ''}`);
  throw new StageFailure(`job ${job.jobId} failed${job.reason ? `: ${job.reason}` : ''} (see its log)`);
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
