import type { OrreryClient } from '../../shared/client';
import type { Job, JobLogLine } from '../../shared/contract/training';
import type { JobSpecInput } from '../../shared/contract/training-spec';
import { OrreryError } from '../../shared/errors';
import { connectToRunning } from './connection';
import type { JobsCommand, SubmitOptions } from './jobs-command';
import { hasEnded, watchJobEnd } from './jobs-end-watch';
import { followJobLogs, WHOLE_LOG } from './jobs-logs-follow';
import { cancelledText, endedOtherwiseText, finishedText, jobsTableText, logLineText, submittedText } from './jobs-output';
import { newJobSpec, rerunSpec } from './jobs-spec';

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
export async function runJobs(command: JobsCommand, dataDir: string, io: JobsIo): Promise<number> {
  const connection = await connectToRunning(dataDir, JOBS_NEED);
  const { client } = connection;
  const print = (value: unknown, text: () => string) => io.out(`${command.json ? JSON.stringify(value, null, 2) : text()}\n`);
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
          const job = await followJobLogs(client, { id: command.id, ...(command.tail !== undefined ? { tail: command.tail } : {}) }, (l) => void io.out(line(l)));
          if (job.status !== 'finished') await io.err(`orrery: ${endedOtherwiseText(job)}\n`);
          return 0;
        }
        const lines = await client.call('training.getLogs', { jobId: command.id, tail: command.tail ?? WHOLE_LOG });
        if (command.json) await io.out(`${JSON.stringify(lines, null, 2)}\n`);
        else await io.out(lines.map(line).join(''));
        return 0;
      }
      case 'cancel': {
        const asked = await client.call('training.cancel', { jobId: command.id });
        // A running job is stopped in the background; what to print is how it ended.
        const job = hasEnded(asked) ? asked : await watchJobEnd(client, asked.jobId).ended;
        await print(job, () => cancelledText(job));
        return 0;
      }
      case 'wait': {
        const job = await watchJobEnd(client, command.id).ended;
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
    if (error instanceof OrreryError && error.code === 'INVALID_INPUT') throw new OrreryError('INVALID_INPUT', inOptionWords(error.message));
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
};

/** "resources.gpus: asks for 1 GPU …" → "--gpus: asks for 1 GPU …": the refusal names what the person typed. */
function inOptionWords(message: string): string {
  const match = /^(?:spec\.)?([\w.]+): /.exec(message);
  const option = match ? OPTION_OF_FIELD[match[1]!] : undefined;
  return option === undefined ? message : `${option}: ${message.slice(match![0].length)}`;
}

/** The job behind `--from` (a run id, or the job's own id); a run no job made has no spec to re-run. */
async function jobThatMade(client: OrreryClient, id: string): Promise<Job> {
  try {
    return await client.call('training.getJob', { jobId: id });
  } catch (error) {
    if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
  }
  let name: string;
  try {
    name = (await client.call('tracking.getRun', { runId: id })).name;
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'NOT_FOUND') throw new OrreryError('NOT_FOUND', `--from: no run or job with id ${id}.`);
    throw error;
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
