import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelFolderClaims } from '../../../electron/services/registry/model-folder-claims';
import { ModelRegistration } from '../../../electron/services/registry/model-registration';
import { RegistryRecords } from '../../../electron/services/registry/registry-records';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { StagesAndAliases } from '../../../electron/services/registry/stages-and-aliases';
import { VersionApprovals } from '../../../electron/services/registry/version-approvals';
import { openDatabase } from '../../../electron/services/store/database';
import { ManualClock } from '../../fakes/manual-clock';
import { InMemoryRunArtifacts } from '../../fakes/run-artifacts';
import { InMemoryRunInfo } from '../../fakes/run-info-reader';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The registry's parts on their own: runs and their artifacts come from in-memory fakes of the
 * registry's ports (no tracking service, no artifact store), time from a manual clock.
 */

const RUN = 'a'.repeat(32);
let db: Database;
let dataDir: string;
let runs: InMemoryRunInfo;
let artifacts: InMemoryRunArtifacts;
let clock: ManualClock;
let registration: ModelRegistration;
let approvals: VersionApprovals;
let stages: StagesAndAliases;
let records: RegistryRecords;

beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  runs = new InMemoryRunInfo();
  artifacts = new InMemoryRunArtifacts();
  clock = new ManualClock(5_000);
  const repo = new RegistryRepository(db);
  records = new RegistryRecords(repo, clock.now, new EventBus());
  const claims = new ModelFolderClaims(path.join(dataDir, 'models'));
  registration = new ModelRegistration({ repo, records, claims, runs, artifacts });
  approvals = new VersionApprovals(repo, records);
  stages = new StagesAndAliases(repo, records);
  runs.addExperiment('7', 'mnist');
  runs.addRun(RUN, '7', {
    name: 'lenet',
    userId: 'bob',
    params: { lr: '0.01' },
    metrics: { acc: { key: 'acc', value: 0.93, step: 9, timestamp: 1 } },
    source: { command: null, sourceName: null, imageDigest: 'sha256:abc', gitCommit: 'deadbeef', gitBranch: 'main', gitDirty: false },
  });
  artifacts.put('7', RUN, 'model/model.onnx', 'onnx bytes');
  artifacts.put('7', RUN, 'model/labels.txt', 'cat\ndog\n');
  artifacts.put('7', RUN, 'notes.txt', 'not part of the model');
});

afterEach(() => db.close());

describe('registration from a run, through the run reader and artifact reader ports', () => {
  it('copies the folder the path names, with the run as lineage, its metrics, and its user as actor', async () => {
    const version = await registration.registerFromRun({ runId: RUN, path: 'model', name: 'digits' });
    expect(version).toMatchObject({
      name: 'digits',
      version: 1,
      source: { type: 'run', runId: RUN, path: 'model' },
      flavor: 'onnx',
      metrics: { acc: 0.93 },
      createdBy: 'bob',
      createdAt: 5_000,
      lineage: { runId: RUN, runName: 'lenet', experimentId: '7', experimentName: 'mnist', params: { lr: '0.01' }, gitCommit: 'deadbeef', imageDigest: 'sha256:abc' },
    });
    expect(version.files.map((f) => f.path)).toEqual(['labels.txt', 'model.onnx']);
    expect(fs.readFileSync(path.join(version.storagePath, 'labels.txt'), 'utf8')).toBe('cat\ndog\n');
  });

  it('a path naming one file registers just that file; a run with nothing there, or deleted, is refused', async () => {
    const single = await registration.registerFromRun({ runId: RUN, path: 'notes.txt', name: 'notes' });
    expect(single.files.map((f) => f.path)).toEqual(['notes.txt']);
    await expect(registration.registerFromRun({ runId: RUN, path: 'missing', name: 'none' })).rejects.toThrow(
      `Run ${RUN} has no artifacts under 'missing': there is nothing to register as model 'none'.`,
    );
    runs.addRun(RUN, '7', { lifecycleStage: 'deleted' });
    await expect(registration.registerFromRun({ runId: RUN, path: '', name: 'gone' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('approvals and stages', () => {
  it('a version reaches Production only after approval while it passes its gates; each step is timed by the clock', async () => {
    await registration.registerFromRun({ runId: RUN, path: 'model', name: 'digits' });
    approvals.setGates({ name: 'digits', gates: [{ kind: 'metric', metric: 'acc', op: '>=', value: 0.95 }], actor: 'carol' });
    clock.advance(1_000);
    const request = approvals.requestApproval({ name: 'digits', version: 1, actor: 'bob', comment: 'ship it' });
    expect(request).toMatchObject({ status: 'open', requestedAt: 6_000, requestedBy: 'bob' });
    expect(() => approvals.review({ requestId: request.requestId, decision: 'approve', reviewer: 'carol' })).toThrow(/fails its gates/);
    expect(() => stages.setStage({ name: 'digits', version: 1, stage: 'Production', archiveExisting: false, actor: 'carol' })).toThrow(/no approved request/);

    approvals.setGates({ name: 'digits', gates: [{ kind: 'metric', metric: 'acc', op: '>=', value: 0.9 }], actor: 'carol' });
    clock.advance(1_000);
    expect(approvals.review({ requestId: request.requestId, decision: 'approve', reviewer: 'carol' })).toMatchObject({ status: 'approved', reviewedAt: 7_000 });
    const promoted = stages.setStage({ name: 'digits', version: 1, stage: 'Production', archiveExisting: false, actor: 'carol' });
    expect(promoted.stage).toBe('Production');
    expect(records.getVersion('digits', 1).transitions).toEqual([{ at: 7_000, actor: 'carol', from: 'None', to: 'Production' }]);
    expect(records.auditLog('digits').map((a) => a.action)).toEqual([
      'stage.set',
      'approval.approve',
      'gates.set',
      'approval.request',
      'gates.set',
      'version.register',
      'model.create',
    ]);
  });
});
