import type { Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { emptyFindings, errorText, type LeftoverFindings } from '../store/crash-leftovers';
import { PARTIAL_PREFIX, type ArtifactStore } from './artifact-store';

/**
 * Start-up sweep: removes the temp files (`.orrery-partial-*`) of artifact uploads that a crash
 * interrupted, anywhere under the artifacts root. Uploads in progress in this process are left
 * alone (the store knows their temp files), so the sweep may run while the app serves requests.
 * Symlinks are never followed; only regular files are removed.
 */
export async function sweepPartialArtifacts(store: Pick<ArtifactStore, 'root' | 'isWriting'>, stopped: () => boolean = () => false): Promise<LeftoverFindings> {
  const found = emptyFindings();
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    if (stopped()) return;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') found.failed.push({ path: dir, error: errorText(error) });
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.startsWith(PARTIAL_PREFIX) && !store.isWriting(full)) {
        try {
          await fsp.rm(full);
          removed.push(full);
        } catch (error) {
          // Gone meanwhile: it was an upload of this process that has just finished.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') found.failed.push({ path: full, error: errorText(error) });
        }
      }
    }
  };
  await walk(store.root);
  found.removed.partialArtifacts = removed;
  return found;
}
