import type { JobStatus } from '../../../shared/contract/training';
import type { RunStatus } from '../../../shared/contract/tracking';
import type { JobExit } from './job-launcher';

/** Why Orrery itself stopped a job, when it did. */
export type StopCause = { kind: 'cancel' } | { kind: 'timeout'; seconds: number } | { kind: 'early-stop'; reason: string };

export interface Outcome {
  job: JobStatus;
  run: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;
  reason: string;
}

/** Turns how a job ended into the job's and the run's status and a reason a user can read. */
export function outcomeOf(exit: JobExit, cause: StopCause | null, memoryGb?: number): Outcome {
  if (cause?.kind === 'cancel') return { job: 'cancelled', run: 'KILLED', reason: 'cancelled by the user' };
  if (cause?.kind === 'timeout') return { job: 'failed', run: 'KILLED', reason: `stopped: it ran past its time limit of ${formatSeconds(cause.seconds)}` };
  if (cause?.kind === 'early-stop') return { job: 'finished', run: 'FINISHED', reason: cause.reason };
  if (exit.oomKilled) {
    const limit = memoryGb === undefined ? '' : ` of ${memoryGb} GB`;
    return { job: 'failed', run: 'FAILED', reason: `killed: out of memory (the job's memory limit${limit} was reached)` };
  }
  if (exit.error) return { job: 'failed', run: 'FAILED', reason: exit.error };
  if (exit.exitCode === 0) return { job: 'finished', run: 'FINISHED', reason: 'exited with code 0' };
  if (exit.exitCode === 137) return { job: 'failed', run: 'KILLED', reason: 'killed from outside Orrery (SIGKILL, exit code 137)' };
  if (exit.exitCode === 143) return { job: 'failed', run: 'KILLED', reason: 'terminated from outside Orrery (SIGTERM, exit code 143)' };
  if (exit.exitCode === null) return { job: 'failed', run: 'FAILED', reason: 'ended without an exit code' };
  return { job: 'failed', run: 'FAILED', reason: `exited with code ${exit.exitCode}` };
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
