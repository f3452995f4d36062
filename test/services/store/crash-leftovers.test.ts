import { describe, expect, it } from 'vitest';
import { sweepCrashLeftovers } from '../../../electron/services/store/crash-leftovers';

describe('the start-up sweep report', () => {
  it('merges the sweeps, prints one line per kind that had leftovers, and records a sweep that failed without stopping the others', async () => {
    const lines: string[] = [];
    const report = await sweepCrashLeftovers(
      [
        async () => ({ removed: { partialArtifacts: ['/data/artifacts/1/r/artifacts/.orrery-partial-1'] }, failed: [] }),
        async () => {
          throw new Error('disk on fire');
        },
        async () => ({
          removed: { stagingFolders: ['/data/models/a/.staging-1', '/data/models/b/.staging-2'], emptyModelFolders: [] },
          failed: [{ path: '/data/models/c/.staging-3', error: 'EACCES: permission denied' }],
        }),
        async () => ({ removed: { ociTempFolders: ['/tmp/orrery-oci-abc'] }, failed: [] }),
      ],
      { dataDir: '/data', log: (line) => lines.push(line) },
    );
    expect(report).toEqual({
      removed: {
        partialArtifacts: ['/data/artifacts/1/r/artifacts/.orrery-partial-1'],
        stagingFolders: ['/data/models/a/.staging-1', '/data/models/b/.staging-2'],
        pullFolders: [],
        partialDownloads: [],
        ociTempFolders: ['/tmp/orrery-oci-abc'],
        orphanVersionFolders: [],
        emptyModelFolders: [],
      },
      failed: [
        { path: '/data', error: 'disk on fire' },
        { path: '/data/models/c/.staging-3', error: 'EACCES: permission denied' },
      ],
      interrupted: false,
    });
    expect(lines).toEqual([
      '[cleanup] removed 1 partial artifact of an interrupted upload (artifacts/1/r/artifacts/.orrery-partial-1)',
      '[cleanup] removed 2 staging folders of interrupted registrations (under models)',
      '[cleanup] removed 1 orrery-oci-* temp folder of an interrupted push (/tmp/orrery-oci-abc)',
      '[cleanup] could not remove 2 leftovers (first: /data: disk on fire); they are tried again at the next start',
    ]);
  });

  it('prints nothing when there was nothing to remove; stops and says so when the app closes', async () => {
    const lines: string[] = [];
    const nothing = await sweepCrashLeftovers([async () => ({ removed: {}, failed: [] })], { dataDir: '/data', log: (l) => lines.push(l) });
    expect(nothing.interrupted).toBe(false);
    expect(lines).toEqual([]);

    let closed = false;
    let ran = 0;
    const interrupted = await sweepCrashLeftovers(
      [
        async () => {
          ran++;
          closed = true;
          return { removed: { partialArtifacts: ['/data/x'] }, failed: [] };
        },
        async () => {
          ran++;
          return { removed: {}, failed: [] };
        },
      ],
      { dataDir: '/data', stopped: () => closed, log: (l) => lines.push(l) },
    );
    expect(ran).toBe(1);
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.removed.partialArtifacts).toEqual(['/data/x']);
    expect(lines).toEqual([]);
  });
});
