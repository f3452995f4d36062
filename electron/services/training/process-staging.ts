import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LaunchRequest } from './job-launcher';
import { chownTree, isJobUid, type ProcessIdentity } from './job-user';

/**
 * The private folder of a process-runner job that runs as another user (Orrery is root), and how
 * its outputs and checkpoints come back. The job is hostile until proven otherwise:
 *
 * - The staging root is root's (0710, group the job's), so the job cannot remove or replace
 *   `outputs`, `checkpoints` or `home` inside it; only those (0700, the job's) are its own.
 * - At exit every process of the job is killed first (its process group, and every process of its
 *   uid when that uid is the job's alone), then each folder is locked top-down: made root's and 0700
 *   before what is in it is looked at, so nothing in it can change any more. Symlinks, FIFOs,
 *   sockets, devices and files not the job's own (a hard link to somebody else's file) are removed,
 *   with a warning in the job's log; only regular files and real directories remain.
 * - Only then are the entries renamed (or copied, across disks) into Orrery's folders, which are
 *   checked again after the move.
 */

export const STAGING_MARKER = '.orrery-staging';
const PREFIX = 'orrery-job-';

/** Staging roots of jobs running in this process. */
const live = new Set<string>();

export interface Staging {
  root: string;
  outputsDir: string;
  paramsFile: string;
  checkpointDir: string | null;
  homeDir: string;
  /**
   * Moves outputs and checkpoints back to Orrery's folders and removes the staging folder. Never
   * throws: what was skipped goes to `warn`; the returned message says what failed, if anything.
   */
  unstage(warn: (line: string) => void): string | null;
}

/** Creates the job's staging folder (see the top of this file). */
export function stage(request: LaunchRequest, orrery: ProcessIdentity): Staging {
  const { user } = request;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  live.add(root);
  const outputsDir = path.join(root, 'outputs');
  const paramsFile = path.join(root, 'params.json');
  const homeDir = path.join(root, 'home');
  const checkpointDir = request.checkpointDir ? path.join(root, 'checkpoints') : null;
  try {
    fs.writeFileSync(path.join(root, STAGING_MARKER), JSON.stringify({ pid: process.pid, jobId: request.jobId, uid: user.uid }), { mode: 0o600 });
    for (const dir of [outputsDir, homeDir, ...(checkpointDir ? [checkpointDir] : [])]) fs.mkdirSync(dir, { mode: 0o700 });
    fs.copyFileSync(request.paramsFile, paramsFile);
    fs.chmodSync(paramsFile, 0o400);
    if (checkpointDir && request.checkpointDir) {
      // Orrery's own folder (what an earlier attempt left was locked when it was collected).
      for (const name of fs.readdirSync(request.checkpointDir)) moveEntry(path.join(request.checkpointDir, name), path.join(checkpointDir, name));
    }
    for (const dir of [outputsDir, homeDir, ...(checkpointDir ? [checkpointDir] : [])]) {
      fs.lchownSync(dir, user.uid, user.gid);
      chownTree(dir, user);
    }
    fs.lchownSync(paramsFile, user.uid, user.gid);
    // The root stays Orrery's: the job may pass through it, never change what is in it.
    fs.lchownSync(root, orrery.uid, user.gid);
    fs.chmodSync(root, 0o710);
  } catch (error) {
    removeStaging(root, user.uid);
    throw error;
  }
  let done = false;
  return {
    root,
    outputsDir,
    paramsFile,
    checkpointDir,
    homeDir,
    unstage(warn) {
      if (done) return null;
      done = true;
      const failures: string[] = [];
      const skipped = (folder: string) => (rel: string, what: string) => warn(`${folder}/${rel} skipped: ${what}`);
      try {
        collect(outputsDir, request.outputsDir, user.uid, skipped('outputs'));
      } catch (error) {
        failures.push(`its outputs could not be collected: ${messageOf(error)}`);
      }
      if (checkpointDir && request.checkpointDir) {
        try {
          collect(checkpointDir, request.checkpointDir, user.uid, skipped('checkpoints'));
        } catch (error) {
          failures.push(`its checkpoints could not be kept: ${messageOf(error)}`);
        }
      }
      try {
        removeStaging(root, user.uid);
      } catch (error) {
        warn(`staging folder ${root} not removed: ${messageOf(error)}`);
      }
      for (const failure of failures) warn(failure);
      return failures.length ? failures.join('; ') : null;
    },
  };
}

/**
 * Collects `from` (a folder of the job's in a root-owned staging folder) into `to` (Orrery's):
 * checks it is still the real folder the job was given, locks it, moves what is in it.
 */
