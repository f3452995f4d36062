import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest, AuditEntry, ModelVersion, ModelVersionDetail, RegisteredModel } from '../../shared/contract/registry';
import { tempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let experimentId: string;

beforeEach(async () => {
  server = await startTestServer();
  experimentId = (await server.mlflow('experiments/create', { name: 'registry' })).json.experiment_id as string;
});
afterEach(async () => {
  await server.close();
});

async function newRun(accuracy: number): Promise<string> {
  const run = await server.mlflow('runs/create', {
    experiment_id: experimentId,
    run_name: 'train',
    tags: [{ key: 'mlflow.source.git.commit', value: 'abc1234' }],
  });
  const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
  await server.mlflow('runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'accuracy', value: accuracy, timestamp: 1, step: 0 }] });
  return runId;
}

async function upload(runId: string, file: string, body: string): Promise<void> {
  const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, {
    method: 'PUT',
    headers: { authorization: 'Bearer test-token' },
    body,
  });
  expect(res.status).toBe(200);
}

describe('registry over HTTP', () => {
  it('registers from a run, gates, approval and promotion, audit log', async () => {
    const gates = await server.rpc<RegisteredModel>('registry.setGates', {
      name: 'iris',
      actor: 'lead',
      gates: [{ kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 }],
    });
    expect(gates.body.ok).toBe(true);

    const runId = await newRun(0.95);
    await upload(runId, 'model/model.onnx', 'onnx-bytes');
    const registered = await server.rpc<ModelVersion>('registry.registerFromRun', { runId, path: 'model', name: 'iris', actor: 'ada' });
    expect(registered.body.ok).toBe(true);
    const v1 = registered.body.result!;
    expect(v1).toMatchObject({ version: 1, flavor: 'onnx', gateStatus: 'passed', metrics: { accuracy: 0.95 } });
    expect(v1.lineage).toMatchObject({ runId, gitCommit: 'abc1234', params: { lr: '0.1' } });
    expect(fs.readFileSync(path.join(server.dataDir, 'models', 'iris', '1', 'model.onnx'), 'utf8')).toBe('onnx-bytes');

    const request = await server.rpc<ApprovalRequest>('registry.requestApproval', { name: 'iris', version: 1, actor: 'ada' });
    const reviewed = await server.rpc<ApprovalRequest>('registry.review', { requestId: request.body.result!.requestId, decision: 'approve', reviewer: 'lead' });
    expect(reviewed.body.result!.status).toBe('approved');
    const promoted = await server.rpc<ModelVersion>('registry.setStage', { name: 'iris', version: 1, stage: 'Production', actor: 'ada' });
    expect(promoted.body.result!.stage).toBe('Production');

    const detail = await server.rpc<ModelVersionDetail>('registry.getVersion', { name: 'iris', version: 1 });
    expect(detail.body.result!.transitions).toMatchObject([{ from: 'None', to: 'Production', actor: 'ada' }]);
    const audit = await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'iris' });
    expect(audit.body.result!.map((e) => e.action)).toEqual(['stage.set', 'approval.approve', 'approval.request', 'version.register', 'gates.set', 'model.create']);

    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'model.pt'), 'torch');
    const fromFolder = await server.rpc<ModelVersion>('registry.registerFromFolder', { folder, name: 'iris', parentVersions: [{ name: 'iris', version: 1 }] });
    expect(fromFolder.body.result).toMatchObject({ version: 2, flavor: 'pytorch', gateStatus: 'failed' });
    const list = await server.rpc<Array<{ name: string; versionCount: number; productionVersion: number }>>('registry.listModels');
    expect(list.body.result).toMatchObject([{ name: 'iris', versionCount: 2, productionVersion: 1 }]);
  });

  it('bad input: a run with no artifacts, named in the error', async () => {
    const runId = await newRun(0.9);
    const { status, body } = await server.rpc('registry.registerFromRun', { runId, name: 'empty' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(body.error!.message).toContain(`Run ${runId} has no artifacts`);
  });

  it('bad input: field-named schema errors', async () => {
    const { status, body } = await server.rpc('registry.registerFromRun', { runId: 'nope', name: '../etc' });
    expect(status).toBe(400);
    expect(body.error!.message).toMatch(/runId: must be a 32-character hex run id/);
    expect(body.error!.message).toMatch(/name: must start with a letter or digit/);
    const stage = await server.rpc('registry.setStage', { name: 'm', version: 0, stage: 'Live', actor: '' });
    expect(stage.body.error!.message).toMatch(/version: .*stage: .*actor: must name who does this/);
  });

  it('bad input: a duplicate alias, and approving a rejected version', async () => {
    const runId = await newRun(0.9);
    await upload(runId, 'model.pkl', 'a');
    await server.rpc('registry.registerFromRun', { runId, name: 'm' });
    await server.rpc('registry.registerFromRun', { runId, name: 'm' });

    expect((await server.rpc('registry.setAlias', { name: 'm', alias: 'champion', version: 1, actor: 'ada' })).body.ok).toBe(true);
    const duplicate = await server.rpc('registry.setAlias', { name: 'm', alias: 'champion', version: 2, actor: 'ada' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(duplicate.body.error!.message).toMatch(/Alias 'champion' of model 'm' is already on version 1/);
    const reserved = await server.rpc('registry.setAlias', { name: 'm', alias: 'latest', version: 2, actor: 'ada' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error!.message).toMatch(/alias: is reserved/);
    const moved = await server.rpc<ModelVersion>('registry.setAlias', { name: 'm', alias: 'champion', version: 2, actor: 'ada', move: true });
    expect(moved.body.result!.aliases).toEqual(['champion']);

    const request = (await server.rpc<ApprovalRequest>('registry.requestApproval', { name: 'm', version: 2, actor: 'ada' })).body.result!;
    const rejected = await server.rpc<ApprovalRequest>('registry.review', { requestId: request.requestId, decision: 'reject', reviewer: 'lead', comment: 'no' });
    expect(rejected.body.result).toMatchObject({ status: 'rejected', reviewer: 'lead', reviewComment: 'no' });
    const approve = await server.rpc('registry.review', { requestId: request.requestId, decision: 'approve', reviewer: 'lead' });
    expect(approve.status).toBe(409);
    expect(approve.body.error!.message).toMatch(/was rejected by lead; a rejected request cannot be approved/);
    const promote = await server.rpc('registry.setStage', { name: 'm', version: 2, stage: 'Production', actor: 'ada' });
    expect(promote.status).toBe(409);
    expect(promote.body.error!.message).toMatch(/no approved request/);
  });

  it('remote registries over HTTP: saved, listed, refused by field, and push input needs one target', async () => {
    const saved = await server.rpc('remotes.save', { name: 'team', url: 'http://localhost:5000', repositoryPrefix: 'ml' });
    expect(saved.body.result).toMatchObject({ name: 'team', url: 'http://localhost:5000', host: 'localhost:5000', repositoryPrefix: 'ml' });
    const insecure = await server.rpc('remotes.save', { name: 'hub', url: 'http://hub.example.com' });
    expect(insecure.status).toBe(400);
    expect(insecure.body.error!.message).toMatch(/^url: plain HTTP is allowed only for localhost/);
    const badName = await server.rpc('remotes.save', { name: 'Team A', url: 'https://ghcr.io' });
    expect(badName.body.error!.message).toMatch(/name: must be lowercase letters/);
    expect((await server.rpc<Array<{ name: string }>>('remotes.list', {})).body.result!.map((r) => r.name)).toEqual(['team']);

    const both = await server.rpc('registry.push', { name: 'm', version: 1, reference: 'localhost:5000/m:v1', remote: 'team', actor: 'ada' });
    expect(both.status).toBe(400);
    expect(both.body.error!.message).toMatch(/reference: give exactly one of reference .* or remote/);
    const tagAlone = await server.rpc('registry.push', { name: 'm', version: 1, reference: 'localhost:5000/m:v1', tag: 'x', actor: 'ada' });
    expect(tagAlone.body.error!.message).toMatch(/tag: tag goes with remote/);

    expect((await server.rpc('remotes.delete', { name: 'team' })).body.result).toEqual({ deleted: 'team' });
    const gone = await server.rpc('remotes.delete', { name: 'team' });
    expect(gone.status).toBe(404);
  });
});
