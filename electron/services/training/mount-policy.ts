import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

/**
 * Which host folders a job may mount. A job runs code nobody reviewed, so a mount must not hand it
 * the host: the root, the kernel's interfaces, the home folder, /etc, the Docker socket (root on
 * the host) or Orrery's own data (its database, tokens, other runs). Sources are resolved through
 * symlinks first, so a link to any of those is refused as that.
 *
 * Orrery's own mounts (a job's outputs, params file and checkpoint folder, all inside the data dir)
 * are made by Orrery and never pass through here.
 */

export interface MountPolicy {
  /** Orrery's data dir: no mount may be it, be inside it, or contain it. */
  dataDir: string;
  /** The home folder (os.homedir() and $HOME): refused itself; folders inside it are fine. */
  homeDirs: string[];
  /** Docker engine sockets: refused, and so is any folder that contains one. */
  dockerSockets: string[];
  /**
   * Container engines' state and socket folders (Docker's, containerd's): refused themselves,
   * inside and around. Their containerd socket or image store gives root on the host as surely
   * as the Docker socket does.
   */
  engineDirs?: string[];
}

export type MountSpec = JobSpec['mounts'][number];

/** A mount whose source has been resolved through symlinks and passed the policy. */
export type ResolvedMount = MountSpec & {
  /** What the spec said, before symlinks were resolved. */
  requested: string;
};

/** The kernel's interfaces: refused themselves and everything inside them. */
const KERNEL_TREES = ['/proc', '/sys', '/dev'];
/** Folders in a home folder that hold keys and tokens (ssh, cloud, Docker, Kubernetes, GPG). */
const CREDENTIAL_FOLDERS = ['.ssh', '.gnupg', '.aws', '.docker', '.kube', '.config/gcloud', '.azure'];

/** The policy for this machine: the given data dir, the home folder and the usual Docker sockets. */
export function defaultMountPolicy(dataDir: string, env: NodeJS.ProcessEnv = process.env): MountPolicy {
  const homeDirs = [os.homedir(), env.HOME].filter((dir): dir is string => typeof dir === 'string' && dir !== '');
  const dockerSockets = ['/var/run/docker.sock', '/run/docker.sock'];
  const host = env.DOCKER_HOST ?? '';
  if (host.startsWith('unix://')) dockerSockets.push(host.slice('unix://'.length));
  if (env.XDG_RUNTIME_DIR) dockerSockets.push(path.join(env.XDG_RUNTIME_DIR, 'docker.sock')); // rootless Docker
  const engineDirs = ['/var/lib/docker', '/var/lib/containerd', '/run/docker', '/run/containerd', '/var/run/docker', '/var/run/containerd'];
  return { dataDir, homeDirs, dockerSockets, engineDirs };
}

/** True when `inner` is `outer` or lies inside it (both absolute and normalised). */
export function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  // By segment: a folder named '..data' inside `outer` is inside it.
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** A path and, when it exists, where its symlinks lead: a forbidden place is matched either way. */
function spellings(place: string): string[] {
  const out = new Set([path.resolve(place)]);
  try {
    out.add(fs.realpathSync(place));
  } catch {
    // Not there (no Docker socket on this machine): the literal path still counts.
  }
  return [...out];
}

