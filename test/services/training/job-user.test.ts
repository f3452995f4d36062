import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseJobUser,
  isJobUid,
  JOB_UID_BASE,
  JOB_UID_RANGE,
  jobUidFor,
  prepareJobFolder,
  UNPRIVILEGED_GID,
  UNPRIVILEGED_UID,
  writableWorkspacesToChown,
} from '../../../electron/services/training/job-user';
import type { ResolvedMount } from '../../../electron/services/training/mount-policy';
import { tempDir } from '../../helpers/temp-dir';

const root = { uid: 0, gid: 0 };
const isRoot = process.getuid?.() === 0;

function workspace(source: string, writable: boolean): ResolvedMount {
  return { source, requested: source, target: '/w', kind: 'workspace', writable };
}

describe('the job user rule', () => {
  it('runs as the workspace owner when Orrery is root and the owner is not', () => {
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 1000, gid: 1001 }, orrery: root })).toEqual({ uid: 1000, gid: 1001, source: 'workspace-owner' });
  });

  it('runs as 65534:65534 when everything is root\'s, or there is no workspace', () => {
    expect(UNPRIVILEGED_UID).toBe(65534);
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 0, gid: 0 }, orrery: root })).toEqual({ uid: UNPRIVILEGED_UID, gid: UNPRIVILEGED_GID, source: 'unprivileged' });
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: null, orrery: root })).toEqual({ uid: 65534, gid: 65534, source: 'unprivileged' });
    // A workspace owned by root but with a non-root group is still root's.
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 0, gid: 1000 }, orrery: root }).uid).toBe(65534);
  });

  it("never takes root's group from a person's workspace (uid 1000, gid 0 gives gid 65534)", () => {
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 1000, gid: 0 }, orrery: root })).toEqual({ uid: 1000, gid: UNPRIVILEGED_GID, source: 'workspace-owner' });
  });

  it('per-job uids come from the reserved range, one per job, moving past taken ones', () => {
    const a = jobUidFor('a'.repeat(32), () => false);
    expect(isJobUid(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(JOB_UID_BASE);
    expect(a).toBeLessThan(JOB_UID_BASE + JOB_UID_RANGE);
    expect(JOB_UID_BASE + JOB_UID_RANGE).toBeLessThan(2 ** 31);
    expect(jobUidFor('a'.repeat(32), (uid) => uid === a)).not.toBe(a);
    expect(isJobUid(UNPRIVILEGED_UID)).toBe(false);
  });

  it("runs as Orrery's own user when Orrery is not root (only its folders can be made writable)", () => {
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 1001, gid: 1001 }, orrery: { uid: 1000, gid: 1000 } })).toEqual({ uid: 1000, gid: 1000, source: 'orrery-user' });
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: null, orrery: { uid: 1000, gid: 1000 } }).source).toBe('orrery-user');
  });

  it('runs as 65534 where the platform has no uids (Windows: Orrery can neither chown nor drop)', () => {
    expect(chooseJobUser({ allowRoot: false, workspaceOwner: { uid: 0, gid: 0 }, orrery: { uid: -1, gid: -1 } })).toEqual({ uid: 65534, gid: 65534, source: 'unprivileged' });
  });

  it('runs as root only when the spec allows it', () => {
    expect(chooseJobUser({ allowRoot: true, workspaceOwner: { uid: 1000, gid: 1000 }, orrery: root })).toEqual({ uid: 0, gid: 0, source: 'root-allowed' });
    expect(chooseJobUser({ allowRoot: true, workspaceOwner: null, orrery: { uid: 1000, gid: 1000 } }).uid).toBe(0);
  });
});

describe('folders the job writes', () => {
  it.skipIf(!isRoot)('outputs are 0700 and the job user\'s (a 0777 folder from before is tightened); checkpoints are handed over with what is in them, links not followed', () => {
    const base = tempDir();
    const outputs = path.join(base, 'outputs');
    fs.mkdirSync(outputs, { mode: 0o777 });
    fs.chmodSync(outputs, 0o777);
    const user = { uid: 65534, gid: 65534 };
    prepareJobFolder(outputs, user, root);
    const stat = fs.statSync(outputs);
    expect(stat.mode & 0o777).toBe(0o700);
    expect([stat.uid, stat.gid]).toEqual([65534, 65534]);

    const checkpoints = path.join(base, 'checkpoints');
    fs.mkdirSync(path.join(checkpoints, 'epoch-1'), { recursive: true });
    fs.writeFileSync(path.join(checkpoints, 'epoch-1', 'model.pt'), 'w');
    const secret = path.join(base, 'secret');
    fs.writeFileSync(secret, 'root only');
    fs.symlinkSync(secret, path.join(checkpoints, 'link'));
    prepareJobFolder(checkpoints, { uid: 1234, gid: 1234 }, root, { recursive: true });
    expect(fs.statSync(path.join(checkpoints, 'epoch-1', 'model.pt')).uid).toBe(1234);
    expect(fs.lstatSync(path.join(checkpoints, 'link')).uid).toBe(1234);
    // The link's target was not given away.
    expect(fs.statSync(secret).uid).toBe(0);
  });

  it('a non-root Orrery only creates and tightens (it can give nothing away)', () => {
    const dir = path.join(tempDir(), 'outputs');
    prepareJobFolder(dir, { uid: 4242, gid: 4242 }, { uid: 1000, gid: 1000 });
    const stat = fs.statSync(dir);
    expect(stat.mode & 0o777).toBe(0o700);
    expect(stat.uid).toBe(process.getuid?.() ?? stat.uid);
  });

  it.skipIf(!isRoot)('a root-owned writable workspace is handed over; a system or top-level folder never is', () => {
    const user = { uid: 65534, gid: 65534, source: 'unprivileged' as const };
    const stage = tempDir();
    expect(writableWorkspacesToChown([workspace(stage, true)], user, root)).toEqual([stage]);
    expect(writableWorkspacesToChown([workspace(stage, false)], user, root)).toEqual([]);
    expect(writableWorkspacesToChown([workspace(stage, true)], { uid: 0, gid: 0, source: 'root-allowed' }, root)).toEqual([]);
    expect(writableWorkspacesToChown([workspace(stage, true)], user, { uid: 1000, gid: 1000 })).toEqual([]);
    expect(() => writableWorkspacesToChown([workspace('/usr/share', true)], user, root)).toThrow(/^spec\.mounts\[0\]\.source: '\/usr\/share' is a system or top-level folder owned by root/);
    expect(() => writableWorkspacesToChown([workspace('/tmp', true)], user, root)).toThrow(/system or top-level folder/);
  });
});
