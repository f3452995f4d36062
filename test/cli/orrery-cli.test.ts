import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest, AuditEntry, ModelVersion, ModelVersionDetail, RegisteredModelSummary } from '../../shared/contract/registry';
import { dockerRegistryAvailable, startDockerRegistry, type RunningRegistry } from '../helpers/docker-registry';
import { orrery, ORRERY_CLI } from '../helpers/run-orrery';
import { tempDir } from '../helpers/temp-dir';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

const CLI = ORRERY_CLI;
/** Tests that start the command a dozen times: each start is a new Node process (1–2 s on a busy 2-core machine). */
const MANY_CLI_CALLS_MS = 90_000;

function modelFolder(files: Record<string, string>): string {
  const folder = tempDir();
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), body);
  }
  return folder;
}

it('the built command is executable and prints its usage', async () => {
  expect(fs.readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(fs.statSync(CLI).mode & 0o111).not.toBe(0);
  const help = await orrery(['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  expect(help.stdout).toContain('orrery models approve N VERSION --reviewer R');
  expect(help.stdout).toContain('Exit status: 0 done, 1 failed (the reason on stderr), 2 bad usage.');
});

describe('orrery models against a running Orrery (server.json)', () => {
  let server: TestServer;
  let experimentId: string;

  beforeEach(async () => {
    server = await startTestServer();
    experimentId = (await server.mlflow('experiments/create', { name: 'cli' })).json.experiment_id as string;
  });
  afterEach(async () => {
    await server.close();
  });

  async function runWithModel(accuracy: number): Promise<string> {
    const run = await server.mlflow('runs/create', { experiment_id: experimentId, run_name: 'train' });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    await server.mlflow('runs/log-batch', { run_id: runId, metrics: [{ key: 'accuracy', value: accuracy, timestamp: 1, step: 0 }] });
    for (const [file, body] of [
      ['model/model.onnx', 'onnx-bytes'],
      ['model/labels.txt', 'setosa\nversicolor\n'],
    ]) {
      const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
        body,
      });
      expect(res.status).toBe(200);
    }
    return runId;
  }

  it('registers from a run, approves with no open request in one recorded step, lists', async () => {
    await server.rpc('registry.setGates', { name: 'iris', actor: 'lead', gates: [{ kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 }] });
    const runId = await runWithModel(0.95);
    const dir = ['--data-dir', server.dataDir];

    // The server holds the data dir's lock: these calls can only succeed over HTTP.
    const registered = await orrery(['models', 'register', '--run', runId, '--path', 'model', '--name', 'iris', '--description', 'from CI', ...dir]);
    expect(registered).toEqual({ code: 0, stdout: 'Registered iris version 1 (onnx, 2 files, 28 B, gates passed)\n', stderr: '' });
    const v1 = (await server.rpc<ModelVersionDetail>('registry.getVersion', { name: 'iris', version: 1 })).body.result!;
    expect(v1).toMatchObject({ createdBy: 'ci-bot', description: 'from CI', source: { type: 'run', runId, path: 'model' }, approvals: [] });

    const approved = await orrery(['models', 'approve', 'iris', '1', '--reviewer', 'lead', '--comment', 'ship it', ...dir]);
    expect(approved).toEqual({ code: 0, stdout: 'Approved iris version 1 for Production (request 1, reviewer lead)\n', stderr: '' });
    const audit = (await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'iris' })).body.result!;
    const approvals = audit.filter((e) => e.action.startsWith('approval.'));
    expect(approvals).toMatchObject([{ action: 'approval.approve', actor: 'lead', version: 1, details: { openedAndApproved: true, comment: 'ship it' } }]);
    const after = (await server.rpc<ModelVersionDetail>('registry.getVersion', { name: 'iris', version: 1 })).body.result!;
    expect(after.approvals).toMatchObject([{ status: 'approved', reviewer: 'lead', requestedBy: 'lead', reviewComment: 'ship it' }]);

    const list = await orrery(['models', 'list', ...dir]);
    expect(list).toEqual({ code: 0, stdout: 'iris  1 version, latest 1\n', stderr: '' });
    const json = await orrery(['models', 'list', '--json', ...dir]);
    expect(JSON.parse(json.stdout) as RegisteredModelSummary[]).toMatchObject([{ name: 'iris', versionCount: 1, latestVersion: 1 }]);
  }, MANY_CLI_CALLS_MS);

  it('failures exit 1 with the reason, bad usage exits 2 with the usage', async () => {
    const runId = await runWithModel(0.5);
    const dir = ['--data-dir', server.dataDir];
    expect((await orrery(['models', 'register', '--run', runId, '--name', 'iris', ...dir])).code).toBe(0);

    const unknown = await orrery(['models', 'approve', 'ghost', '1', '--reviewer', 'lead', ...dir]);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: "orrery: No registered model named 'ghost'\n" });
    const noVersion = await orrery(['models', 'approve', 'iris', '7', '--reviewer', 'lead', ...dir]);
    expect(noVersion).toMatchObject({ code: 1, stderr: "orrery: Model 'iris' has no version 7\n" });

    const badName = await orrery(['models', 'register', '--run', runId, '--name', '../etc', ...dir]);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/^orrery: Invalid input for registry\.registerFromRun: name: must start with a letter or digit/);

    const unapproved = await orrery(['models', 'push', 'iris', '1', '127.0.0.1:5000/models/iris:v1', ...dir]);
    expect(unapproved).toEqual({ code: 1, stdout: '', stderr: 'orrery: version 1 of iris is not approved: request and approve it first\n' });

    const request = (await server.rpc<ApprovalRequest>('registry.requestApproval', { name: 'iris', version: 1, actor: 'ada' })).body.result!;
    const review = await server.rpc('registry.review', { requestId: request.requestId, decision: 'reject', reviewer: 'lead', comment: 'accuracy too low' });
    expect(review.body.ok).toBe(true);
    const rejected = await orrery(['models', 'approve', 'iris', '1', '--reviewer', 'boss', ...dir]);
    expect(rejected).toEqual({
      code: 1,
      stdout: '',
      stderr: `orrery: The version 1 of model 'iris' was rejected by lead (request ${request.requestId}: accuracy too low); open a new approval request before approving it.\n`,
    });
    const audit = (await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'iris' })).body.result!;
    expect(audit.filter((e) => e.action === 'approval.approve')).toEqual([]);

    const badVersion = await orrery(['models', 'approve', 'iris', 'abc', '--reviewer', 'lead', ...dir]);
    expect(badVersion.code).toBe(2);
    expect(badVersion.stdout).toBe('');
    expect(badVersion.stderr).toMatch(/^orrery: VERSION must be a version number \(1, 2, …\), got 'abc'\.\n\nUsage:\n {2}orrery models approve N VERSION --reviewer R/);
    const badOption = await orrery(['models', 'list', '--verbose', ...dir]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^orrery: Unknown option '--verbose'\.\n\nUsage: orrery /);

    const unreachable = await orrery(['models', 'pull', '127.0.0.1:1/x:y', ...dir]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^orrery: registry at 127\.0\.0\.1:1 is unreachable \(.+\); try again later\n$/);
  }, MANY_CLI_CALLS_MS);

  it('a running Orrery with no server.json: the lock error says so', async () => {
    fs.rmSync(path.join(server.dataDir, 'server.json'));
    const locked = await orrery(['models', 'list', '--data-dir', server.dataDir]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toBe(
      `orrery: The data dir ${server.dataDir} is already in use by PID ${process.pid}. Close that Orrery or pass another --data-dir. The command line cannot reach that Orrery: there is no server.json to reach it by.\n`,
    );
  });
});

