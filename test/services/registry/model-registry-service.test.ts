import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryVersionEvent } from '../../../shared/contract/registry';
import { OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { OciClient } from '../../../electron/services/registry/oci/oci-client';
import { openDatabase } from '../../../electron/services/store/database';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { tempDir } from '../../helpers/temp-dir';

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.4
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.9.2
model_uuid: 0d6f1b0b6c1d4b4d9c7a2f7b2f9c5e1a
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2024-01-01 00:00:00.000000'
`;

let dataDir: string;
let db: Database;
let tracking: TrackingService;
let artifacts: ArtifactStore;
let registry: ModelRegistryService;
let events: RegistryVersionEvent[];
let clock: number;

beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  const bus = new EventBus();
  events = [];
  bus.subscribe('registry.version', (e) => events.push(e));
  clock = 1_700_000_000_000;
  tracking = new TrackingService({ db, bus });
  artifacts = new ArtifactStore(path.join(dataDir, 'artifacts'));
  registry = new ModelRegistryService({ repository: new RegistryRepository(db), bus, tracking, artifacts, dataDir, ociClient: () => new OciClient(), now: () => ++clock });
});
afterEach(() => db.close());

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function trainedRun(files: Record<string, string>, accuracy = 0.93): Promise<{ runId: string; experimentId: string }> {
  const experimentId = tracking.createExperiment('iris');
  const run = tracking.createRun({
    experimentId,
    name: 'rf-1',
    userId: 'ada',
    tags: [
      { key: 'mlflow.source.git.commit', value: 'c0ffee1' },
      { key: 'mlflow.source.git.branch', value: 'main' },
      { key: 'orrery.image.digest', value: 'sha256:beef' },
    ],
  });
  tracking.logBatch(run.runId, {
    params: [
      { key: 'n_estimators', value: '100' },
      { key: 'max_depth', value: '5' },
    ],
    metrics: [
      { key: 'accuracy', value: 0.5, timestamp: 1, step: 0 },
      { key: 'accuracy', value: accuracy, timestamp: 2, step: 1 },
    ],
    tags: [],
  });
  tracking.logInputs(run.runId, [
    { name: 'iris-train', digest: 'd1g3st', sourceType: 'local', source: '/data/iris.csv', schema: null, profile: null, tags: [] },
  ]);
  for (const [file, body] of Object.entries(files)) await artifacts.write(experimentId, run.runId, file.split('/'), Buffer.from(body));
  return { runId: run.runId, experimentId };
}

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe(code);
    expect((error as OrreryError).message).toMatch(message);
    return;
  }
  throw new Error('expected an error');
}

describe('registering versions', () => {
  it('registers an MLflow model folder from a run: files hashed and copied, flavor, schema, metrics, lineage', async () => {
    const { runId, experimentId } = await trainedRun({ 'model/MLmodel': MLMODEL, 'model/model.pkl': 'pickle-bytes', 'model/conda.yaml': 'deps', 'plot.png': 'png' });
    const v1 = await registry.registerFromRun({ runId, path: 'model', name: 'iris-rf' });

    expect(v1.version).toBe(1);
    expect(v1.flavor).toBe('mlflow');
    expect(v1.flavors).toEqual(['python_function', 'sklearn']);
    expect(v1.inputSchema).toEqual([
      { type: 'double', name: 'sepal length (cm)', required: true },
      { type: 'double', name: 'sepal width (cm)', required: true },
    ]);
    expect(v1.files).toEqual([
      { path: 'MLmodel', sha256: sha(MLMODEL), size: MLMODEL.length },
      { path: 'conda.yaml', sha256: sha('deps'), size: 4 },
      { path: 'model.pkl', sha256: sha('pickle-bytes'), size: 12 },
    ]);
    expect(v1.totalSize).toBe(MLMODEL.length + 16);
    expect(v1.metrics).toEqual({ accuracy: 0.93 });
    expect(v1.source).toEqual({ type: 'run', runId, path: 'model' });
    expect(v1.createdBy).toBe('ada');
    expect(v1.stage).toBe('None');
    expect(v1.lineage).toMatchObject({
      runId,
      runName: 'rf-1',
      experimentId,
      experimentName: 'iris',
      params: { n_estimators: '100', max_depth: '5' },
      gitCommit: 'c0ffee1',
      gitBranch: 'main',
      imageDigest: 'sha256:beef',
      inputs: [{ name: 'iris-train', digest: 'd1g3st', sourceType: 'local', source: '/data/iris.csv' }],
      parents: [],
    });

    // The copy is the version's: changing the run's artifacts later does not touch it.
    expect(v1.storagePath).toBe(path.join(dataDir, 'models', 'iris-rf', '1'));
    await artifacts.remove(experimentId, runId, ['model']);
    await artifacts.write(experimentId, runId, ['model', 'model.pkl'], Buffer.from('changed'));
    expect(fs.readFileSync(path.join(v1.storagePath, 'model.pkl'), 'utf8')).toBe('pickle-bytes');
    expect(fs.readdirSync(path.join(dataDir, 'models', 'iris-rf')).sort()).toEqual(['1']);
    expect(events).toContainEqual({ name: 'iris-rf', version: 1, stage: 'None', change: 'registered' });
  });

  it('versions count up; sklearn, onnx, pytorch and safetensors are told apart by their files', async () => {
    const { runId } = await trainedRun({ 'sk/model.joblib': 'j', 'onnx/model.onnx': 'o', 'pt/weights.pth': 'p', 'st/model.safetensors': 's', 'x/readme.txt': 'r' });
    const flavors = [];
    for (const folder of ['sk', 'onnx', 'pt', 'st', 'x']) {
      const v = await registry.registerFromRun({ runId, path: folder, name: 'many' });
      flavors.push([v.version, v.flavor]);
    }
    expect(flavors).toEqual([
      [1, 'sklearn'],
      [2, 'onnx'],
      [3, 'pytorch'],
      [4, 'safetensors'],
      [5, 'unknown'],
    ]);
    const model = registry.getModel('many');
    expect(model.latestVersion).toBe(5);
    expect(model.versions.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect(registry.listModels()).toEqual([expect.objectContaining({ name: 'many', versionCount: 5, latestVersion: 5, productionVersion: null })]);
  });

  it('registers a single artifact file, the whole artifact root, and a local folder with parents', async () => {
    const { runId } = await trainedRun({ 'model.onnx': 'onnx!' });
    const single = await registry.registerFromRun({ runId, path: 'model.onnx', name: 'base' });
    expect(single.files).toEqual([{ path: 'model.onnx', sha256: sha('onnx!'), size: 5 }]);
    const all = await registry.registerFromRun({ runId, path: '', name: 'base' });
    expect(all.version).toBe(2);

    const folder = tempDir();
    fs.mkdirSync(path.join(folder, 'sub'));
    fs.writeFileSync(path.join(folder, 'sub', 'adapter.safetensors'), 'lora');
    const tuned = await registry.registerFromFolder({ folder, name: 'tuned', parentVersions: [{ name: 'base', version: 1 }], actor: 'grace' });
    expect(tuned).toMatchObject({ version: 1, flavor: 'safetensors', createdBy: 'grace', source: { type: 'folder', path: folder }, metrics: {} });
    expect(tuned.files).toEqual([{ path: 'sub/adapter.safetensors', sha256: sha('lora'), size: 4 }]);
    expect(tuned.lineage.parents).toEqual([{ name: 'base', version: 1 }]);

    await expect(registry.registerFromFolder({ folder, name: 'tuned', parentVersions: [{ name: 'base', version: 9 }] })).rejects.toThrow(/no version 9/);
  });

  it('refuses a run with no artifacts, naming the run; nothing is recorded', async () => {
    const { runId } = await trainedRun({});
    await expect(registry.registerFromRun({ runId, path: '', name: 'empty' })).rejects.toThrow(new RegExp(`Run ${runId} has no artifacts`));
    await expect(registry.registerFromRun({ runId, path: 'model', name: 'empty' })).rejects.toThrow(/no artifacts under 'model'/);
    await expect(registry.registerFromRun({ runId, path: '../x', name: 'empty' })).rejects.toThrow(/refused/);
    expect(registry.listModels()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'models', 'empty')) ? fs.readdirSync(path.join(dataDir, 'models', 'empty')) : []).toEqual([]);
  });
});

describe('gates', () => {
  it('are evaluated at registration with the values, and again when they change', async () => {
    registry.setGates({
      name: 'gated',
      actor: 'lead',
      gates: [
        { kind: 'required_file', path: 'MLmodel' },
        { kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 },
        { kind: 'max_size', bytes: 10_000 },
      ],
    });
    const good = await trainedRun({ 'model/MLmodel': MLMODEL, 'model/model.pkl': 'x' }, 0.93);
    const v1 = await registry.registerFromRun({ runId: good.runId, path: 'model', name: 'gated' });
    expect(v1.gateStatus).toBe('passed');
    expect(v1.gates).toEqual([
      { gate: { kind: 'required_file', path: 'MLmodel' }, passed: true, actual: 'present', expected: 'present' },
      { gate: { kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 }, passed: true, actual: 0.93, expected: '>= 0.9' },
      { gate: { kind: 'max_size', bytes: 10_000 }, passed: true, actual: v1.totalSize, expected: '<= 10000 bytes' },
    ]);

    const experimentRun = tracking.createRun({ experimentId: good.experimentId, tags: [] });
    tracking.logBatch(experimentRun.runId, { params: [], tags: [], metrics: [{ key: 'accuracy', value: 0.85, timestamp: 1, step: 0 }] });
    await artifacts.write(good.experimentId, experimentRun.runId, ['model.pkl'], Buffer.from('y'));
    const v2 = await registry.registerFromRun({ runId: experimentRun.runId, path: '', name: 'gated' });
    expect(v2.gateStatus).toBe('failed');
    expect(v2.gates.filter((g) => !g.passed).map((g) => [g.gate.kind, g.actual])).toEqual([
      ['required_file', 'missing'],
      ['metric', 0.85],
    ]);

    const model = registry.setGates({ name: 'gated', actor: 'lead', gates: [{ kind: 'max_size', bytes: 5 }] });
    expect(model.versions.map((v) => [v.version, v.gateStatus])).toEqual([
      [2, 'passed'],
      [1, 'failed'],
    ]);
    expect(registry.getVersion('gated', 1).gates[0]).toMatchObject({ passed: false, actual: v1.totalSize, expected: '<= 5 bytes' });
  });
});

describe('stages, approvals and aliases', () => {
  async function twoVersions() {
    const { runId } = await trainedRun({ 'a/model.pkl': 'a', 'b/model.pkl': 'b' });
    await registry.registerFromRun({ runId, path: 'a', name: 'm' });
    await registry.registerFromRun({ runId, path: 'b', name: 'm' });
  }

  it('Production needs an approved request; one Production version; promoting archives the previous one', async () => {
    await twoVersions();
    expect(registry.setStage({ name: 'm', version: 1, stage: 'Staging', archiveExisting: false, actor: 'ada' }).stage).toBe('Staging');
    expectError(() => registry.setStage({ name: 'm', version: 1, stage: 'Production', archiveExisting: false, actor: 'ada' }), 'CONFLICT', /no approved request/);

    const r1 = registry.requestApproval({ name: 'm', version: 1, actor: 'ada', comment: 'ship it' });
    expect(r1).toMatchObject({ status: 'open', requestedBy: 'ada', comment: 'ship it', version: 1 });
    expectError(() => registry.requestApproval({ name: 'm', version: 1, actor: 'ada' }), 'CONFLICT', /already has an open approval request/);
    const approved = registry.review({ requestId: r1.requestId, decision: 'approve', reviewer: 'lead', comment: 'lgtm' });
    expect(approved).toMatchObject({ status: 'approved', reviewer: 'lead', reviewComment: 'lgtm' });
    expect(approved.reviewedAt).toBeGreaterThan(0);
    expect(registry.setStage({ name: 'm', version: 1, stage: 'Production', archiveExisting: false, actor: 'ada' }).stage).toBe('Production');

    const r2 = registry.requestApproval({ name: 'm', version: 2, actor: 'ada' });
    registry.review({ requestId: r2.requestId, decision: 'approve', reviewer: 'lead' });
    expectError(() => registry.setStage({ name: 'm', version: 2, stage: 'Production', archiveExisting: false, actor: 'ada' }), 'CONFLICT', /already has version 1 in Production/);
    registry.setStage({ name: 'm', version: 2, stage: 'Production', archiveExisting: true, actor: 'bob' });
    expect(registry.getModel('m').versions.map((v) => [v.version, v.stage])).toEqual([
      [2, 'Production'],
      [1, 'Archived'],
    ]);

    // The database itself holds the rule too.
    expect(() => db.prepare("UPDATE model_versions SET stage = 'Production' WHERE model = 'm' AND version = 1").run()).toThrow(/UNIQUE/);

    const transitions = registry.getVersion('m', 1).transitions;
    expect(transitions.map((t) => [t.from, t.to, t.actor])).toEqual([
      ['None', 'Staging', 'ada'],
      ['Staging', 'Production', 'ada'],
      ['Production', 'Archived', 'bob'],
    ]);
    expect(transitions.every((t) => t.at > 0)).toBe(true);
  });

  it('a rejected request cannot be approved; a version failing a gate cannot be approved', async () => {
    await twoVersions();
    const r1 = registry.requestApproval({ name: 'm', version: 1, actor: 'ada' });
    registry.review({ requestId: r1.requestId, decision: 'reject', reviewer: 'lead', comment: 'needs more data' });
    expectError(() => registry.review({ requestId: r1.requestId, decision: 'approve', reviewer: 'lead' }), 'CONFLICT', /rejected by lead; a rejected request cannot be approved/);
    expect(registry.request(r1.requestId).status).toBe('rejected');

    registry.setGates({ name: 'm', actor: 'lead', gates: [{ kind: 'metric', metric: 'accuracy', op: '>=', value: 0.99 }] });
    const r2 = registry.requestApproval({ name: 'm', version: 2, actor: 'ada' });
    expectError(() => registry.review({ requestId: r2.requestId, decision: 'approve', reviewer: 'lead' }), 'CONFLICT', /accuracy >= 0.99 \(actual 0.93\).*cannot be approved/);
    expect(registry.request(r2.requestId).status).toBe('open');
  });

  it('approve: the open request, or one opened and approved in a single audit entry; rejected and failing versions refused', async () => {
    const { runId } = await trainedRun({ 'a/model.pkl': 'a', 'b/model.pkl': 'b', 'c/model.pkl': 'c', 'd/model.pkl': 'd' });
    await registry.registerFromRun({ runId, path: 'a', name: 'm' });
    await registry.registerFromRun({ runId, path: 'b', name: 'm' });
    const open = registry.requestApproval({ name: 'm', version: 1, actor: 'ada' });
    const viaOpen = registry.approve({ name: 'm', version: 1, reviewer: 'lead', comment: 'ok' });
    expect(viaOpen).toMatchObject({ requestId: open.requestId, status: 'approved', reviewer: 'lead', requestedBy: 'ada' });
    expectError(() => registry.approve({ name: 'm', version: 1, reviewer: 'lead' }), 'CONFLICT', /already approved \(request \d+, by lead\)/);

    const before = registry.auditLog('m').length;
    const direct = registry.approve({ name: 'm', version: 2, reviewer: 'ci-bot', comment: 'nightly' });
    expect(direct).toMatchObject({ version: 2, status: 'approved', reviewer: 'ci-bot', requestedBy: 'ci-bot', reviewComment: 'nightly' });
    const added = registry.auditLog('m').slice(0, registry.auditLog('m').length - before);
    expect(added.map((a) => [a.action, a.actor, a.details.openedAndApproved])).toEqual([['approval.approve', 'ci-bot', true]]);
    expect(registry.setStage({ name: 'm', version: 2, stage: 'Production', archiveExisting: false, actor: 'ci-bot' }).stage).toBe('Production');

    await registry.registerFromRun({ runId, path: 'c', name: 'm' });
    const r3 = registry.requestApproval({ name: 'm', version: 3, actor: 'ada' });
    registry.review({ requestId: r3.requestId, decision: 'reject', reviewer: 'lead', comment: 'overfits' });
    expectError(() => registry.approve({ name: 'm', version: 3, reviewer: 'lead' }), 'CONFLICT', /rejected by lead \(request \d+: overfits\); open a new approval request/);
    expect(registry.getVersion('m', 3).approvals.map((a) => a.status)).toEqual(['rejected']);

    registry.setGates({ name: 'm', actor: 'lead', gates: [{ kind: 'required_file', path: 'MLmodel' }] });
    await registry.registerFromRun({ runId, path: 'd', name: 'm' });
    expectError(() => registry.approve({ name: 'm', version: 4, reviewer: 'lead' }), 'CONFLICT', /fails its gates \(.*MLmodel.*\); it cannot be approved/);
    expect(registry.getVersion('m', 4).approvals).toEqual([]);
  });

  it('aliases: set, resolve, refuse a duplicate unless moved, refuse bad names, delete', async () => {
    await twoVersions();
    expect(registry.setAlias({ name: 'm', alias: 'champion', version: 1, actor: 'ada' }).aliases).toEqual(['champion']);
    registry.setAlias({ name: 'm', alias: 'challenger', version: 2, actor: 'ada' });
    expect(registry.getVersion('m', { alias: 'champion' }).version).toBe(1);
    expectError(() => registry.setAlias({ name: 'm', alias: 'champion', version: 2, actor: 'ada' }), 'ALREADY_EXISTS', /already on version 1: pass move: true/);
    expectError(() => registry.setAlias({ name: 'm', alias: 'latest', version: 2, actor: 'ada' }), 'INVALID_INPUT', /not a valid alias/);
    expectError(() => registry.setAlias({ name: 'm', alias: 'v3', version: 2, actor: 'ada' }), 'INVALID_INPUT', /not a valid alias/);
    registry.setAlias({ name: 'm', alias: 'champion', version: 2, actor: 'ada', move: true });
    expect(registry.getModel('m').aliases).toEqual({ challenger: 2, champion: 2 });
    expect(registry.deleteAlias({ name: 'm', alias: 'challenger', actor: 'ada' }).aliases).toEqual({ champion: 2 });
    expectError(() => registry.deleteAlias({ name: 'm', alias: 'challenger', actor: 'ada' }), 'NOT_FOUND', /no alias 'challenger'/);
  });
});

describe('audit log', () => {
  it('grows with every change, and the database refuses UPDATE and DELETE on it', async () => {
    const { runId } = await trainedRun({ 'model.pkl': 'x' });
    await registry.registerFromRun({ runId, path: '', name: 'audited' });
    registry.setAlias({ name: 'audited', alias: 'champion', version: 1, actor: 'ada' });
    const request = registry.requestApproval({ name: 'audited', version: 1, actor: 'ada' });
    registry.review({ requestId: request.requestId, decision: 'approve', reviewer: 'lead', comment: 'ok' });
    registry.setStage({ name: 'audited', version: 1, stage: 'Production', archiveExisting: false, actor: 'ada' });

    const log = registry.auditLog('audited');
    expect(log.map((e) => [e.action, e.actor])).toEqual([
      ['stage.set', 'ada'],
      ['approval.approve', 'lead'],
      ['approval.request', 'ada'],
      ['alias.set', 'ada'],
      ['version.register', 'ada'],
      ['model.create', 'ada'],
    ]);
    expect(log[0]!.details).toMatchObject({ from: 'None', to: 'Production' });
    expect(log[1]!.details).toMatchObject({ requestId: request.requestId, comment: 'ok' });

    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(registry.auditLog('audited')).toHaveLength(6);
    expect(registry.auditLog()).toHaveLength(6);
  });
});
