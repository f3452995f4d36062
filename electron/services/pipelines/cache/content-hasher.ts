import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Database } from 'better-sqlite3';
import { invalid, notFound } from '../../../../shared/errors';
import { mapConcurrently, mapInTurns, nextTurn } from '../../store/event-loop-turns';
import { HashCacheStore, type CachedHash, type StoredHash } from './hash-cache-store';

/** What a folder hash leaves out. */
export interface HashOptions {
  /** Absolute paths left out, with everything under them (a pipeline's outs, say). */
  exclude?: readonly string[];
  /** Folder names left out wherever they occur (`.git`, `node_modules`). */
  ignoreNames?: readonly string[];
}

export interface ContentHasherOptions {
  /** Files read at once. */
  concurrency?: number;
  /** Bytes per read, each hashed before the next is asked for. */
  chunkBytes?: number;
  /** Wall-clock ms, compared with files' mtimes and ctimes (see RACY_WINDOW_NS). */
  clock?: () => number;
}

/**
 * Filesystems keep mtimes and ctimes to a tick (Linux: the kernel's coarse clock, a few ms; FAT:
 * 2 s), so a file written within a tick of our read may keep the stat we recorded (git's "racy"
 * entries). An entry whose mtime or ctime is this close to its read is not trusted later: it is
 * read again. Any other change moves the ctime (even with the size and the mtime put back).
 */
const RACY_WINDOW_NS = 2_000_000_000n;

/** Work per turn of the event loop while listing and statting. */
const TURN_BUDGET_MS = 10;

/** How often a file that changes while it is read is read again before giving up. */
const READ_ATTEMPTS = 3;

/** `hash` is filled in as the walk learns it; a file or link that vanished meanwhile keeps null. */
type Entry = { rel: string; abs: string; kind: 'file' | 'link' | 'dir'; hash: string | null };

/**
 * sha256 of files and folders, with a stat cache in the app's database so a file whose size,
 * mtime, ctime and inode are unchanged is not read again. A folder's hash covers its entries'
 * relative paths, kinds and contents, in sorted order; a symlink inside a folder is hashed by its
 * target's text, never followed (so a link cannot pull in files outside, or loop). Listing and
 * statting run a few ms per turn of the event loop; reads are async, in chunks, a few at a time.
 */
export class ContentHasher {
  /** Bytes read from files since this hasher was made: what the stat cache saves shows here. */
  bytesRead = 0;
  /** Files read (not answered from the stat cache) since this hasher was made. */
  filesRead = 0;

  private readonly store: HashCacheStore;
  private readonly concurrency: number;
  private readonly chunkBytes: number;
  private readonly clock: () => number;
  /** Reads in progress, so two stages asking for the same file at once share one read. */
  private readonly reading = new Map<string, Promise<CachedHash | null>>();

