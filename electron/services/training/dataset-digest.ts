import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OrreryError } from '../../../shared/errors';

/** How far a digest has come; `filesTotal` is known once the folder has been listed. */
export interface DigestProgress {
  filesDone: number;
  filesTotal: number | null;
  bytesDone: number;
}

export interface DigestOptions {
  /** Aborting stops the hash between two reads; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each file and each chunk read (the caller throttles what it shows). */
  onProgress?: (progress: DigestProgress) => void;
}

const CHUNK = 1024 * 1024;
/** Opened without following a symlink that replaced the file, and without blocking on a FIFO that did. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

type Entry = { relative: string; kind: 'file' } | { relative: string; kind: 'link' };

/**
 * A content digest of a dataset file or folder (every file's relative path, size and bytes, in a
 * stable order), so a run records exactly which data it saw. 36 hex characters, as MLflow's
 * dataset digest field allows.
 *
 * Only regular files are read: a FIFO, socket or device (at the root or anywhere inside) is
 * refused with its path, since reading one may never end. Symlinks inside a folder are not
 * followed (the job sees them resolve inside its container, not on the host); their target text
 * is part of the digest. Each file is read at most to the size it had when opened. Everything is
 * asynchronous, one chunk at a time, so the event loop keeps turning; `signal` cancels.
 */
export async function datasetDigest(root: string, options: DigestOptions = {}): Promise<string> {
  const { signal, onProgress } = options;
  const hash = createHash('sha256');
  const progress: DigestProgress = { filesDone: 0, filesTotal: null, bytesDone: 0 };
  signal?.throwIfAborted();
  const stat = await fsp.lstat(root);
  let entries: Entry[];
  if (stat.isDirectory()) entries = await listEntries(root, '', signal);
  else if (stat.isFile()) entries = [{ relative: '', kind: 'file' }];
  else throw notRegular(root, stat);
  progress.filesTotal = entries.length;
  onProgress?.({ ...progress });
  const buffer = Buffer.allocUnsafe(CHUNK);
  // Many small files cost a few system calls each: the next few are opened and read ahead (each
  // at most SMALL bytes) while the current one is hashed, in order.
  const ahead = new Map<number, Promise<Settled<Opened | null>>>();
  const fetch = (i: number) => {
    const entry = entries[i];
    if (entry === undefined || ahead.has(i)) return;
    const full = entry.relative ? path.join(root, entry.relative) : root;
    ahead.set(i, settle(entry.kind === 'file' ? openFile(full) : Promise.resolve(null)));
  };
  try {
    for (const [i, entry] of entries.entries()) {
      signal?.throwIfAborted();
      for (let k = i; k <= i + READ_AHEAD; k++) fetch(k);
      const full = entry.relative ? path.join(root, entry.relative) : root;
      const settled = await ahead.get(i)!;
      ahead.delete(i);
      if (entry.kind === 'link') {
        hash.update(`${entry.relative}\0->${await fsp.readlink(full)}\0`);
      } else {
        if (!settled.ok) throw settled.error;
        await hashFile(hash, settled.value!, entry.relative, buffer, progress, options);
      }
      progress.filesDone += 1;
      onProgress?.({ ...progress });
    }
  } finally {
    // Stopped early (refused, aborted): close what was opened ahead.
    for (const pending of ahead.values()) void pending.then((settled) => (settled.ok ? settled.value?.handle?.close() : undefined)).catch(() => undefined);
  }
  return hash.digest('hex').slice(0, 36);
}

const READ_AHEAD = 16;
const SMALL = 64 * 1024;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** An opened regular file and its first bytes; `handle` is null once it was read whole and closed. */
interface Opened {
  full: string;
  size: number;
  head: Buffer;
  handle: fsp.FileHandle | null;
}

async function openFile(full: string): Promise<Opened> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(full, OPEN_FLAGS);
  } catch (error) {
    // ELOOP: it was replaced by a symlink after it was listed.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new OrreryError('INVALID_INPUT', `'${full}' became a symlink while it was being hashed.`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(full, stat);
    const head = Buffer.allocUnsafe(Math.min(stat.size, SMALL));
    let filled = 0;
    while (filled < head.length) {
      const { bytesRead } = await handle.read(head, filled, head.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (stat.size <= SMALL) {
      await handle.close();
      return { full, size: stat.size, head: head.subarray(0, filled), handle: null };
    }
    return { full, size: stat.size, head: head.subarray(0, filled), handle };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function hashFile(hash: Hash, opened: Opened, relative: string, buffer: Buffer, progress: DigestProgress, options: DigestOptions): Promise<void> {
  const { handle } = opened;
  try {
    hash.update(`${relative}\0${opened.size}\0`);
    hash.update(opened.head);
    progress.bytesDone += opened.head.length;
    if (handle === null || opened.head.length < SMALL) return;
    let position = opened.head.length;
    let left = opened.size - position;
    while (left > 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ ...progress });
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, left), position);
      if (bytesRead === 0) break; // it shrank meanwhile
      hash.update(buffer.subarray(0, bytesRead));
      left -= bytesRead;
      position += bytesRead;
      progress.bytesDone += bytesRead;
    }
  } finally {
    await handle?.close();
  }
}

/** Regular files and symlinks under `root`, depth first, each folder's entries sorted by name. */
async function listEntries(root: string, prefix: string, signal: AbortSignal | undefined): Promise<Entry[]> {
  signal?.throwIfAborted();
  const out: Entry[] = [];
  const dirents = (await fsp.readdir(path.join(root, prefix), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const dirent of dirents) {
    const relative = prefix ? `${prefix}/${dirent.name}` : dirent.name;
    if (dirent.isDirectory()) out.push(...(await listEntries(root, relative, signal)));
    else if (dirent.isFile()) out.push({ relative, kind: 'file' });
    else if (dirent.isSymbolicLink()) out.push({ relative, kind: 'link' });
    else throw notRegular(path.join(root, relative), await fsp.lstat(path.join(root, relative)));
  }
  return out;
}

function notRegular(full: string, stat: fs.Stats): OrreryError {
  const kind = stat.isFIFO()
    ? 'a FIFO (named pipe)'
    : stat.isSocket()
      ? 'a socket'
      : stat.isCharacterDevice()
        ? 'a character device'
        : stat.isBlockDevice()
          ? 'a block device'
          : 'not a regular file';
  return new OrreryError('INVALID_INPUT', `'${full}' is ${kind}; a dataset is hashed from regular files only, and reading this one might never end.`);
}