function refuse(field: string, message: string): never {
  throw new OrreryError('INVALID_INPUT', `${field}: ${message}`);
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Resolves one mount source and checks it against the policy; returns the resolved path (the one
 * to mount, so a symlink changed later cannot redirect the mount). Throws INVALID_INPUT naming
 * `field` and the reason.
 */
export function checkMountSource(source: string, field: string, policy: MountPolicy): string {
  if (!path.isAbsolute(source)) refuse(field, `must be an absolute host path, got '${source}'.`);
  let resolved: string;
  try {
    resolved = fs.realpathSync(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') refuse(field, `'${source}' does not exist.`);
    refuse(field, `'${source}' cannot be read (${code ?? String(error)}).`);
  }
  const shown = resolved === path.resolve(source) ? `'${source}'` : `'${source}' (which resolves to '${resolved}')`;

  if (resolved === '/') refuse(field, `${shown} is the root of the host's filesystem; mount the folder the job needs instead.`);
  for (const tree of KERNEL_TREES) {
    if (spellings(tree).some((t) => isWithin(t, resolved))) {
      refuse(field, `${shown} is ${resolved === tree ? '' : 'inside '}${tree}, the host kernel's interface; a job may not mount it.`);
    }
  }
  for (const home of policy.homeDirs) {
    if (spellings(home).includes(resolved)) {
      refuse(field, `${shown} is the home folder itself (keys, tokens and shell files); mount the project folder inside it instead.`);
    }
    if (spellings(home).some((h) => isWithin(resolved, h))) {
      refuse(field, `${shown} contains the home folder ${home} (keys, tokens and shell files); mount the project folder inside it instead.`);
    }
    for (const secret of CREDENTIAL_FOLDERS) {
      const folder = path.join(home, secret);
      if (spellings(folder).some((f) => isWithin(f, resolved))) {
        refuse(field, `${shown} is ${spellings(folder).includes(resolved) ? '' : 'inside '}${folder}, where credentials live; a job may not mount it.`);
      }
    }
  }
  for (const etc of spellings('/etc')) {
    if (isWithin(etc, resolved)) refuse(field, `${shown} is ${resolved === etc ? '' : 'inside '}/etc, the host's configuration (passwords, sudoers, keys); a job may not mount it.`);
    if (isWithin(resolved, etc)) refuse(field, `${shown} contains /etc, the host's configuration (passwords, sudoers, keys); mount a folder that does not.`);
  }
  for (const socket of policy.dockerSockets.flatMap(spellings)) {
    if (resolved === socket) refuse(field, `${shown} is the Docker engine's socket, which gives root on the host; a job may not mount it.`);
    if (isWithin(resolved, socket)) refuse(field, `${shown} contains the Docker engine's socket (${socket}), which gives root on the host; mount a folder that does not.`);
  }
  for (const engine of (policy.engineDirs ?? []).flatMap(spellings)) {
    if (isWithin(engine, resolved)) refuse(field, `${shown} is ${resolved === engine ? '' : 'inside '}${engine}, a container engine's state, which gives root on the host; a job may not mount it.`);
    if (isWithin(resolved, engine)) refuse(field, `${shown} contains ${engine}, a container engine's state, which gives root on the host; mount a folder that does not.`);
  }
  for (const data of spellings(policy.dataDir)) {
    if (isWithin(data, resolved)) refuse(field, `${shown} is ${resolved === data ? '' : 'inside '}Orrery's data dir (its database, tokens and every run); a job may not mount it.`);
    if (isWithin(resolved, data)) refuse(field, `${shown} contains Orrery's data dir (${data}: its database, tokens and every run); mount a folder that does not.`);
  }

  const stat = fs.statSync(resolved);
  if (!stat.isDirectory() && !stat.isFile()) refuse(field, `${shown} is ${kindOf(stat)}; a job may mount folders and regular files only.`);
  return resolved;
}

/**
 * Where a job's mounts may appear in its container: not on a path Orrery mounts itself (outputs,
 * params file, checkpoint folder), and not two on one path. Checked at submit, so the job is
 * refused then rather than failing at launch.
 */
export function checkMountTargets(mounts: readonly MountSpec[], reserved: readonly string[], prefix = 'spec.mounts'): void {
  const normal = (target: string) => path.posix.normalize(target).replace(/(.)\/$/, '$1');
  const taken = new Set(reserved.map(normal));
  const seen = new Set<string>();
  mounts.forEach((mount, i) => {
    const target = normal(mount.target);
    if (target === '/') refuse(`${prefix}[${i}].target`, 'cannot be / (the whole container); mount at a folder such as /data.');
    if (taken.has(target)) refuse(`${prefix}[${i}].target`, `${target} is where Orrery mounts its own files for the job; choose another path.`);
    if (seen.has(target)) refuse(`${prefix}[${i}].target`, `another mount already uses ${target}.`);
    seen.add(target);
  });
}

/** Every mount of a spec, resolved and checked; the first refusal names its field (`spec.mounts[i].source`). */
/** A workspace is the job's project folder (its working directory lives in it); a dataset may be one file. */
export function checkWorkspaceFolder(resolved: string, requested: string, field: string): void {
  if (!fs.statSync(resolved).isDirectory()) refuse(field, `'${requested}' is a file; a workspace must be a folder.`);
}

export function resolveMounts(mounts: readonly MountSpec[], policy: MountPolicy, prefix = 'spec.mounts'): ResolvedMount[] {
  return mounts.map((mount, i) => {
    if (mount.kind === 'dataset' && mount.writable) refuse(`${prefix}[${i}].writable`, 'datasets are always mounted read-only; only a workspace can be writable.');
    const source = checkMountSource(mount.source, `${prefix}[${i}].source`, policy);
    if (mount.kind === 'workspace') checkWorkspaceFolder(source, mount.source, `${prefix}[${i}].source`);
    return { ...mount, requested: mount.source, source };
  });
}