describe('orrery models with no Orrery running (the store opened in-process)', () => {
  it('registers from a folder relative to the working directory, approves, and a stale server.json is ignored', async () => {
    // An empty folder made on purpose is a data dir to start (a missing one is refused: jobs-cli.test.ts).
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const work = modelFolder({ 'out/model/model.pt': 'torch-weights', 'out/model/config.json': '{}' });
    const registered = await orrery(['models', 'register', '--folder', 'out/model', '--name', 'resnet', '--data-dir', dataDir], { cwd: work });
    expect(registered).toEqual({ code: 0, stdout: 'Registered resnet version 1 (pytorch, 2 files, 15 B, no gates)\n', stderr: '' });

    // What a crashed Orrery leaves behind: a server.json nobody answers at.
    fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:1', port: 1, token: 't', pid: 999999, version: '0' }));
    const approved = await orrery(['models', 'approve', 'resnet', '1', '--reviewer', 'lead', '--data-dir', dataDir]);
    expect(approved).toEqual({ code: 0, stdout: 'Approved resnet version 1 for Production (request 1, reviewer lead)\n', stderr: '' });
    const again = await orrery(['models', 'approve', 'resnet', '1', '--reviewer', 'lead', '--data-dir', dataDir]);
    expect(again).toMatchObject({ code: 1, stderr: "orrery: The version 1 of model 'resnet' is already approved (request 1, by lead).\n" });
    expect(fs.existsSync(path.join(dataDir, 'orrery.lock'))).toBe(false);

    // What was stored, read by the app itself.
    const server = await startTestServer(dataDir);
    try {
      const version = (await server.rpc<ModelVersionDetail>('registry.getVersion', { name: 'resnet', version: 1 })).body.result!;
      expect(version).toMatchObject({ createdBy: 'ci-bot', source: { type: 'folder', path: path.join(work, 'out/model') }, approvals: [{ status: 'approved', reviewer: 'lead' }] });
      const audit = (await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'resnet' })).body.result!;
      expect(audit.map((e) => e.action)).toEqual(['approval.approve', 'version.register', 'model.create']);
      expect(audit[0]!.details).toMatchObject({ openedAndApproved: true });
    } finally {
      await server.close();
    }
  });

  it('fails readably in-process too', async () => {
    const dataDir = tempDir();
    const unknown = await orrery(['models', 'approve', 'ghost', '2', '--reviewer', 'lead', '--data-dir', dataDir]);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: "orrery: No registered model named 'ghost'\n" });
    const missing = await orrery(['models', 'register', '--folder', path.join(dataDir, 'nope'), '--name', 'm', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^orrery: .*nope/);
    const list = await orrery(['models', 'list', '--data-dir', dataDir]);
    expect(list).toEqual({ code: 0, stdout: 'No registered models.\n', stderr: '' });
  });
});

