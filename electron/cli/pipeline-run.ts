import fs from 'node:fs';
import type { OrreryClient } from '../../shared/client';
import type { PipelineRunView, StageRunStatus } from '../../shared/contract/pipelines';
import { OrreryError } from '../../shared/errors';
import { connectToRunning } from './connection';
import type { DataDirSource } from './data-dir-check';
import type { PipelineCommand } from './pipeline-command';
import {
  cancelledText,
  notSucceededText,
  pipelinesTableText,
  runStatusText,
  stageChangeText,
  startedText,
  succeededText,
  triggerAddedText,
  triggerRemovedText,
  triggersTableText,
} from './pipeline-output';
import { stageChanges, watchPipelineRun } from './pipeline-wait';

export interface PipelineIo {
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
  now(): number;
}

/** Why `orrery pipeline` needs a running Orrery, in its message when none answers. */
export const PIPELINES_NEED = 'Pipelines are run and watched by a running Orrery';

/** `pipeline run --wait` on a run where a stage failed, or that was cancelled. */
export const PIPELINE_NOT_SUCCEEDED = 3;

/** Runs one `orrery pipeline …` command against the running Orrery; the exit status (failures throw). */
export async function runPipeline(command: PipelineCommand, dataDir: string, io: PipelineIo, source: DataDirSource = 'default'): Promise<number> {
  const connection = await connectToRunning(dataDir, { needs: PIPELINES_NEED, source });
  const { client } = connection;
  const print = (value: unknown, text: () => string) => io.out(`${command.json ? JSON.stringify(value, null, 2) : text()}\n`);
  try {
    switch (command.subcommand) {
      case 'run': {
        const run = await client.call('pipelines.startRun', {
          file: command.file,
          force: command.force,
          forceStages: command.forceStages,
          ...(command.from !== undefined ? { from: command.from } : {}),
          ...(command.runner !== undefined ? { runner: command.runner } : {}),
        });
        if (!command.wait) {
          await print(run, () => startedText(run));
          return 0;
        }
        return await waitForRun(client, run, command.json, io);
      }
      case 'status': {
        const run = await runToShow(client, command.target);
        if (run === null) await print(null, () => 'No pipeline has run yet: orrery pipeline run FILE runs one.');
        else await print(run, () => runStatusText(run, io.now()));
        return 0;
      }
      case 'list': {
        const pipelines = await client.call('pipelines.list', {});
        await print(pipelines, () => pipelinesTableText(pipelines));
        return 0;
      }
      case 'cancel': {
        const asked = await client.call('pipelines.cancel', { runId: command.runId });
        // Its running jobs are stopped in the background; what to print is how the run ended.
        const run = asked.status === 'running' ? await watchPipelineRun(client, asked.runId, () => undefined).ended : asked;
        await print(run, () => cancelledText(run));
        return 0;
      }
      case 'trigger add': {
        const trigger = await client.call('pipelines.createTrigger', { file: command.file, trigger: command.trigger });
        await print(trigger, () => triggerAddedText(trigger));
        return 0;
      }
      case 'trigger list': {
        const triggers = await client.call('pipelines.listTriggers', command.file !== undefined ? { file: command.file } : {});
        await print(triggers, () => triggersTableText(triggers));
        return 0;
      }
      case 'trigger remove': {
        const removed = await client.call('pipelines.deleteTrigger', { triggerId: command.triggerId });
        await print(removed, () => triggerRemovedText(command.triggerId));
        return 0;
      }
    }
  } finally {
    connection.close();
  }
}

/**
 * `pipeline run --wait`: each stage's status as it changes (text only), then 0 when the run
 * succeeded, 3 when it did not, with the failed stages named on stderr.
 */
async function waitForRun(client: OrreryClient, started: PipelineRunView, json: boolean, io: PipelineIo): Promise<number> {
  const seen = new Map<string, StageRunStatus>();
  // Printed in the order they are read; each write is awaited before the end is told.
  let printing = Promise.resolve();
  const show = (view: PipelineRunView): void => {
    if (json) return;
    const lines = stageChanges(seen, view).map((stage) => `${stageChangeText(stage)}\n`);
    if (lines.length > 0) printing = printing.then(() => io.out(lines.join('')));
  };
  if (!json) await io.out(`${startedText(started)}\n`);
  show(started);
  const run = await watchPipelineRun(client, started.runId, show).ended;
  await printing;
  if (run.status === 'succeeded') {
    await io.out(`${json ? JSON.stringify(run, null, 2) : succeededText(run, io.now())}\n`);
    return 0;
  }
  if (json) await io.out(`${JSON.stringify(run, null, 2)}\n`);
  await io.err(`orrery: ${notSucceededText(run)}\n`);
  return PIPELINE_NOT_SUCCEEDED;
}

/**
 * The run `pipeline status` shows: the newest of any pipeline when none is named; a file's latest
 * when the name is a file here (or reads as a path); else the run with that id.
 */
async function runToShow(client: OrreryClient, target: { text: string; file: string } | undefined): Promise<PipelineRunView | null> {
  if (target === undefined) return (await client.call('pipelines.listRuns', { limit: 1 }))[0] ?? null;
  const fileHere = isFile(target.file);
  if (fileHere || /[\\/]|\.ya?ml$/i.test(target.text)) {
    const latest = await client.call('pipelines.getLatestRun', { file: target.file });
    if (latest !== null) return latest;
    throw new OrreryError('NOT_FOUND', fileHere ? `${target.file} has not run yet: orrery pipeline run ${target.text} runs it.` : `No pipeline file ${target.file}, and no run of it.`);
  }
  try {
    return await client.call('pipelines.getRun', { runId: target.text });
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'NOT_FOUND') throw new OrreryError('NOT_FOUND', `No pipeline run '${target.text}', and no file ${target.file}.`);
    throw error;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
