import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OrreryError } from '../../../shared/errors';
import { assertExperimentId, assertRunId, assertSafeSegments } from '../../../shared/artifact-path';
import { mapConcurrently, sortInTurns } from '../store/event-loop-turns';

/** File sizes asked of the file system at once while listing a folder. */
const LIST_STATS_AT_ONCE = 32;

export interface ArtifactEntry {
  /** Relative to the run's artifact root, '/'-separated. */
  path: string;
  isDir: boolean;
  /** Bytes for files; null for folders. */
  size: number | null;
}

/**
 * Uploads in progress are written under this prefix, so listings skip them and clients may not use
 * it. A crash leaves such files behind; the start-up sweep (partial-artifacts.ts) removes them.
 */
export const PARTIAL_PREFIX = '.orrery-partial-';

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** `child` is `parent` or below it (a name such as '..foo' is below, not above). */
function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** lstat, or stat (following symlinks) once confinement has checked where they lead. */
async function statOrNull(file: string, follow = true): Promise<fs.Stats | null> {
  try {
    return await (follow ? fsp.stat(file) : fsp.lstat(file));
  } catch (error) {
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null;
    throw error;
  }
}

/** Writes `body` to a new file; on failure it returns only once the file is closed, so the caller can delete it. */
async function writeFully(file: string, body: NodeJS.ReadableStream | Buffer): Promise<void> {
  if (Buffer.isBuffer(body)) return fsp.writeFile(file, body, { flag: 'wx' });
  const out = fs.createWriteStream(file, { flags: 'wx' });
  try {
    await pipeline(body, out);
  } catch (error) {
    // pipeline may reject while the file is still being opened; deleting it before then would leave it behind.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    throw error;
  }
}

/**
 * Run artifacts on disk at `<root>/<experimentId>/<runId>/artifacts/<segments>`. Every method
 * re-validates ids and segments and refuses any path whose real location (symlinks resolved)
 * leaves the run's artifact folder. Orrery never creates symlinks; one found inside a run is
 * followed only when it leads somewhere inside that run, and listings leave symlinks out.
 */
export class ArtifactStore {
  /** `<dataDir>/artifacts`, resolved. */
  readonly root: string;
  private realRootPromise: Promise<string> | undefined;
  /** Temp files of uploads in progress in this process, which the start-up sweep must leave alone. */
  private readonly writing = new Set<string>();

  /**
   * `root` is `<dataDir>/artifacts`; it is created on first use. `onWritten` hears of each file
   * written whole (the area publishes it, so an open artifacts view re-reads).
   */
  constructor(
    root: string,
    private readonly onWritten?: (written: { experimentId: string; runId: string; path: string }) => void,
  ) {
    this.root = path.resolve(root);
  }

  runRoot(experimentId: string, runId: string): string {
    assertExperimentId(experimentId);
    assertRunId(runId);
    return path.join(this.root, experimentId, runId, 'artifacts');
  }

  async write(experimentId: string, runId: string, segments: readonly string[], body: NodeJS.ReadableStream | Buffer): Promise<{ size: number }> {
    if (segments.length === 0) throw new OrreryError('INVALID_INPUT', 'Cannot write to the artifact root itself');
    const target = await this.resolve(experimentId, runId, segments);
    if ((await statOrNull(target))?.isDirectory()) throw new OrreryError('INVALID_INPUT', `Artifact ${segments.join('/')} is a folder`);

    const parent = path.dirname(target);
    try {
      await fsp.mkdir(parent, { recursive: true });
    } catch (error) {
      if (errno(error) === 'EEXIST' || errno(error) === 'ENOTDIR') throw new OrreryError('INVALID_INPUT', `A parent of ${segments.join('/')} is a file`);
      throw error;
    }
    // Re-check after mkdir: it only created real folders, but an ancestor may have changed meanwhile.
    await this.resolve(experimentId, runId, segments);

    // Same folder as the target so rename is atomic: readers see the old file or the whole new one.
    const temp = path.join(parent, `${PARTIAL_PREFIX}${randomUUID()}`);
    this.writing.add(temp);
    try {
      await writeFully(temp, body);
      const { size } = await fsp.stat(temp);
      await fsp.rename(temp, target);
      this.onWritten?.({ experimentId, runId, path: segments.join('/') });
      return { size };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      // A folder created at the target meanwhile makes rename fail (EISDIR, or EPERM on Windows).
      if ((await statOrNull(target))?.isDirectory()) throw new OrreryError('INVALID_INPUT', `Artifact ${segments.join('/')} is a folder`);
      throw error;
    } finally {
      this.writing.delete(temp);
    }
  }

  /** True while `file` is the temp file of an upload in progress in this process. */
  isWriting(file: string): boolean {
    return this.writing.has(file);
  }

