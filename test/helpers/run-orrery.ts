import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The built command line (test/global-setup.ts builds it). */
export const ORRERY_CLI = path.join(ROOT, 'dist/cli/orrery.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd: string): ChildProcessByStdio<null, Readable, Readable> {
  const env: NodeJS.ProcessEnv = { ...process.env, USER: 'ci-bot' };
  delete env.ORRERY_HOME;
  return spawn(process.execPath, [ORRERY_CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the built `orrery` as a user would (USER=ci-bot); never blocks this process, where a test server may live. */
export function orrery(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = start(args, options.cwd ?? ROOT);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningCli {
  /** What it printed so far. */
  readonly stdout: string;
  /** Sends SIGINT (Ctrl-C) and resolves with how it ended. */
  interrupt(): Promise<CliResult>;
}

/** Starts `orrery` for a command that keeps running (logs --follow) until interrupted. */
export function orreryRunning(args: string[]): RunningCli {
  const child = start(args, ROOT);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    get stdout() {
      return stdout;
    },
    async interrupt() {
      child.kill('SIGINT');
      const code = await closed;
      return { code, stdout, stderr };
    },
  };
}
