import type { OrreryClient } from '../../shared/client';
import { SWEEP_TAG, type Job, type JobLogLine } from '../../shared/contract/training';
import type { JobSpecInput } from '../../shared/contract/training-spec';
import { OrreryError } from '../../shared/errors';
import { connectToRunning } from './connection';
import type { DataDirSource } from './data-dir-check';
import type { JobsCommand, SubmitOptions } from './jobs-command';
import { hasEnded, watchJobEnd } from './jobs-end-watch';
import { followJobLogs, WHOLE_LOG } from './jobs-logs-follow';
import { cancelledText, endedOtherwiseText, finishedText, jobsTableText, logLineText, submittedText } from './jobs-output';
import { followAttempts } from './jobs-retry-chain';
import { newJobSpec, rerunSpec } from './jobs-spec';
import { refuseUnknownJob } from './jobs-sweep-parent';

export interface JobsIo {
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
  now(): number;
}

/** Why `orrery jobs` needs a running Orrery, in its message when none answers. */
export const JOBS_NEED = 'Jobs are queued and run by a running Orrery';

/** `jobs wait` on a job that ended other than finished. */
export const ENDED_OTHERWISE = 3;

/** Runs one `orrery jobs …` command against the running Orrery; the exit status (failures throw). */
export async function runJobs(command: JobsCommand, dataDir: string, io: JobsIo, source: DataDirSource = 'default'): Promise<number> {
  const connection = await connectToRunning(dataDir, { needs: JOBS_NEED, source });
  const { client } = connection;
  const print = (value: unknown, text: () => string) => io.out(`${command.json ? JSON.stringify(value, null, 2) : text()}\n`);
  const tell = (text: string) => io.err(`orrery: ${text}\n`);
  /** A NOT_FOUND for the id given: when it is a sweep's parent run, the refusal says so and names the trials. */
  const orSweepParent = async <T>(verb: 'wait' | 'logs' | 'cancel', act: () => Promise<T>): Promise<T> => {
    try {
      return await act();
    } catch (error) {
      if (error instanceof OrreryError && error.code === 'NOT_FOUND' && 'id' in command) return refuseUnknownJob(client, command.id, error, verb);
      throw error;
    }
  };
  try {
    switch (command.subcommand) {
      case 'submit': {
        const { job, fromRunId } = await submit(client, command.options, command.from);
        await print(job, () => submittedText(job, fromRunId));
        return 0;
      }
      case 'list': {
        const jobs = await client.call('training.listJobs', command.statuses.length > 0 ? { status: command.statuses } : {});
        await print(jobs, () => jobsTableText(jobs, io.now()));
        return 0;
      }
      case 'logs': {
        // One JSON object per line when following, so a script can read the stream as it comes.
        const line = (l: JobLogLine) => `${command.json ? JSON.stringify(l) : logLineText(l)}\n`;
        if (command.follow) {
          const { tail } = command;
          // --tail limits the first attempt's earlier lines; a later attempt's log is printed whole.
          const follow = (id: string) => followJobLogs(client, { id, ...(tail !== undefined && id === command.id ? { tail } : {}) }, (l) => void io.out(line(l)));
          const job = await orSweepParent('logs', () => followAttempts(client, command.id, follow, tell));
          if (job.status !== 'finished') await io.err(`orrery: ${endedOtherwiseText(job)}\n`);
          return 0;
        }
        const lines = await orSweepParent('logs', () => client.call('training.getLogs', { jobId: command.id, tail: command.tail ?? WHOLE_LOG }));
        if (command.json) await io.out(`${JSON.stringify(lines, null, 2)}\n`);
        else await io.out(lines.map(line).join(''));
        return 0;
      }
      case 'cancel': {
        const asked = await orSweepParent('cancel', () => client.call('training.cancel', { jobId: command.id }));
        // A running job is stopped in the background; what to print is how it ended.
        const job = hasEnded(asked) ? asked : await watchJobEnd(client, asked.jobId).ended;
        await print(job, () => cancelledText(job));
        return 0;
      }
      case 'wait': {
        const job = await orSweepParent('wait', () => followAttempts(client, command.id, (id) => watchJobEnd(client, id).ended, tell));
        if (job.status === 'finished') {
          await print(job, () => finishedText(job, io.now()));
          return 0;
        }
        if (command.json) await io.out(`${JSON.stringify(job, null, 2)}\n`);
        await io.err(`orrery: ${endedOtherwiseText(job)}\n`);
        return ENDED_OTHERWISE;
      }
    }
  } finally {
    connection.close();
  }
}

