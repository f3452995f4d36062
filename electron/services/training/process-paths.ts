import fs from 'node:fs';
import path from 'node:path';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

/**
 * Where a process-runner job's mounts are. A plain process sees the host's files, not a container's
 * `/workspace` or `/data`, so the spec's container paths are translated to the mounts' host folders:
 * the working directory, command arguments and the job's own env values that start with a mount's
 * target, so that a command written for a container (`python3 /workspace/train.py`) runs unchanged.
 * Nothing is isolated or made read-only: the job reaches the host folders themselves.
 */
export interface ProcessPaths {
  /** Host folder to run in; undefined for Orrery's own. */
  cwd: string | undefined;
  /** The spec's command with container paths replaced by host paths. */
  command: string[];
  /** The spec's env with container paths replaced, plus ORRERY_WORKSPACE_DIR and ORRERY_MOUNTS. */
  env: Record<string, string>;
  /** What the job's log should say about the translation (empty when there are no mounts). */
  notices: string[];
}

interface Mapping {
  target: string;
  source: string;
  kind: 'dataset' | 'workspace';
  writable: boolean;
  /** Its place in spec.mounts. */
  index: number;
}

/** Translates `spec`'s container paths to its mounts' host folders (sources already resolved). */
export function processPaths(spec: JobSpec): ProcessPaths {
  // Longest target first: /workspace/examples wins over /workspace for what is inside it.
  const mappings: Mapping[] = spec.mounts
    .map((m, index) => ({ target: normalTarget(m.target), source: m.source, kind: m.kind, writable: m.writable, index }))
    .sort((a, b) => b.target.length - a.target.length);
  const toHost = (value: string): string | null => hostPathOf(value, mappings);
  const rewritePath = (value: string): string => {
    const host = toHost(value);
    // A trailing slash the user wrote stays (rsync-style arguments care).
    return host === null ? value : host + (value.endsWith('/') && !host.endsWith('/') ? '/' : '');
  };
  const rewrite = (value: string): string => {
    // `--data=/data/train.csv` as well as `/data/train.csv`.
    const flag = /^(--?[A-Za-z0-9_.-]+=)(\/.*)$/.exec(value);
    return flag ? flag[1]! + rewritePath(flag[2]!) : rewritePath(value);
  };

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) env[key] = rewrite(value);
  const insideMount = spec.workingDir !== undefined ? toHost(spec.workingDir) : null;
  const workspace = workspaceFor(spec.workingDir, mappings);
  if (workspace) env.ORRERY_WORKSPACE_DIR = workspace.source;
  if (mappings.length > 0) env.ORRERY_MOUNTS = JSON.stringify(Object.fromEntries([...mappings].sort((a, b) => a.index - b.index).map((m) => [m.target, m.source])));

  let cwd: string | undefined;
  if (insideMount !== null) {
    if (!isFolder(insideMount)) {
      throw new OrreryError('INVALID_INPUT', `spec.workingDir: '${spec.workingDir}' is ${insideMount} on the host (process runner), which is not a folder.`);
    }
    cwd = insideMount;
  } else if (spec.workingDir && fs.existsSync(spec.workingDir)) {
    // Inside no mount: a host folder of that name, as before; else Orrery's own.
    cwd = spec.workingDir;
  }

  const notices = [...mappings].sort((a, b) => a.index - b.index).map(
    (m) =>
      `process runner: ${m.target} is ${m.source} (${m.kind}${m.kind === 'dataset' || !m.writable ? ', read-only is not enforced for a plain process' : ', writable'}); ` +
      'paths starting with it in the command and env are rewritten',
  );
  if (notices.length > 0 && cwd) notices.push(`process runner: working directory ${cwd}`);
  return { cwd, command: spec.command.map(rewrite), env, notices };
}

/** The host path of a container path inside a mount, or null when it is inside none. */
function hostPathOf(value: string, mappings: Mapping[]): string | null {
  if (!value.startsWith('/')) return null;
  const normal = normalTarget(value);
  for (const m of mappings) {
    if (normal === m.target) return m.source;
    const prefix = m.target === '/' ? '/' : `${m.target}/`;
    if (normal.startsWith(prefix)) return path.join(m.source, normal.slice(prefix.length));
  }
  return null;
}

/** The workspace holding the working directory, else the first workspace mount. */
function workspaceFor(workingDir: string | undefined, mappings: Mapping[]): Mapping | null {
  const workspaces = mappings.filter((m) => m.kind === 'workspace');
  if (workingDir !== undefined) {
    const normal = path.posix.normalize(workingDir);
    const holding = workspaces.find((m) => normal === m.target || normal.startsWith(m.target === '/' ? '/' : `${m.target}/`));
    if (holding) return holding;
  }
  return workspaces.reduce<Mapping | null>((first, m) => (first === null || m.index < first.index ? m : first), null);
}

function normalTarget(target: string): string {
  const normal = path.posix.normalize(target);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
