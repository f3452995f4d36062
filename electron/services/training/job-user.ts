import fs from 'node:fs';
import path from 'node:path';
import { OrreryError } from '../../../shared/errors';
import type { ResolvedMount } from './mount-policy';

/**
 * Who a job runs as. Never root unless its spec says `allowRoot`: the owner of its workspace folder
 * when that owner is not root, else an unprivileged uid. Orrery then makes the folders the job
 * must write (outputs, checkpoints, a writable workspace) writable for that user, and for nobody
 * else.
 *
 * The unprivileged uid is 65534:65534 (nobody:nogroup), not 1000: on a workstation 1000 is usually
 * the first real person's account, so a job running as 1000 could write that person's files
 * wherever they are mounted (or reachable after an escape), while 65534 owns nothing on the host.
 * Images based on Debian, Ubuntu, Alpine and RHEL all know it.
 */
export const UNPRIVILEGED_UID = 65534;
export const UNPRIVILEGED_GID = 65534;

/**
 * uids (and gids, the same number) reserved for process-runner jobs: [2_000_000_000,
 * 2_100_000_000). A plain process shares the host's PID namespace, so two jobs running as the same
 * uid could read each other's /proc/<pid>/environ (their MLflow tokens) or signal each other; when
 * Orrery is root and a job would run as the unprivileged fallback, the process runner gives it a
 * uid of its own from this range instead (see jobUidFor). No passwd entry is needed for a process,
 * the range stays below 2^31 (Node checks uids as int32) and far above the ids distributions hand
 * out to system accounts, people, systemd's dynamic users and subuid ranges. It must be mapped where
 * Orrery runs in a user namespace. Docker jobs keep 65534: each container has its own PID namespace.
 */
export const JOB_UID_BASE = 2_000_000_000;
export const JOB_UID_RANGE = 100_000_000;

export function isJobUid(uid: number): boolean {
  return uid >= JOB_UID_BASE && uid < JOB_UID_BASE + JOB_UID_RANGE;
}

/**
 * The uid (= gid) a process-runner job gets from the reserved range: derived from its id, moved on
 * past any taken by another running job (`taken` says so; the caller tracks its own jobs and the
 * processes on the host).
 */
export function jobUidFor(jobId: string, taken: (uid: number) => boolean): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) hash = Math.imul(hash ^ jobId.charCodeAt(i), 0x01000193) >>> 0;
  let offset = hash % JOB_UID_RANGE;
  for (let tries = 0; tries < 1000; tries++, offset = (offset + 1) % JOB_UID_RANGE) {
    if (!taken(JOB_UID_BASE + offset)) return JOB_UID_BASE + offset;
  }
  throw new OrreryError('UNAVAILABLE', 'no free uid for the job in the reserved range');
}

export interface JobUser {
  uid: number;
  gid: number;
  /**
   * Why this user: the workspace's owner; the unprivileged fallback (Orrery is root and the
   * workspace is root's, or there is none); Orrery's own user (Orrery is not root, so only its
   * own folders can be made writable); or root, because the spec allows it.
   */
  source: 'workspace-owner' | 'unprivileged' | 'orrery-user' | 'root-allowed';
}

export interface ProcessIdentity {
  uid: number;
  gid: number;
}

/**
 * Orrery's own uid and gid; -1:-1 where the platform has none (Windows): there Orrery can neither
 * chown nor drop, and containers run as the unprivileged uid (Docker Desktop's shared folders do
 * not check ownership).
 */
export function orreryIdentity(): ProcessIdentity {
  return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
}

/** `uid:gid`, as Docker's User field and the run's `orrery.job_user` tag spell it. */
export function userString(user: Pick<JobUser, 'uid' | 'gid'>): string {
  return `${user.uid}:${user.gid}`;
}

/**
 * Picks the job's user. `workspaceOwner` is the owner of the first workspace mount's folder (null
 * when the spec mounts none). Pure: the caller reads the folder and Orrery's identity.
 */
