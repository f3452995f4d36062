import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommitWatch, gitBranchHead, type BranchHead } from '../../../../electron/services/pipelines/triggers/commit-watch';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();

function commit(repo: string, file: string, text: string): string {
  writeFileSync(join(repo, file), text);
  git(repo, 'add', file);
  git(repo, 'commit', '-q', '-m', `change ${file}`);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('commit watch (a real git repository)', () => {
  let root: string;
  let repo: string;
  const watches: CommitWatch[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'orrery-commit-watch-'));
    repo = join(root, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
  });
  afterEach(() => {
    for (const w of watches.splice(0)) w.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('fires with the new commit when the branch moves, after taking the first head as the baseline', async () => {
    const first = commit(repo, 'train.py', 'print(1)\n');
    const commits: Array<[string, string]> = [];
    const baselines: string[] = [];
    const watch = new CommitWatch({ repo, branch: 'main', lastSha: null, onBaseline: (s) => baselines.push(s), onCommit: (s, p) => commits.push([s, p]), onProblem: (m) => expect.fail(m), pollMs: 100 });
    watches.push(watch);
    watch.start();
    await vi.waitFor(() => expect(baselines).toEqual([first]), { timeout: 10_000 });

    // A commit on another branch is not this trigger's business.
    git(repo, 'checkout', '-q', '-b', 'other');
    commit(repo, 'notes.md', 'elsewhere\n');
    git(repo, 'checkout', '-q', 'main');
    const second = commit(repo, 'train.py', 'print(2)\n');
    await vi.waitFor(() => expect(commits).toEqual([[second, first]]), { timeout: 10_000 });
  });

  it('fires at start when the branch moved since the recorded commit (while Orrery was closed)', async () => {
    const first = commit(repo, 'a', '1');
    const second = commit(repo, 'a', '2');
    const commits: string[] = [];
    const watch = new CommitWatch({ repo, branch: 'main', lastSha: first, onCommit: (s) => commits.push(s), onProblem: (m) => expect.fail(m), pollMs: 100 });
    watches.push(watch);
    watch.start();
    await vi.waitFor(() => expect(commits).toEqual([second]), { timeout: 10_000 });
  });

  it('names a missing repository, a folder that is not a repository and a missing branch', async () => {
    commit(repo, 'a', '1');
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect(await gitBranchHead(join(root, 'nope'), 'main')).toEqual({ problem: `git repository ${join(root, 'nope')} does not exist` });
    expect(await gitBranchHead(plain, 'main')).toEqual({ problem: `${plain} is not a git repository` });
    expect(await gitBranchHead(repo, 'release')).toEqual({ problem: `branch release of ${repo}: no such branch (or it has no commits yet)` });

    const problems: string[] = [];
    const watch = new CommitWatch({ repo, branch: 'release', lastSha: null, onCommit: () => expect.fail('no branch, no commit'), onProblem: (m) => problems.push(m), pollMs: 100 });
    watches.push(watch);
    watch.start();
    await vi.waitFor(() => expect(problems).toEqual([`branch release of ${repo}: no such branch (or it has no commits yet)`]), { timeout: 10_000 });
  });
});

describe('commit watch (polling, fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says a problem once while it lasts, again after it cleared and came back, and stops cleanly', async () => {
    vi.useFakeTimers();
    let head: BranchHead = { problem: 'branch main of /r: no such branch (or it has no commits yet)' };
    const problems: string[] = [];
    const commits: string[] = [];
    const readHead = vi.fn(async () => head);
    const watch = new CommitWatch({ repo: '/r', branch: 'main', lastSha: 'a'.repeat(40), readHead, onCommit: (s) => commits.push(s), onProblem: (m) => problems.push(m), pollMs: 5000 });
    watch.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(readHead).toHaveBeenCalledTimes(13);
    expect(problems).toHaveLength(1);
    head = { sha: 'b'.repeat(40) };
    await vi.advanceTimersByTimeAsync(5000);
    expect(commits).toEqual(['b'.repeat(40)]);
    head = { problem: 'git took over 10 s to read branch main of /r' };
    await vi.advanceTimersByTimeAsync(10_000);
    expect(problems).toEqual(['branch main of /r: no such branch (or it has no commits yet)', 'git took over 10 s to read branch main of /r']);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