describe.skipIf(!dockerRegistryAvailable())('orrery models push and pull against a real docker-registry', () => {
  let oci: RunningRegistry;
  beforeAll(async () => {
    oci = await startDockerRegistry();
  });
  afterAll(async () => {
    await oci.stop();
  });

  it('pushes an approved version to a reference and to a remote, pulls it back with its origin in the lineage', async () => {
    const server = await startTestServer();
    try {
      const dir = ['--data-dir', server.dataDir];
      const folder = modelFolder({ 'model.onnx': 'x'.repeat(4096), 'labels.txt': 'cat\ndog\n' });
      expect((await orrery(['models', 'register', '--folder', folder, '--name', 'iris', ...dir])).code).toBe(0);
      expect((await orrery(['models', 'approve', 'iris', '1', '--reviewer', 'lead', ...dir])).code).toBe(0);

      const reference = `${oci.host}/models/iris:v1`;
      const pushed = await orrery(['models', 'push', 'iris', '1', reference, ...dir]);
      expect(pushed.stderr).toBe('');
      expect(pushed.code).toBe(0);
      const digest = /@(sha256:[0-9a-f]{64}) /.exec(pushed.stdout)?.[1];
      expect(pushed.stdout).toBe(`Pushed to ${reference}@${digest} (3 uploaded, 0 already there)\n`);

      await server.rpc('remotes.save', { name: 'local', url: oci.url, repositoryPrefix: 'team' });
      const toRemote = await orrery(['models', 'push', 'iris', '1', '--remote', 'local', '--tag', 'rc1', ...dir]);
      expect(toRemote).toEqual({ code: 0, stdout: `Pushed to ${oci.host}/team/iris:rc1@${digest} (3 uploaded, 0 already there)\n`, stderr: '' });
      const again = await orrery(['models', 'push', 'iris', '1', reference, ...dir]);
      expect(again).toEqual({ code: 0, stdout: `Pushed to ${reference}@${digest} (0 uploaded, 3 already there)\n`, stderr: '' });

      // Back into the model it was pushed from, it would be a copy of version 1: refused.
      const back = await orrery(['models', 'pull', reference, '--json', ...dir]);
      expect(back).toEqual({ code: 1, stdout: '', stderr: `orrery: ${reference} is version 1 of iris, pushed as ${reference}@${digest}; no new version was made.\n` });

      const pulled = await orrery(['models', 'pull', reference, '--name', 'iris-pulled', '--json', ...dir]);
      expect(pulled.code).toBe(0);
      const copy1 = JSON.parse(pulled.stdout) as ModelVersion;
      expect(copy1).toMatchObject({ name: 'iris-pulled', version: 1, createdBy: 'ci-bot', lineage: { pulledFrom: reference, digest } });
      expect(copy1.files.map((f) => f.path).sort()).toEqual(['labels.txt', 'model.onnx']);

      const audit = (await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'iris' })).body.result!;
      const pushes = audit.filter((e) => e.action === 'pushed').map((e) => [e.actor, e.details.reference]);
      expect(pushes).toEqual([
        ['ci-bot', `${reference}@${digest}`],
        ['ci-bot', `${oci.host}/team/iris:rc1@${digest}`],
        ['ci-bot', `${reference}@${digest}`],
      ]);
      expect(audit.some((e) => e.action === 'pulled')).toBe(false);
      const pulledAudit = (await server.rpc<AuditEntry[]>('registry.listAudit', { name: 'iris-pulled' })).body.result!;
      expect(pulledAudit[0]).toMatchObject({ action: 'pulled', actor: 'ci-bot', version: 1, details: { reference, digest } });
    } finally {
      await server.close();
    }

    // In-process, into another data dir, under another name.
    const other = tempDir();
    const copy = await orrery(['models', 'pull', `${oci.host}/team/iris:rc1`, '--name', 'iris-copy', '--data-dir', other]);
    expect(copy).toEqual({ code: 0, stdout: `Pulled ${oci.host}/team/iris:rc1 as iris-copy version 1 (onnx, 2 files, 4.1 kB, no gates)\n`, stderr: '' });
  }, MANY_CLI_CALLS_MS);
});
