import os from 'node:os';
import path from 'node:path';
import { resolveDataDir } from '../services/config/data-dir';
import { InlineCompute } from '../services/monitoring/compute/monitoring-compute';
import { connect } from './connection';
import { dataDirSource, requireExistingDataDir } from './data-dir-check';
import { runDeploy } from './deploy-run';
import { runJobs } from './jobs-run';
import { CLI_USAGE, parseCli, UsageError } from './models-command';
import { describeResult } from './models-output';
import { localDriftDeps, runMonitorDrift } from './monitor-drift-run';
import { runMonitoring } from './monitor-run';
import { runPipeline } from './pipeline-run';
import { watchPushProgress } from './push-progress';

/**
 * `orrery models|jobs|pipeline|deploy|monitor|alerts …`: the registry, training jobs, deployments and their
 * monitoring from scripts and CI. Exit 0 done, 1 failed, 2 bad usage; `monitor drift` 3 when the
 * datasets drift, `jobs wait` 3 when the job ended other than finished, `pipeline run --wait` 3
 * when a stage failed or the run was cancelled.
 */
async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCli(argv, { actor: defaultActor(), cwd: workingDir() });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await write(process.stderr, `orrery: ${error.message}\n\n${error.usage ?? CLI_USAGE}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    await write(process.stdout, `${command.text}\n`);
    return 0;
  }
  const out = (text: string) => write(process.stdout, text);
  // Two files compared here: no data dir, no running Orrery (a training pipeline gates on it).
  if (command.kind === 'monitor-drift') return runMonitorDrift(command, { out, err: (text) => write(process.stderr, text) }, localDriftDeps(new InlineCompute()));
  const flag = command.dataDir === undefined ? undefined : path.resolve(workingDir(), command.dataDir);
  const dataDir = resolveDataDir({ flag, env: process.env, platform: process.platform, homedir: os.homedir() });
  const source = dataDirSource(flag, process.env);
  requireExistingDataDir(dataDir, source);
  if (command.kind === 'pipeline') return runPipeline(command, dataDir, { out, err: (text) => write(process.stderr, text), now: Date.now }, source);
  if (command.kind === 'jobs') return runJobs(command, dataDir, { out, err: (text) => write(process.stderr, text), now: Date.now }, source);
  if (command.kind === 'deploy') {
    // Only a follow waits for Ctrl-C; any other command keeps the default (Ctrl-C ends it at once).
    const stopped = command.follow
      ? new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        })
      : new Promise<void>(() => undefined);
    return runDeploy(command, dataDir, { out: (text) => write(process.stdout, text), err: (text) => write(process.stderr, text), stopped }, source);
  }
  if (command.kind === 'monitoring') return runMonitoring(command, dataDir, { out, now: Date.now }, source);
  const connection = await connect(dataDir);
  try {
    const { call } = command;
    const stopProgress = call.method === 'registry.push' && process.stderr.isTTY ? watchPushProgress(connection.client, call.input, process.stderr) : () => undefined;
    let result: unknown;
    try {
      result = await connection.client.call(call.method, call.input);
    } finally {
      stopProgress();
    }
    await write(process.stdout, `${command.json ? JSON.stringify(result, null, 2) : describeResult(command.subcommand, result)}\n`);
    return 0;
  } finally {
    connection.close();
  }
}

/** `npm run orrery` runs us from the package root; relative paths mean the caller's folder, INIT_CWD. */
function workingDir(): string {
  return process.env.npm_lifecycle_event === 'orrery' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

function defaultActor(): string {
  if (process.env.USER) return process.env.USER;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USERNAME ?? '';
  }
}

/** Resolves once the text is handed to the OS, so exiting right after loses nothing. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    await write(process.stderr, `orrery: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
