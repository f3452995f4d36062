import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import { checkMountSource, checkMountTargets, defaultMountPolicy, isWithin, resolveMounts, type MountPolicy } from '../../../electron/services/training/mount-policy';
import { tempDir } from '../../helpers/temp-dir';

/** A policy over a sandbox: its own data dir, home folder and Docker socket (a plain file standing in). */
function sandbox(): { root: string; policy: MountPolicy } {
  const root = fs.realpathSync(tempDir('orrery-policy-'));
  for (const dir of ['data', 'home/me/project', 'run', 'srv/datasets/mnist', 'srv/work', 'engine/containerd/io']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, 'run/docker.sock'), '');
  fs.writeFileSync(path.join(root, 'srv/datasets/mnist/train.csv'), 'a,b\n');
  return {
    root,
    policy: { dataDir: path.join(root, 'data'), homeDirs: [path.join(root, 'home/me')], dockerSockets: [path.join(root, 'run/docker.sock')], engineDirs: [path.join(root, 'engine/containerd')] },
  };
}

function refusal(source: string, policy: MountPolicy, field = 'spec.mounts[0].source'): string {
  try {
    checkMountSource(source, field, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    return (error as Error).message;
  }
  throw new Error(`${source} was allowed`);
}

describe('mount policy', () => {
  it('allows ordinary folders and files, and returns the path with symlinks resolved', () => {
    const { root, policy } = sandbox();
    expect(checkMountSource(path.join(root, 'srv/datasets/mnist'), 'f', policy)).toBe(path.join(root, 'srv/datasets/mnist'));
    expect(checkMountSource(path.join(root, 'srv/datasets/mnist/train.csv'), 'f', policy)).toBe(path.join(root, 'srv/datasets/mnist/train.csv'));
    // Inside the home folder is fine; only the home folder itself is refused.
    expect(checkMountSource(path.join(root, 'home/me/project'), 'f', policy)).toBe(path.join(root, 'home/me/project'));
    fs.symlinkSync(path.join(root, 'srv/datasets/mnist'), path.join(root, 'srv/link'));
    expect(checkMountSource(path.join(root, 'srv/link'), 'f', policy)).toBe(path.join(root, 'srv/datasets/mnist'));
  });

  it('refuses the root, /proc, /sys, /dev and anything inside those three, naming the field', () => {
    const { policy } = sandbox();
    expect(refusal('/', policy, 'spec.mounts[2].source')).toMatch(/^spec\.mounts\[2\]\.source: '\/' is the root of the host's filesystem/);
    expect(refusal('/proc', policy)).toMatch(/is \/proc, the host kernel's interface/);
    expect(refusal('/proc/self', policy)).toMatch(/inside \/proc/);
    expect(refusal('/sys/kernel', policy)).toMatch(/inside \/sys/);
    expect(refusal('/dev', policy)).toMatch(/is \/dev/);
    expect(refusal('/dev/zero', policy)).toMatch(/inside \/dev/);
    expect(refusal('/dev/shm', policy)).toMatch(/inside \/dev/);
  });

  it('refuses /etc, anything inside it, and any folder containing it', () => {
    const { policy } = sandbox();
    expect(refusal('/etc', policy)).toMatch(/is \/etc, the host's configuration/);
    expect(refusal('/etc/ssl', policy)).toMatch(/inside \/etc/);
    expect(refusal('/etc/passwd', policy)).toMatch(/inside \/etc/);
  });

  it('refuses the home folder itself (both os.homedir() and $HOME) but not folders inside it', () => {
    const { root, policy } = sandbox();
    expect(refusal(path.join(root, 'home/me'), policy)).toMatch(/is the home folder itself/);
    expect(refusal(`${path.join(root, 'home/me')}/`, policy)).toMatch(/is the home folder itself/);
    const defaults = defaultMountPolicy('/nonexistent-data', { HOME: '/some/where/else' });
    expect(defaults.homeDirs).toContain('/some/where/else');
    expect(defaults.homeDirs.length).toBe(2);
  });

  it('refuses the Docker socket and any folder that contains it; DOCKER_HOST names another', () => {
    const { root, policy } = sandbox();
    expect(refusal(path.join(root, 'run/docker.sock'), policy)).toMatch(/is the Docker engine's socket/);
    expect(refusal(path.join(root, 'run'), policy)).toMatch(/contains the Docker engine's socket/);
    const defaults = defaultMountPolicy('/d', { DOCKER_HOST: 'unix:///opt/engine/docker.sock' });
    expect(defaults.dockerSockets).toEqual(expect.arrayContaining(['/var/run/docker.sock', '/run/docker.sock', '/opt/engine/docker.sock']));
    expect(defaultMountPolicy('/d', { DOCKER_HOST: 'tcp://127.0.0.1:2375' }).dockerSockets).toEqual(['/var/run/docker.sock', '/run/docker.sock']);
  });

  it('refuses the real Docker socket paths and their folders even where no engine runs (/var contains /var/run/docker.sock)', () => {
    const policy = defaultMountPolicy('/nonexistent-data', {});
    expect(refusal('/var', policy)).toMatch(/contains the Docker engine's socket|contains \/etc/);
    expect(refusal('/run', policy)).toMatch(/contains the Docker engine's socket/);
    if (fs.existsSync('/var/run/docker.sock')) expect(refusal('/var/run/docker.sock', policy)).toMatch(/is the Docker engine's socket/);
  });

  it("refuses Orrery's data dir, anything inside it, and a folder containing it", () => {
    const { root, policy } = sandbox();
    fs.mkdirSync(path.join(root, 'data/jobs/abc'), { recursive: true });
    expect(refusal(path.join(root, 'data'), policy)).toMatch(/is Orrery's data dir/);
    expect(refusal(path.join(root, 'data/jobs/abc'), policy)).toMatch(/inside Orrery's data dir/);
    expect(refusal(root, { ...policy, homeDirs: [], dockerSockets: [], engineDirs: [] })).toMatch(/contains Orrery's data dir/);
  });

  it('resolves symlinks first: a link to a forbidden place is refused as that place, and says where it leads', () => {
    const { root, policy } = sandbox();
    const links = path.join(root, 'srv/work');
    fs.symlinkSync('/', path.join(links, 'root'));
    fs.symlinkSync('/etc', path.join(links, 'etc'));
    fs.symlinkSync(path.join(root, 'run/docker.sock'), path.join(links, 'sock'));
    fs.symlinkSync(path.join(root, 'data'), path.join(links, 'data'));
    fs.symlinkSync(path.join(root, 'home/me'), path.join(links, 'home'));
    expect(refusal(path.join(links, 'root'), policy)).toMatch(/which resolves to '\/'\) is the root/);
    expect(refusal(path.join(links, 'etc'), policy)).toMatch(/resolves to '\/etc'\) is \/etc/);
    expect(refusal(path.join(links, 'sock'), policy)).toMatch(/is the Docker engine's socket/);
    expect(refusal(path.join(links, 'data'), policy)).toMatch(/is Orrery's data dir/);
    expect(refusal(path.join(links, 'home'), policy)).toMatch(/is the home folder itself/);
    // A path that walks through a link and back up with ..
    expect(refusal(path.join(links, 'root', 'proc'), policy)).toMatch(/\/proc/);
  });

  it('refuses a relative or missing source, and a FIFO, naming it', () => {
    const { root, policy } = sandbox();
    expect(refusal('data/x', policy)).toBe("spec.mounts[0].source: must be an absolute host path, got 'data/x'.");
    expect(refusal('/no/such/folder', policy)).toBe("spec.mounts[0].source: '/no/such/folder' does not exist.");
    const fifo = path.join(root, 'srv/pipe');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo, policy)).toBe(`spec.mounts[0].source: '${fifo}' is a FIFO (named pipe); a job may mount folders and regular files only.`);
  });

  it('resolveMounts checks every mount, names the failing index, and refuses a writable dataset', () => {
    const { root, policy } = sandbox();
    const good = { source: path.join(root, 'srv/datasets/mnist'), target: '/data', kind: 'dataset' as const, writable: false };
    const resolved = resolveMounts([good, { source: path.join(root, 'srv/work'), target: '/w', kind: 'workspace', writable: true }], policy);
    expect(resolved.map((m) => [m.source, m.requested, m.writable])).toEqual([
      [good.source, good.source, false],
      [path.join(root, 'srv/work'), path.join(root, 'srv/work'), true],
    ]);
    expect(() => resolveMounts([good, { source: '/etc', target: '/e', kind: 'workspace', writable: false }], policy)).toThrow(/^spec\.mounts\[1\]\.source: '\/etc' is \/etc/);
    expect(() => resolveMounts([{ ...good, writable: true }], policy)).toThrow(/^spec\.mounts\[0\]\.writable: datasets are always mounted read-only/);
  });

  it('isWithin compares whole path segments', () => {
    expect(isWithin('/etc', '/etc')).toBe(true);
    expect(isWithin('/etc', '/etc/ssl')).toBe(true);
    expect(isWithin('/etc', '/etcetera')).toBe(false);
    expect(isWithin('/data/orrery', '/data')).toBe(false);
    // A folder whose name starts with '..' is inside its parent, not outside it.
    expect(isWithin('/tmp/dd', '/tmp/dd/..odata')).toBe(true);
    expect(isWithin('/tmp/dd/x', '/tmp/dd/..')).toBe(false);
  });

  it("refuses a folder holding a data dir named '..something' (it would expose the store)", () => {
    const { root, policy } = sandbox();
    const dataDir = path.join(root, 'srv/work/..odata');
    fs.mkdirSync(dataDir);
    expect(refusal(path.join(root, 'srv/work'), { ...policy, dataDir })).toMatch(/contains Orrery's data dir/);
  });

  it('refuses a workspace that is a file (a dataset may be one)', () => {
    const { root, policy } = sandbox();
    const file = path.join(root, 'srv/datasets/mnist/train.csv');
    expect(() => resolveMounts([{ source: file, target: '/workspace', kind: 'workspace', writable: false }], policy)).toThrow(/^spec\.mounts\[0\]\.source: '.*train\.csv' is a file; a workspace must be a folder\./);
    expect(resolveMounts([{ source: file, target: '/data/train.csv', kind: 'dataset', writable: false }], policy)[0]!.source).toBe(file);
  });

  it('refuses a folder containing the home folder, and the credential folders inside it', () => {
    const { root, policy } = sandbox();
    for (const secret of ['.ssh', '.aws', '.docker/config', '.config/gcloud']) fs.mkdirSync(path.join(root, 'home/me', secret), { recursive: true });
    expect(refusal(path.join(root, 'home'), policy)).toMatch(/contains the home folder .*home\/me/);
    expect(refusal(path.join(root, 'home/me/.ssh'), policy)).toMatch(/is .*\.ssh, where credentials live/);
    expect(refusal(path.join(root, 'home/me/.docker/config'), policy)).toMatch(/inside .*\.docker, where credentials live/);
    expect(refusal(path.join(root, 'home/me/.config/gcloud'), policy)).toMatch(/where credentials live/);
    expect(checkMountSource(path.join(root, 'home/me/project'), 'f', policy)).toBe(path.join(root, 'home/me/project'));
  });
});

describe("container engines' state", () => {
  it('refuses the folder, anything inside it and anything around it (containerd gives root like the Docker socket)', () => {
    const { root, policy } = sandbox();
    expect(refusal(path.join(root, 'engine/containerd'), policy)).toMatch(/is .*engine\/containerd, a container engine's state/);
    expect(refusal(path.join(root, 'engine/containerd/io'), policy)).toMatch(/is inside .*engine\/containerd/);
    expect(refusal(path.join(root, 'engine'), policy)).toMatch(/contains .*engine\/containerd/);
  });

  it('names the real engines on this machine by default', () => {
    expect(defaultMountPolicy('/data').engineDirs).toEqual(expect.arrayContaining(['/var/lib/docker', '/run/containerd', '/run/docker']));
  });
});

describe('mount targets', () => {
  const reserved = ['/orrery/outputs', '/orrery/params.json', '/ckpt'];
  const mount = (target: string) => ({ source: '/data', target, kind: 'dataset' as const, writable: false });

  it.each([
    ['/orrery/outputs', 'spec.mounts[0].target: /orrery/outputs is where Orrery mounts its own files'],
    ['/orrery/outputs/', 'spec.mounts[0].target: /orrery/outputs is where Orrery mounts its own files'],
    ['/orrery/params.json', 'spec.mounts[0].target: /orrery/params.json is where Orrery mounts its own files'],
    ['/ckpt', 'spec.mounts[0].target: /ckpt is where Orrery mounts its own files'],
    ['/', 'spec.mounts[0].target: cannot be /'],
  ])('refuses %s at submit, naming the field', (target, message) => {
    expect(() => checkMountTargets([mount(target)], reserved)).toThrow(message);
  });

  it('refuses two mounts on one path and accepts distinct ones', () => {
    expect(() => checkMountTargets([mount('/data'), mount('/data/')], reserved)).toThrow('spec.mounts[1].target: another mount already uses /data.');
    expect(() => checkMountTargets([mount('/data'), mount('/code'), mount('/orrery/extra')], reserved)).not.toThrow();
  });
});