export function chooseJobUser(input: { allowRoot: boolean; workspaceOwner: ProcessIdentity | null; orrery: ProcessIdentity }): JobUser {
  if (input.allowRoot) return { uid: 0, gid: 0, source: 'root-allowed' };
  // Not root: Orrery can chown nothing, so the folders it creates are writable by itself alone.
  if (input.orrery.uid > 0) return { uid: input.orrery.uid, gid: input.orrery.gid, source: 'orrery-user' };
  const owner = input.workspaceOwner;
  // A folder of a person's with root's group (uid 1000, gid 0) must not give the job group root.
  if (owner && owner.uid !== 0) return { uid: owner.uid, gid: owner.gid === 0 ? UNPRIVILEGED_GID : owner.gid, source: 'workspace-owner' };
  return { uid: UNPRIVILEGED_UID, gid: UNPRIVILEGED_GID, source: 'unprivileged' };
}

/** Reads the first workspace's owner and picks the job's user (see chooseJobUser). */
export function jobUserFor(spec: { allowRoot: boolean }, mounts: readonly ResolvedMount[], orrery: ProcessIdentity = orreryIdentity()): JobUser {
  const workspace = mounts.find((m) => m.kind === 'workspace');
  let workspaceOwner: ProcessIdentity | null = null;
  if (workspace) {
    const stat = fs.statSync(workspace.source);
    workspaceOwner = { uid: stat.uid, gid: stat.gid };
  }
  return chooseJobUser({ allowRoot: spec.allowRoot, workspaceOwner, orrery });
}

/**
 * Places Orrery will not give to a job's user even when the user marks them writable: top-level
 * folders (/tmp, /opt, /home, /srv, …; giving one away changes who controls everything under it)
 * and the system's trees. Only consulted when Orrery would chown the folder (it belongs to root).
 */
const SYSTEM_TREES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/var', '/snap'];

function isSystemFolder(folder: string): boolean {
  const parts = folder.split('/').filter(Boolean);
  if (parts.length <= 1) return true;
  return SYSTEM_TREES.some((tree) => folder === tree || folder.startsWith(`${tree}/`));
}

/**
 * The writable workspaces Orrery must hand to the job's user (those root owns, when the job does
 * not run as root and Orrery can chown); refuses one that is a top-level or system folder.
 * Workspaces owned by anybody else are left as they are: the job writes there if their modes let it.
 */
export function writableWorkspacesToChown(mounts: readonly ResolvedMount[], user: JobUser, orrery: ProcessIdentity, prefix = 'spec.mounts'): string[] {
  if (user.uid === 0 || orrery.uid !== 0) return [];
  const out: string[] = [];
  mounts.forEach((mount, i) => {
    if (mount.kind !== 'workspace' || !mount.writable) return;
    const stat = fs.statSync(mount.source);
    if (stat.uid !== 0 || !stat.isDirectory()) return;
    if (isSystemFolder(mount.source)) {
      throw new OrreryError(
        'INVALID_INPUT',
        `${prefix}[${i}].source: '${mount.source}' is a system or top-level folder owned by root; the job runs as ${userString(user)} and Orrery will not give it that folder to write. ` +
          'Mount a folder of its own inside it, or set allowRoot.',
      );
    }
    out.push(mount.source);
  });
  return out;
}

/**
 * Makes `dir` (created if missing) the job's: owned by its user when Orrery is root, mode 0700
 * (never world-writable). With `recursive`, what is inside is handed over too (a retry's
 * checkpoints, written by an earlier attempt); symlinks are changed themselves, never followed.
 */
export function prepareJobFolder(dir: string, user: Pick<JobUser, 'uid' | 'gid'>, orrery: ProcessIdentity, options: { recursive?: boolean } = {}): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  if (orrery.uid !== 0) return; // Orrery's own folder already (or no uids here); nothing else is possible
  fs.lchownSync(dir, user.uid, user.gid);
  if (options.recursive) chownTree(dir, user);
}

/** lchown of everything under `dir`, descending only into real directories. */
export function chownTree(dir: string, user: Pick<JobUser, 'uid' | 'gid'>): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    fs.lchownSync(full, user.uid, user.gid);
    if (entry.isDirectory()) chownTree(full, user);
  }
}

/** Hands a root-owned writable workspace (its top folder only) to the job's user. */
export function handOverWorkspace(dir: string, user: Pick<JobUser, 'uid' | 'gid'>): void {
  fs.lchownSync(dir, user.uid, user.gid);
}
