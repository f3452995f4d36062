import type { Dirent } from 'node:fs';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ModelFile } from '../../../shared/contract/registry';
import { OrreryError } from '../../../shared/errors';
import { copyAndHash } from './file-hasher';
import type { RunArtifactsReader } from './ports';

/** A file to copy into a version: where it will sit in the version, and how to read it. */
export interface SourceFile {
  path: string;
  open(): Promise<NodeJS.ReadableStream>;
}

/**
 * The files of a run's artifact folder (or the one file `segments` names), read through the
 * artifact store so every path stays confined to the run. Paths are relative to that folder.
 */
export async function runArtifactFiles(artifacts: RunArtifactsReader, experimentId: string, runId: string, segments: readonly string[]): Promise<SourceFile[]> {
  const open = (parts: readonly string[]) => async () => (await artifacts.open(experimentId, runId, parts)).stream;
  const out: SourceFile[] = [];
  const walk = async (parts: readonly string[]): Promise<void> => {
    for (const entry of await artifacts.list(experimentId, runId, parts)) {
      const entryParts = entry.path.split('/');
      if (entry.isDir) await walk(entryParts);
      else out.push({ path: entryParts.slice(segments.length).join('/'), open: open(entryParts) });
    }
  };
  try {
    await walk(segments);
  } catch (error) {
    // The path names a single file: the version holds just that file.
    if (!(error instanceof OrreryError && error.code === 'INVALID_INPUT' && /is not a folder/.test(error.message)) || segments.length === 0) throw error;
    return [{ path: segments.at(-1)!, open: open(segments) }];
  }
  return out;
}

/** The regular files under a local folder (symlinks and other special entries are left out). */
export async function localFolderFiles(folder: string): Promise<SourceFile[]> {
  if (!path.isAbsolute(folder)) throw new OrreryError('INVALID_INPUT', `folder: must be an absolute path, got ${JSON.stringify(folder)}`);
  const stats = await fsp.stat(folder).catch(() => null);
  if (!stats) throw new OrreryError('NOT_FOUND', `folder: ${folder} does not exist`);
  if (!stats.isDirectory()) throw new OrreryError('INVALID_INPUT', `folder: ${folder} is not a folder`);
  const out: SourceFile[] = [];
  const walk = async (dir: string, rel: string[]): Promise<void> => {
    const entries: Dirent[] = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, [...rel, entry.name]);
      else if (entry.isFile()) out.push({ path: [...rel, entry.name].join('/'), open: async () => fs.createReadStream(full) });
    }
  };
  await walk(folder, []);
  return out;
}

/** Copies every file into `target` (a new folder), hashing as it goes; files end up read-only. */
export async function copyFiles(files: readonly SourceFile[], target: string): Promise<ModelFile[]> {
  await fsp.mkdir(target, { recursive: true });
  const out: ModelFile[] = [];
  for (const file of files) {
    const destination = path.join(target, ...file.path.split('/'));
    const hashed = await copyAndHash(await file.open(), destination);
    await fsp.chmod(destination, 0o444);
    out.push({ path: file.path, ...hashed });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
