import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { realTimers, type Timers } from './trigger-timers';

/** A branch head, or why it could not be read (said to the user as it is). */
export type BranchHead = { sha: string } | { problem: string };

export type ReadBranchHead = (repo: string, branch: string) => Promise<BranchHead>;

export interface CommitWatchOptions {
  /** Absolute path of a local git repository (its work tree, or a bare repository). */
  repo: string;
  branch: string;
  /** The head the caller recorded last; null: the first head seen is only the baseline. */
  lastSha: string | null;
  /** The branch moved from `previous` to `sha` (also across a restart, against `lastSha`). */
  onCommit: (sha: string, previous: string) => void;
  /** The first head when there was no `lastSha`: remember it, nothing fires. */
  onBaseline?: (sha: string) => void;
  /** No repository, no such branch, git failing: said once per problem, and polling goes on. */
  onProblem: (message: string) => void;
  /** Default 5 s: one `git rev-parse` is a few milliseconds. */
  pollMs?: number;
  timers?: Timers;
  readHead?: ReadBranchHead;
}

export const COMMIT_POLL_MS = 5000;
const GIT_TIMEOUT_MS = 10_000;

/**
 * Fires with the new commit when a branch of a local git repository moves: its head is read with
 * `git rev-parse` on a poll (a commit, a merge, a fetch into the branch, a reset all count).
 */
export class CommitWatch {
  private readonly pollMs: number;
  private readonly timers: Timers;
  private readonly readHead: ReadBranchHead;
  private last: string | null;
  private timer: unknown = null;
  private running = false;
  private reported: string | null = null;

  constructor(private readonly options: CommitWatchOptions) {
    this.pollMs = options.pollMs ?? COMMIT_POLL_MS;
    this.timers = options.timers ?? realTimers;
    this.readHead = options.readHead ?? gitBranchHead;
    this.last = options.lastSha;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    try {
      await this.check();
    } finally {
      // The next look is scheduled after this one ends, so a slow git never piles up.
      if (this.running) this.timer = this.timers.setTimeout(() => void this.poll(), this.pollMs);
    }
  }

  private async check(): Promise<void> {
    const head = await this.readHead(this.options.repo, this.options.branch);
    if (!this.running) return;
    if ('problem' in head) {
      if (this.reported !== head.problem) {
        this.reported = head.problem;
        this.options.onProblem(head.problem);
      }
      return;
    }
    this.reported = null;
    const previous = this.last;
    this.last = head.sha;
    if (previous === null) this.options.onBaseline?.(head.sha);
    else if (previous !== head.sha) this.options.onCommit(head.sha, previous);
  }
}

/** `git -C REPO rev-parse --verify refs/heads/BRANCH`, run without a shell, with a timeout. */
export const gitBranchHead: ReadBranchHead = async (repo, branch) => {
  const where = `branch ${branch} of ${repo}`;
  try {
    if (!(await stat(repo)).isDirectory()) return { problem: `git repository ${repo} is not a folder` };
  } catch {
    return { problem: `git repository ${repo} does not exist` };
  }
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`],
      { timeout: GIT_TIMEOUT_MS, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        const sha = String(stdout).trim();
        if (!error && /^[0-9a-f]{40,64}$/.test(sha)) return resolve({ sha });
        // execFile's error carries the exit status (a number) or a spawn error's code (a string) in `code`.
        const code: unknown = (error as { code?: unknown } | null)?.code;
        if (code === 'ENOENT') return resolve({ problem: `git is not installed (needed to watch ${where})` });
        if ((error as { killed?: boolean } | null)?.killed) return resolve({ problem: `git took over ${GIT_TIMEOUT_MS / 1000} s to read ${where}` });
        const said = String(stderr).trim().split('\n')[0]?.replace(/^fatal:\s*/, '') ?? '';
        if (/not a git repository/i.test(said)) return resolve({ problem: `${repo} is not a git repository` });
        if (code === 1 && said === '') return resolve({ problem: `${where}: no such branch (or it has no commits yet)` });
        return resolve({ problem: `git could not read ${where}: ${said || (error?.message ?? 'no commit id printed')}` });
      },
    );
  });
};