  constructor(db: Database, options: ContentHasherOptions = {}) {
    this.store = new HashCacheStore(db);
    this.concurrency = options.concurrency ?? 16;
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The hash of a file or folder (a symlink given here is followed: it is what was asked for).
   * Throws NOT_FOUND naming `target` when it does not exist.
   */
  async hash(target: string, options: HashOptions = {}): Promise<string> {
    if (!path.isAbsolute(target)) throw invalid(`${target}: must be an absolute path`);
    target = path.resolve(target);
    const stat = statOrThrow(target);
    if (stat.isDirectory()) return this.hashFolder(target, options);
    if (!stat.isFile()) throw invalid(`${target} is neither a file nor a folder`);
    const known = this.store.get(target);
    if (known && known.racy === 0 && known.stat === signature(stat)) return known.hash;
    const read = await this.readFile(target, stat);
    if (!read) throw notFound(`${target} does not exist (it disappeared while being hashed)`);
    this.store.put([[target, read]]);
    return read.hash;
  }

  private async hashFolder(root: string, options: HashOptions): Promise<string> {
    const entries = await this.list(root, options);
    // Rows are taken out as their files are seen: what is left was removed since (or left out).
    const cached = await this.store.under(root);
    const toRead: Array<{ entry: Entry; stat: fs.BigIntStats }> = [];

    await inTurns(entries, (entry) => {
      if (entry.kind === 'link') {
        const target = readLinkOrNull(entry.abs);
        if (target !== null) entry.hash = sha256(target);
      } else if (entry.kind === 'file') {
        const stat = fs.lstatSync(entry.abs, { bigint: true, throwIfNoEntry: false });
        const known = cached.get(entry.abs);
        if (known) cached.delete(entry.abs);
        if (!stat) return;
        if (known && known.racy === 0 && known.stat === signature(stat)) entry.hash = known.hash;
        else toRead.push({ entry, stat });
      }
    });

    const fresh: Array<[string, CachedHash]> = [];
    await mapConcurrently(toRead, this.concurrency, async ({ entry, stat }) => {
      const read = await this.readFile(entry.abs, stat);
      if (read) {
        entry.hash = read.hash;
        fresh.push([entry.abs, read]);
      }
    });
    await this.store.putInTurns(fresh);
    await this.store.forget(staleEntries(cached, root, options));

    const folderHash = createHash('sha256');
    let lines = '';
    await inTurns(entries, (entry) => {
      // A file that vanished between the listing and its read is left out, as if listed later.
      if (entry.kind === 'dir') lines += `dir ${entry.rel}\n`;
      else if (entry.hash !== null) lines += `${entry.kind} ${entry.rel}\0${entry.hash}\n`;
      if (lines.length > 65_536) {
        folderHash.update(lines);
        lines = '';
      }
    });
    return folderHash.update(lines).digest('hex');
  }

  /**
   * Every entry under `root` (relative paths with '/'), not following symlinks, in a canonical
   * order: a folder's entries sorted by name, then each subfolder's the same way, depth first.
   */
  private async list(root: string, options: HashOptions): Promise<Entry[]> {
    const excluded = new Set((options.exclude ?? []).map((p) => path.resolve(p)));
    const ignored = new Set(options.ignoreNames ?? []);
    const entries: Entry[] = [];
    const folders: Entry[] = [{ rel: '', abs: root, kind: 'dir', hash: null }];
    let turnStarted = performance.now();
    while (folders.length > 0) {
      const folder = folders.pop()!;
      let dirents: fs.Dirent[];
      try {
        dirents = fs.readdirSync(folder.abs, { withFileTypes: true });
      } catch (error) {
        // A subfolder removed while listing: it is not there, like the files that vanish.
        if (folder.rel !== '' && isMissing(error)) continue;
        throw folder.rel === '' && isMissing(error) ? notFound(`${root} does not exist`) : error;
      }
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const prefix = folder.abs.endsWith(path.sep) ? folder.abs : folder.abs + path.sep;
      const subfolders: Entry[] = [];
      for (const dirent of dirents) {
        const abs = prefix + dirent.name;
        if (excluded.has(abs)) continue;
        const rel = folder.rel === '' ? dirent.name : `${folder.rel}/${dirent.name}`;
        const kind = direntKind(dirent, abs);
        if (kind === null || (kind === 'dir' && ignored.has(dirent.name))) continue;
        const entry: Entry = { rel, abs, kind, hash: null };
        entries.push(entry);
        if (kind === 'dir') subfolders.push(entry);
      }
      for (let i = subfolders.length - 1; i >= 0; i--) folders.push(subfolders[i]!);
      if (performance.now() - turnStarted > TURN_BUDGET_MS) {
        await nextTurn();
        turnStarted = performance.now();
      }
    }
    return entries;
  }

  private readFile(file: string, before: fs.BigIntStats): Promise<CachedHash | null> {
    const pending = this.reading.get(file);
    if (pending) return pending;
    const read = this.readFileOnce(file, before).finally(() => this.reading.delete(file));
    this.reading.set(file, read);
    return read;
  }

  /**
   * Hashes a file's bytes, read once; null when it no longer exists. `before` is its stat from
   * the listing: when the open file's stat after the read still matches it, nothing changed the
   * file in between (a change moves ctime), so the hash belongs to that stat.
   */
  private async readFileOnce(file: string, before: fs.BigIntStats): Promise<CachedHash | null> {
    for (let attempt = 1; ; attempt++) {
      const readStartedNs = BigInt(Math.floor(this.clock())) * 1_000_000n;
      let fd: number;
      try {
        fd = await openFile(file, 'r');
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
      try {
        const hash = await this.hashFd(fd, Number(before.size));
        const after = await fstat(fd, { bigint: true });
        const stat = signature(before);
        if (stat === signature(after)) return { stat, hash, racy: latest(before.mtimeNs, before.ctimeNs) > readStartedNs - RACY_WINDOW_NS };
        if (attempt === READ_ATTEMPTS) throw new Error(`${file} kept changing while it was hashed (${READ_ATTEMPTS} attempts); run the pipeline again once it is written`);
        before = after;
      } finally {
        await closeFile(fd);
      }
    }
  }

  /** Plain callback fs under the promises: a FileHandle costs about twice as much per small file. */
  private async hashFd(fd: number, size: number): Promise<string> {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(size, this.chunkBytes)));
    let total = 0;
    for (;;) {
      const { bytesRead } = await readFd(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      total += bytesRead;
      this.bytesRead += bytesRead;
      // The stat after the read catches a file that grew; no extra read just to see the end.
      if (total >= size) break;
    }
    this.filesRead++;
    return hash.digest('hex');
  }
}

const openFile = promisify(fs.open);
const readFd = promisify(fs.read);
const fstat = promisify(fs.fstat) as (fd: number, options: { bigint: true }) => Promise<fs.BigIntStats>;
const closeFile = promisify(fs.close);

/** size, mtime, ctime (ns) and inode: a file rewritten with the same size and mtime put back still changes ctime. */
function signature(stat: fs.BigIntStats): string {
  return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
}

function latest(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function statOrThrow(target: string): fs.BigIntStats {
  try {
    const stat = fs.statSync(target, { bigint: true, throwIfNoEntry: false });
    if (!stat) throw notFound(`${target} does not exist`);
    return stat;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw invalid(`${target} is a symlink loop`);
    // A path through a file (`data.csv/x`) does not exist either.
    if (code === 'ENOTDIR') throw notFound(`${target} does not exist`);
    throw error;
  }
}

function direntKind(dirent: fs.Dirent, abs: string): Entry['kind'] | null {
  if (dirent.isSymbolicLink()) return 'link';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isFile()) return 'file';
  if (!dirent.isBlockDevice() && !dirent.isCharacterDevice() && !dirent.isFIFO() && !dirent.isSocket()) {
    // Some filesystems do not report types in listings.
    const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) return 'link';
    if (stat?.isDirectory()) return 'dir';
    if (stat?.isFile()) return 'file';
  }
  // Sockets, pipes and devices have no content to hash.
  return null;
}

function readLinkOrNull(abs: string): string | null {
  try {
    return fs.readlinkSync(abs);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** Of the cached paths under `root` this walk did not see, those it would have: files since removed. */
function staleEntries(unseen: ReadonlyMap<string, StoredHash>, root: string, options: HashOptions): string[] {
  if (unseen.size === 0) return [];
  const excluded = (options.exclude ?? []).map((p) => path.resolve(p));
  const ignored = new Set(options.ignoreNames ?? []);
  const stale: string[] = [];
  for (const file of unseen.keys()) {
    // Left out of this walk, perhaps hashed by another (a stage's deps inside the outs of the code walk).
    if (excluded.some((out) => file === out || file.startsWith(out + path.sep))) continue;
    if (path.relative(root, file).split(path.sep).some((part) => ignored.has(part))) continue;
    stale.push(file);
  }
  return stale;
}

/** `work(item)` for each item, TURN_BUDGET_MS of them per turn of the event loop. */
async function inTurns<T>(items: readonly T[], work: (item: T) => void): Promise<void> {
  await mapInTurns(items, work);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
