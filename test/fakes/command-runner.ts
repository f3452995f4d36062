import type { CommandResult, CommandRunner, CommandRunOptions } from '../../electron/services/hardware/command-runner';

/** What the fake answers a program with: its output, or the error its spawn failed with. */
export type CommandAnswer = CommandResult | Error;

/** Answers by argument list, and records every run so a test can count the spawns. */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: { command: string; args: string[]; options?: CommandRunOptions }[] = [];
  constructor(public answer: (args: string[]) => CommandAnswer) {}

  async run(command: string, args: string[], options?: CommandRunOptions): Promise<CommandResult> {
    this.calls.push({ command, args, ...(options ? { options } : {}) });
    const answer = this.answer(args);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A program that ran and exited 0 with `stdout`. */
export function exitedOk(stdout: string): CommandResult {
  return { stdout, stderr: '', exitCode: 0 };
}