function collect(from: string, to: string, jobUid: number, skipped: (rel: string, what: string) => void): void {
  const stat = fs.lstatSync(from);
  if (!stat.isDirectory()) throw new Error(`${path.basename(from)} is no longer a folder (${kindOf(stat)}); nothing taken from it`);
  if (stat.uid !== jobUid && stat.uid !== 0) throw new Error(`${path.basename(from)} belongs to uid ${stat.uid}, not the job's; nothing taken from it`);
  lockTree(from, '', jobUid, skipped);
  const target = fs.lstatSync(to);
  if (!target.isDirectory()) throw new Error(`Orrery's folder ${to} is not a folder (${kindOf(target)})`);
  for (const name of fs.readdirSync(from)) moveEntry(path.join(from, name), path.join(to, name));
  verify(to, '', skipped);
}

/**
 * Makes `dir` and everything in it Orrery's, top-down, so nothing in it can change after it has
 * been looked at; removes what is not a regular file or a real directory, and files that are not
 * the job's own. `dir` must be a real directory whose parent the job cannot write.
 */
function lockTree(dir: string, rel: string, jobUid: number, skipped: (rel: string, what: string) => void): void {
  fs.lchownSync(dir, 0, 0);
  fs.chmodSync(dir, 0o700);
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    const at = rel ? `${rel}/${name}` : name;
    const stat = fs.lstatSync(full);
    if (stat.isDirectory()) {
      lockTree(full, at, jobUid, skipped);
    } else if (stat.isFile() && stat.uid !== jobUid && stat.uid !== 0) {
      fs.unlinkSync(full);
      skipped(at, `a file of uid ${stat.uid}, not the job's`);
    } else if (stat.isFile()) {
      if (stat.nlink > 1) {
        // A hard link: a copy of its own, so that making it Orrery's changes no other name of it.
        const copy = path.join(dir, `.orrery-copy-${randomBytes(6).toString('hex')}`);
        fs.copyFileSync(full, copy, fs.constants.COPYFILE_EXCL);
        fs.utimesSync(copy, stat.atime, stat.mtime);
        fs.renameSync(copy, full);
      } else {
        fs.lchownSync(full, 0, 0);
      }
      fs.chmodSync(full, stat.mode & 0o755);
    } else {
      fs.unlinkSync(full);
      skipped(at, kindOf(stat));
    }
  }
}

/** After the move: anything in Orrery's folder that is not a regular file or a real directory goes. */
function verify(dir: string, rel: string, skipped: (rel: string, what: string) => void): void {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    const at = rel ? `${rel}/${name}` : name;
    const stat = fs.lstatSync(full);
    if (stat.isDirectory()) verify(full, at, skipped);
    else if (!stat.isFile()) {
      fs.rmSync(full, { force: true });
      skipped(at, kindOf(stat));
    }
  }
}

/** A rename (never follows the entry itself), or a copy of a locked tree where they are on different disks. */
function moveEntry(source: string, target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    fs.rmSync(source, { recursive: true, force: true });
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return 'a device';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFile()) return 'a file';
  return 'not a regular file';
}

/**
 * Removes a staging folder: the job-owned folders in it are locked first, so a process of the job
 * still running cannot swap a folder for a link while it is being removed.
 */
function removeStaging(root: string, jobUid: number): void {
  try {
    for (const name of fs.readdirSync(root)) {
      const full = path.join(root, name);
      if (fs.lstatSync(full).isDirectory()) lockTree(full, name, jobUid, () => undefined);
    }
    fs.rmSync(root, { recursive: true, force: true });
  } finally {
    live.delete(root);
  }
}

/** Processes on this host whose real, effective or saved uid is `uid` (Linux; none elsewhere). */
export function processesOf(uid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (line?.split(/\s+/).slice(0, 3).map(Number).includes(uid)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** SIGKILL every process of a uid that is a job's alone (never a person's: see isJobUid). */
export function killJobUid(uid: number): void {
  if (!isJobUid(uid)) return;
  for (let pass = 0; pass < 20; pass++) {
    const pids = processesOf(uid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

/**
 * Staging folders left by a job that was running when Orrery stopped without collecting it (a
 * crash): removed when they are root's, carry the marker, and name a process that is gone. Never
 * throws.
 */
export function removeStaleStagings(orrery: ProcessIdentity): number {
  if (orrery.uid !== 0) return 0;
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const root = path.join(os.tmpdir(), name);
    try {
      if (live.has(root)) continue;
      const stat = fs.lstatSync(root);
      if (!stat.isDirectory() || stat.uid !== 0) continue;
      const markerFile = path.join(root, STAGING_MARKER);
      const marker = fs.lstatSync(markerFile);
      if (!marker.isFile() || marker.uid !== 0) continue;
      const { pid, uid } = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { pid?: unknown; uid?: unknown };
      if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
      const jobUid = typeof uid === 'number' ? uid : -1;
      // Its job may have outlived the Orrery that started it.
      killJobUid(jobUid);
      removeStaging(root, jobUid);
      removed++;
    } catch {
      // Not ours, or not readable: left alone.
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
