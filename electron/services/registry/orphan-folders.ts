import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { MODEL_NAME } from '../../../shared/contract/registry';
import { emptyFindings, errorText, type LeftoverFindings, type LeftoverKind } from '../store/crash-leftovers';

/**
 * Names of the registry's temporary folders under `<dataDir>/models`. All start with '.', which
 * no model name does, so they never collide with a model or a version.
 *
 * - `<name>/.staging-<uuid>`: a registration copying files (model-registry-service.ts).
 * - `<name>/.orphan-<version>-<uuid>`: a version folder without a row, moved aside to be deleted.
 * - `.pull-<uuid>`: a pull's download target; `.<target>.pull-<random>`: pullModel's own staging
 *   (oci/model-artifact.ts), holding `*.partial` blob downloads (oci/oci-client.ts), which are
 *   counted in the report as they go with their pull folder.
 */
export const STAGING_PREFIX = '.staging-';
export const ORPHAN_PREFIX = '.orphan-';
export const PULL_PREFIX = '.pull-';
const PULL_STAGING = /^\..+\.pull-/;
const PARTIAL_DOWNLOAD = /\.partial$/;
const VERSION_FOLDER = /^[1-9][0-9]*$/;

/** A version folder without a row is first renamed to this (synchronously, right after the check), then deleted. */
export function orphanPath(modelDir: string, version: number | string): string {
  return path.join(modelDir, `${ORPHAN_PREFIX}${version}-${randomUUID()}`);
}

export interface ModelFolderSweepDeps {
  /** `<dataDir>/models` */
  modelsRoot: string;
  /** True when the registry holds version `version` of `model`. */
  hasVersion(model: string, version: number): boolean;
  /** True when the registry holds any version of `model`. */
  hasVersions(model: string): boolean;
  /** True while an operation of this process uses `file` (a staging or pull folder, a model folder). */
  inUse(file: string): boolean;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return [];
    throw error;
  }
}

/** `*.partial` files anywhere under `dir` (symlinks not followed). */
async function partialDownloads(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await partialDownloads(full)));
    else if (entry.isFile() && PARTIAL_DOWNLOAD.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * Start-up sweep of `<dataDir>/models`: staging and pull folders of interrupted registrations and
 * pulls (with the partial downloads inside them), version folders that have no row, and model
 * folders left empty. Anything with a row, and anything an operation of this process is using,
 * stays. A version folder is checked against the database and moved aside in one synchronous
 * step, so no registration of this process can put a new version there in between.
 */
export async function sweepModelFolders(deps: ModelFolderSweepDeps, stopped: () => boolean = () => false): Promise<LeftoverFindings> {
  const found = emptyFindings();
  const add = (kind: LeftoverKind, file: string) => (found.removed[kind] ??= []).push(file);

  const removeTree = async (kind: LeftoverKind, dir: string): Promise<void> => {
    try {
      const partials = kind === 'pullFolders' ? await partialDownloads(dir) : [];
      await fsp.rm(dir, { recursive: true });
      add(kind, dir);
      for (const p of partials) add('partialDownloads', p);
    } catch (error) {
      if (code(error) !== 'ENOENT') found.failed.push({ path: dir, error: errorText(error) });
    }
  };

  /** Hidden temp entries (ours by their names) directly in `dir`. */
  const sweepTemp = async (dir: string, entry: Dirent): Promise<void> => {
    const full = path.join(dir, entry.name);
    if (!entry.isDirectory() || deps.inUse(full)) return;
    if (entry.name.startsWith(STAGING_PREFIX)) return removeTree('stagingFolders', full);
    if (entry.name.startsWith(ORPHAN_PREFIX)) return removeTree('orphanVersionFolders', full);
    if (entry.name.startsWith(PULL_PREFIX) || PULL_STAGING.test(entry.name)) return removeTree('pullFolders', full);
  };

  for (const entry of await readDir(deps.modelsRoot)) {
    if (stopped()) break;
    if (entry.name.startsWith('.')) {
      await sweepTemp(deps.modelsRoot, entry);
      continue;
    }
    if (!entry.isDirectory() || !MODEL_NAME.test(entry.name)) continue;
    const model = entry.name;
    const modelDir = path.join(deps.modelsRoot, model);
    for (const inner of await readDir(modelDir)) {
      if (stopped()) break;
      if (inner.name.startsWith('.')) {
        await sweepTemp(modelDir, inner);
        continue;
      }
      if (!inner.isDirectory() || !VERSION_FOLDER.test(inner.name)) continue;
      const version = Number(inner.name);
      const versionDir = path.join(modelDir, inner.name);
      // Check and move aside in one synchronous step: a registration cannot commit this version in between.
      let aside: string;
      try {
        if (deps.hasVersion(model, version) || deps.inUse(versionDir)) continue;
        aside = orphanPath(modelDir, version);
        fs.renameSync(versionDir, aside);
      } catch (error) {
        if (code(error) !== 'ENOENT') found.failed.push({ path: versionDir, error: errorText(error) });
        continue;
      }
      try {
        await fsp.rm(aside, { recursive: true, force: true });
        add('orphanVersionFolders', versionDir);
      } catch (error) {
        found.failed.push({ path: aside, error: errorText(error) });
      }
    }
    if (stopped()) break;
    try {
      // Synchronously after the checks; rmdir refuses a folder that is not empty.
      if (deps.inUse(modelDir) || deps.hasVersions(model) || fs.readdirSync(modelDir).length > 0) continue;
      fs.rmdirSync(modelDir);
      add('emptyModelFolders', modelDir);
    } catch (error) {
      if (code(error) !== 'ENOENT' && code(error) !== 'ENOTEMPTY') found.failed.push({ path: modelDir, error: errorText(error) });
    }
  }
  return found;
}
