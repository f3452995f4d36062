import type { DeploymentLogLine } from '../../shared/contract/serving';
import { connectToRunning } from './connection';
import type { DataDirSource } from './data-dir-check';
import type { DeployCommand } from './deploy-command';
import { followLogs } from './deploy-logs-follow';
import { deployErrorHint, deployNote, describeDeployResult, logLineText } from './deploy-output';

export interface DeployIo {
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
  /** Resolves on Ctrl-C (or SIGTERM): ends `logs --follow`. */
  stopped: Promise<void>;
}

/** Runs one `orrery deploy …` command against the running Orrery; the exit status (failures throw). */
export async function runDeploy(command: DeployCommand, dataDir: string, io: DeployIo, source: DataDirSource = 'default'): Promise<number> {
  const connection = await connectToRunning(dataDir, { source });
  try {
    const { call } = command;
    if (call.method === 'serving.readLogs' && command.follow) {
      // One JSON object per line when following, so a script can read the stream as it comes.
      const print = (line: DeploymentLogLine) => void io.out(`${command.json ? JSON.stringify(line) : logLineText(line)}\n`);
      const end = await followLogs(connection.client, { name: call.input.name, ...(call.input.tail !== undefined ? { tail: call.input.tail } : {}), stopped: io.stopped }, print);
      if (end === 'deleted') await io.err(`orrery: deployment ${call.input.name} was deleted\n`);
      return 0;
    }
    let result: unknown;
    try {
      result = await connection.client.call(call.method, call.input as never);
    } catch (error) {
      // Orrery's message stays first (the caller prints it); the hint goes under it.
      const hint = error instanceof Error ? deployErrorHint(command.subcommand, error.message) : null;
      if (hint !== null) (error as Error).message += `\n${hint}`;
      throw error;
    }
    const text = command.json ? JSON.stringify(result, null, 2) : describeDeployResult(command, result);
    if (text !== '') await io.out(`${text}\n`);
    const note = deployNote(command, result);
    if (note !== null) await io.err(`orrery: ${note}\n`);
    return 0;
  } finally {
    connection.close();
  }
}
