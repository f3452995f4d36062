import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandRunOptions {
  timeoutMs?: number;
}

/** Runs an external program; a seam so hardware probes can be tested with canned output. */
export interface CommandRunner {
  run(command: string, args: string[], options?: CommandRunOptions): Promise<CommandResult>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** nvidia-smi -q -x on an 8-GPU box runs to a few hundred KiB; leave ample headroom. */
const MAX_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * Real runner on execFile (no shell, so nothing is ever interpreted).
 * A non-zero exit resolves with its exit code, since tools like nvidia-smi explain their failure on
 * stdout/stderr; spawn failures (ENOENT, EACCES), timeouts and signals reject with the original error.
 */
export class ExecFileCommandRunner implements CommandRunner {
  run(command: string, args: string[], options: CommandRunOptions = {}): Promise<CommandResult> {
    const timeout = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { timeout, maxBuffer: MAX_BUFFER_BYTES, windowsHide: true, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ stdout, stderr, exitCode: 0 });
            return;
          }
          // A numeric code means the process ran and exited non-zero; a string code (ENOENT) or a
          // kill by timeout/signal means it never produced a usable answer.
          if (typeof error.code === 'number' && !error.killed && error.signal == null) {
            resolve({ stdout, stderr, exitCode: error.code });
            return;
          }
          reject(error);
        },
      );
    });
  }
}
