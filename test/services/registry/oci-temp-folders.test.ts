import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markOciTempFolder, OCI_OWNER_FILE, sweepOciTempFolders } from '../../../electron/services/registry/oci-temp-folders';
import { tempDir } from '../../helpers/temp-dir';

const HOUR = 60 * 60 * 1000;

/** A push work dir as oci/model-artifact.ts makes it, last written `age` ms ago. */
function workDir(tmp: string, name: string, age: number, owner?: { pid: number }): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), '{}');
  fs.writeFileSync(path.join(dir, 'layer-0.tar'), Buffer.alloc(512));
  if (owner) fs.writeFileSync(path.join(dir, OCI_OWNER_FILE), JSON.stringify({ pid: owner.pid, startedAt: 0 }));
  const when = new Date(Date.now() - age);
  for (const entry of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, entry), when, when);
  fs.utimesSync(dir, when, when);
  return dir;
}

const DEAD = 999_999_001;
const ALIVE = 999_999_002;
const isAlive = (pid: number) => pid === ALIVE || pid === process.pid;

describe('the start-up sweep of orrery-oci-* temp folders', () => {
  it('removes folders of pushes whose process is gone, and unmarked ones idle since before this process; keeps the rest', async () => {
    const tmp = tempDir();
    const startedAt = Date.now() - 30 * 1000;
    const deadOwner = workDir(tmp, 'orrery-oci-dead01', 5 * 1000, { pid: DEAD });
    const oldUnmarked = workDir(tmp, 'orrery-oci-old001', 2 * HOUR);
    const kept = [
      workDir(tmp, 'orrery-oci-alive1', 2 * HOUR, { pid: ALIVE }),
      workDir(tmp, 'orrery-oci-mine01', 2 * HOUR, { pid: process.pid }),
      // Unmarked and written since this process started: a build in progress elsewhere.
      workDir(tmp, 'orrery-oci-fresh1', 1000),
      // Unmarked, older than this process, but written within the idle window: may still be building.
      workDir(tmp, 'orrery-oci-recent', 60 * 1000),
      workDir(tmp, 'other-tool-oci-x', 2 * HOUR),
    ];
    fs.writeFileSync(path.join(tmp, 'orrery-oci-file'), 'a file, not a folder');
    fs.symlinkSync(workDir(tmp, 'target-of-link', 2 * HOUR), path.join(tmp, 'orrery-oci-link'));

    const found = await sweepOciTempFolders({ tmpDir: tmp, startedAt, isAlive, unmarkedIdleMs: 10 * 60 * 1000 });
    expect(found.failed).toEqual([]);
    expect(found.removed.ociTempFolders?.sort()).toEqual([deadOwner, oldUnmarked].sort());
    for (const dir of kept) expect(fs.existsSync(dir)).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'orrery-oci-file'))).toBe(true);
    expect(fs.readdirSync(path.join(tmp, 'target-of-link')).sort()).toEqual(['config.json', 'layer-0.tar']);
  });

  it.skipIf(process.getuid?.() !== 0)("leaves another user's folders alone", async () => {
    const tmp = tempDir();
    const theirs = workDir(tmp, 'orrery-oci-theirs', 2 * HOUR, { pid: DEAD });
    fs.chownSync(theirs, 12345, 12345);
    const found = await sweepOciTempFolders({ tmpDir: tmp, startedAt: Date.now(), isAlive });
    expect(found.removed.ociTempFolders).toEqual([]);
    expect(fs.existsSync(theirs)).toBe(true);
  });

  it('markOciTempFolder names this process, so the folder is kept while it lives', async () => {
    const tmp = tempDir();
    const dir = workDir(tmp, 'orrery-oci-marked', 2 * HOUR);
    markOciTempFolder(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, OCI_OWNER_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await sweepOciTempFolders({ tmpDir: tmp, startedAt: Date.now() })).removed.ociTempFolders).toEqual([]);
    expect(fs.existsSync(dir)).toBe(true);
  });
});