  /** The caller owns the stream: consume or destroy it so the file handle closes. */
  async open(experimentId: string, runId: string, segments: readonly string[]): Promise<{ stream: fs.ReadStream; size: number; file: string }> {
    const file = await this.resolve(experimentId, runId, segments);
    const stats = await statOrNull(file);
    if (!stats) throw new OrreryError('NOT_FOUND', `No artifact at ${segments.join('/') || '/'}`);
    if (!stats.isFile()) throw new OrreryError('INVALID_INPUT', `Artifact ${segments.join('/') || '/'} is not a file`);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r');
    } catch (error) {
      if (errno(error) === 'ENOENT') throw new OrreryError('NOT_FOUND', `No artifact at ${segments.join('/')}`);
      throw error;
    }
    // Size from the open handle, so it matches the bytes the stream will send.
    const { size } = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    return { stream: handle.createReadStream(), size, file };
  }

  /** One level of a folder; a missing folder is empty. Symlinks and other non-regular entries are left out. */
  async list(experimentId: string, runId: string, segments: readonly string[]): Promise<ArtifactEntry[]> {
    const dir = await this.resolve(experimentId, runId, segments);
    const stats = await statOrNull(dir);
    if (!stats) return [];
    if (!stats.isDirectory()) throw new OrreryError('INVALID_INPUT', `Artifact ${segments.join('/')} is not a folder`);
    // Entries read a batch at a time (readdir would build all of them in one go), sizes a few
    // dozen at a time, and the sort a turn of the event loop at a time: a folder of 100k files
    // would otherwise take 100k stat round trips one after another, and hold every other request
    // up while its entries are built and sorted.
    const kept: fs.Dirent[] = [];
    for await (const entry of await fsp.opendir(dir, { bufferSize: 256 })) {
      if (!entry.name.startsWith(PARTIAL_PREFIX) && (entry.isDirectory() || entry.isFile())) kept.push(entry);
    }
    const prefix = segments.length > 0 ? `${segments.join('/')}/` : '';
    const entries = await mapConcurrently(kept, LIST_STATS_AT_ONCE, async (entry): Promise<ArtifactEntry> => {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) return { path: rel, isDir: true, size: null };
      return { path: rel, isDir: false, size: (await fsp.lstat(path.join(dir, entry.name))).size };
    });
    return sortInTurns(entries, (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Removes a file or folder (the whole run's artifacts for `[]`); removing nothing is not an error. */
  async remove(experimentId: string, runId: string, segments: readonly string[]): Promise<void> {
    const target = await this.resolve(experimentId, runId, segments);
    // rm removes symlinks found inside a folder rather than following them.
    await fsp.rm(target, { recursive: true, force: true });
  }

  /** Bytes of all regular files under the run's artifacts (symlinks not followed). */
  async totalSize(experimentId: string, runId: string): Promise<number> {
    const walk = async (dir: string): Promise<number> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (errno(error) === 'ENOENT') return 0;
        throw error;
      }
      let total = 0;
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) total += await walk(full);
        else if (entry.isFile()) total += (await fsp.lstat(full)).size;
      }
      return total;
    };
    return walk(await this.resolve(experimentId, runId, []));
  }

  /** Real path of the artifacts root, created if missing (computed once). */
  private realRoot(): Promise<string> {
    this.realRootPromise ??= fsp.mkdir(this.root, { recursive: true }).then(() => fsp.realpath(this.root));
    return this.realRootPromise;
  }

  /**
   * The file path for validated segments, after checking that the nearest existing part of it
   * really lies where its name says: inside the run's artifact folder, or (while the run folder
   * does not exist yet) exactly at its own place under the artifacts root, no symlink on the way.
   */
  private async resolve(experimentId: string, runId: string, segments: readonly string[]): Promise<string> {
    const runRoot = this.runRoot(experimentId, runId);
    assertSafeSegments(segments);
    if (segments.some((segment) => segment.startsWith(PARTIAL_PREFIX))) {
      throw new OrreryError('INVALID_INPUT', `Artifact names may not start with ${PARTIAL_PREFIX}`);
    }
    const target = path.join(runRoot, ...segments);
    if (!isWithin(runRoot, target)) throw new OrreryError('INVALID_INPUT', `Artifact path escapes the run: ${segments.join('/')}`);

    const realRoot = await this.realRoot();
    const realRunRoot = path.join(realRoot, path.relative(this.root, runRoot));
    let probe = target;
    // The artifacts root exists (realRoot made it), so this stops there at the latest.
    while (probe !== this.root && !(await statOrNull(probe, false))) probe = path.dirname(probe);

    let real: string;
    try {
      real = await fsp.realpath(probe);
    } catch {
      // A dangling symlink or a loop: where it leads cannot be checked, so it is refused.
      throw new OrreryError('INVALID_INPUT', `Artifact path ${segments.join('/')} goes through a broken symlink`);
    }
    const allowed = isWithin(runRoot, probe) ? isWithin(realRunRoot, real) : real === path.join(realRoot, path.relative(this.root, probe));
    if (!allowed) throw new OrreryError('INVALID_INPUT', `Artifact path ${segments.join('/') || '/'} leads outside the run's artifacts through a symlink`);
    return target;
  }
}
