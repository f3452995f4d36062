import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { processPaths } from '../../../electron/services/training/process-paths';
import { accessProblem } from '../../../electron/services/training/folder-access';
import { tempDir } from '../../helpers/temp-dir';

const spec = (input: Partial<JobSpecInput>) => jobSpecSchema.parse({ name: 'p', image: 'host', command: ['python3', 'train.py'], ...input });

describe('process runner paths', () => {
  it('runs in the host folder of the workspace, and in a folder inside it', () => {
    const ws = tempDir();
    fs.mkdirSync(path.join(ws, 'src'));
    const mounts = [{ source: ws, target: '/workspace', kind: 'workspace' as const }];
    expect(processPaths(spec({ mounts, workingDir: '/workspace' })).cwd).toBe(ws);
    expect(processPaths(spec({ mounts, workingDir: '/workspace/src/' })).cwd).toBe(path.join(ws, 'src'));
    expect(() => processPaths(spec({ mounts, workingDir: '/workspace/nope' }))).toThrow(
      `spec.workingDir: '/workspace/nope' is ${path.join(ws, 'nope')} on the host (process runner), which is not a folder.`,
    );
  });

  it('outside every mount keeps a host folder of that name, else none', () => {
    const host = tempDir();
    expect(processPaths(spec({ workingDir: host })).cwd).toBe(host);
    expect(processPaths(spec({ workingDir: '/no/such/folder' })).cwd).toBeUndefined();
    expect(processPaths(spec({})).cwd).toBeUndefined();
  });

  it('rewrites command arguments and env values inside a mount, the longest target first, and nothing else', () => {
    const mounts = [
      { source: '/home/a/proj', target: '/workspace', kind: 'workspace' as const },
      { source: '/home/a/examples', target: '/workspace/examples/', kind: 'workspace' as const },
      { source: '/srv/digits', target: '/data', kind: 'dataset' as const },
    ];
    const paths = processPaths(
      spec({
        mounts,
        command: ['/workspace/run.sh', '/workspace/examples/digits_sgd.py', '--data=/data/train.csv', '/data', '/database', 'workspace/x', '--out', '/tmp/x'],
        env: { DATA: '/data/', NOTE: 'see /data' },
      }),
    );
    expect(paths.command).toEqual(['/home/a/proj/run.sh', '/home/a/examples/digits_sgd.py', '--data=/srv/digits/train.csv', '/srv/digits', '/database', 'workspace/x', '--out', '/tmp/x']);
    expect(paths.env).toEqual({
      DATA: '/srv/digits/',
      NOTE: 'see /data',
      ORRERY_WORKSPACE_DIR: '/home/a/proj',
      ORRERY_MOUNTS: JSON.stringify({ '/workspace': '/home/a/proj', '/workspace/examples': '/home/a/examples', '/data': '/srv/digits' }),
    });
  });

  it('ORRERY_WORKSPACE_DIR is the workspace holding the working directory; the log says what maps where and that read-only is not enforced', () => {
    const examples = tempDir();
    const mounts = [
      { source: '/srv/digits', target: '/data', kind: 'dataset' as const },
      { source: '/home/a/proj', target: '/workspace', kind: 'workspace' as const, writable: true },
      { source: examples, target: '/workspace/examples', kind: 'workspace' as const },
    ];
    const paths = processPaths(spec({ mounts, workingDir: '/workspace/examples' }));
    expect(paths.env.ORRERY_WORKSPACE_DIR).toBe(examples);
    expect(paths.notices).toEqual([
      'process runner: /data is /srv/digits (dataset, read-only is not enforced for a plain process); paths starting with it in the command and env are rewritten',
      'process runner: /workspace is /home/a/proj (workspace, writable); paths starting with it in the command and env are rewritten',
      `process runner: /workspace/examples is ${examples} (workspace, read-only is not enforced for a plain process); paths starting with it in the command and env are rewritten`,
      `process runner: working directory ${examples}`,
    ]);
    expect(processPaths(spec({})).notices).toEqual([]);
    expect(processPaths(spec({})).env).toEqual({});
  });
});

describe('folder access for a job that drops to another uid', () => {
  it('names the folder a uid cannot pass through, enter or read', () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755);
    const ws = path.join(root, 'ws');
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'train.py'), '');
    fs.chmodSync(ws, 0o755);
    const job = { uid: 2_000_000_123, gid: 2_000_000_123 };
    expect(accessProblem(ws, job)).toBeNull();
    expect(accessProblem(path.join(ws, 'train.py'), job)).toBeNull();
    fs.chmodSync(path.join(ws, 'train.py'), 0o600);
    expect(accessProblem(path.join(ws, 'train.py'), job)).toMatch(/train\.py is mode 0600, owner \d+:\d+, so uid 2000000123 cannot read it$/);
    fs.chmodSync(ws, 0o711);
    expect(accessProblem(ws, job)).toBe(`${ws} is mode 0711, owner ${fs.statSync(ws).uid}:${fs.statSync(ws).gid}, so uid 2000000123 cannot enter and list it`);
    fs.chmodSync(ws, 0o700);
    expect(accessProblem(path.join(ws, 'src'), job)).toMatch(/ws is mode 0700, .* cannot pass through it$/);
    // The owner's bits count for the owner, and the group's for its group.
    fs.chownSync(ws, job.uid, 0);
    expect(accessProblem(path.join(ws, 'src'), job)).toBeNull();
    fs.chownSync(ws, 0, job.gid);
    fs.chmodSync(ws, 0o750);
    expect(accessProblem(ws, job)).toBeNull();
    expect(accessProblem(ws, { uid: 0, gid: 0 })).toBeNull();
    expect(accessProblem(path.join(root, 'missing'), job)).toMatch(/missing cannot be read \(ENOENT\)$/);
  });
});