async function submit(client: OrreryClient, options: SubmitOptions, from: string | undefined): Promise<{ job: Job; fromRunId?: string }> {
  let spec: JobSpecInput;
  let fromRunId: string | undefined;
  if (from === undefined) spec = newJobSpec(options);
  else {
    const made = await jobThatMade(client, from);
    spec = rerunSpec(made.spec, options);
    fromRunId = made.runId;
  }
  await checkPaths(client, options);
  try {
    const job = await client.call('training.submit', { spec, ...(fromRunId ? { fromRunId } : {}) });
    return { job, ...(fromRunId ? { fromRunId } : {}) };
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'INVALID_INPUT') throw new OrreryError('INVALID_INPUT', inOptionWords(error.message, spec, options));
    throw error;
  }
}

/** The spec fields the command line sets, by the option that sets them. */
const OPTION_OF_FIELD: Record<string, string> = {
  'resources.gpus': '--gpus',
  'resources.cpus': '--cpus',
  'resources.memoryGb': '--memory-gb',
  image: '--image',
  name: '--name',
  experiment: '--experiment',
  command: 'CMD',
  priority: '--priority',
  retries: '--retries',
  runner: '--runner',
};

/**
 * "resources.gpus: asks for 1 GPU …" → "--gpus: asks for 1 GPU …": the refusal names what the
 * person typed. A mount's field ("mounts[1].target") names the option that made that mount.
 */
export function inOptionWords(message: string, spec: Pick<JobSpecInput, 'mounts'>, options: SubmitOptions): string {
  const match = /^(?:spec\.)?([\w.[\]]+): /.exec(message);
  if (!match) return message;
  const field = match[1]!;
  const mountAt = /^mounts\[(\d+)\]/.exec(field);
  const option = mountAt ? mountOption(spec, Number(mountAt[1]), options) : OPTION_OF_FIELD[field];
  return option === undefined ? message : `${option}: ${message.slice(match[0].length)}`;
}

/** The option behind the spec's i-th mount; undefined for one kept from the job `--from` re-runs. */
function mountOption(spec: Pick<JobSpecInput, 'mounts'>, index: number, options: SubmitOptions): string | undefined {
  const mount = spec.mounts?.[index];
  if (mount === undefined) return undefined;
  if (mount.kind === 'workspace') return options.workspace ? '--workspace' : undefined;
  const given = options.datasets.findIndex((d) => d.source === mount.source && d.target === mount.target);
  if (given === -1) return undefined;
  return options.datasets.length > 1 ? `--dataset ${mount.source}` : '--dataset';
}

/** The job behind `--from` (a run id, or the job's own id); a run no job made has no spec to re-run. */
async function jobThatMade(client: OrreryClient, id: string): Promise<Job> {
  try {
    return await client.call('training.getJob', { jobId: id });
  } catch (error) {
    if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
  }
  let run: { name: string; tags: Record<string, string> };
  try {
    run = await client.call('tracking.getRun', { runId: id });
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'NOT_FOUND') throw new OrreryError('NOT_FOUND', `--from: no run or job with id ${id}.`);
    throw error;
  }
  const name = run.name;
  // A sweep's parent run only groups its trials; each trial is a job that can be re-run.
  if (run.tags[SWEEP_TAG] === 'true') {
    throw new OrreryError(
      'INVALID_INPUT',
      `--from: run ${id} (${name}) is the parent run of a sweep; it has no job spec of its own. Re-run one of its trials (see orrery jobs list or the run's page), or submit the sweep again.`,
    );
  }
  throw new OrreryError(
    'INVALID_INPUT',
    `--from: run ${id} (${name}) was not made by an Orrery job, so there is no job spec to re-run; submit it with --image I … -- CMD instead.`,
  );
}

/** The host paths given on the command line, checked as the job would mount them, each error naming its option. */
async function checkPaths(client: OrreryClient, options: SubmitOptions): Promise<void> {
  const check = async (option: string, source: string, kind: 'dataset' | 'workspace') => {
    try {
      return await client.call('training.checkHostPath', { source, kind });
    } catch (error) {
      if (error instanceof OrreryError && error.code === 'INVALID_INPUT') throw new OrreryError('INVALID_INPUT', `${option}: ${error.message.replace(/^source: /, '')}`);
      throw error;
    }
  };
  if (options.workspace) {
    const found = await check('--workspace', options.workspace.source, 'workspace');
    if (found.kind !== 'folder') throw new OrreryError('INVALID_INPUT', `--workspace: ${options.workspace.source} is a file; a workspace is a folder (it becomes /workspace).`);
  }
  for (const dataset of options.datasets) await check('--dataset', dataset.source, 'dataset');
}
