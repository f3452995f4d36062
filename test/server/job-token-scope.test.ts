import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/contract/training';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let experimentId: string;
let own: string;
let other: string;
let jobToken: string;

async function newRun(experiment: string, tags: Array<{ key: string; value: string }> = []): Promise<string> {
  const created = await server.mlflow('runs/create', { experiment_id: experiment, tags });
  return (created.json.run as { info: { run_id: string } }).info.run_id;
}

/** A request with the job's token instead of the user's. */
async function asJob(method: string, path: string, body?: unknown, token = jobToken): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeEach(async () => {
  server = await startTestServer();
  experimentId = (await server.mlflow('experiments/create', { name: 'scoped' })).json.experiment_id as string;
  own = await newRun(experimentId);
  other = await newRun(experimentId);
  jobToken = server.running.app.jobTokens.issue(own);
});
afterEach(() => server.close());

describe("a job's token reaches its own run and nothing else", () => {
  it('logs to its own run, reads it back, and creates and logs to child runs', async () => {
    expect((await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: own, key: 'loss', value: 1, timestamp: 1, step: 0 })).status).toBe(200);
    expect((await asJob('GET', `/api/2.0/mlflow/runs/get?run_id=${own}`)).status).toBe(200);
    expect((await asJob('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)).status).toBe(200);
    expect((await asJob('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=scoped')).status).toBe(200);
    const child = await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: own }] });
    expect(child.status).toBe(200);
    const childId = (child.json.run as { info: { run_id: string } }).info.run_id;
    expect((await asJob('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: childId, metrics: [{ key: 'acc', value: 0.5, timestamp: 1, step: 0 }] })).status).toBe(200);
    const grandchild = await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: childId }] });
    expect(grandchild.status).toBe(200);
    expect((await asJob('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${own}/artifacts/model.txt`, 'weights')).status).toBe(200);
    expect(server.running.app.tracking.getRun(childId).metrics.acc).toMatchObject({ value: 0.5 });
  });

  it('is refused with 403 for another run, other experiments, search, and run creation outside its tree', async () => {
    const otherExperiment = (await server.mlflow('experiments/create', { name: 'elsewhere' })).json.experiment_id as string;
    const refusals = [
      await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: other, key: 'loss', value: 1, timestamp: 1, step: 0 }),
      await asJob('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: other, key: 'k', value: 'v' }),
      await asJob('GET', `/api/2.0/mlflow/runs/get?run_id=${other}`),
      await asJob('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${other}&metric_key=loss`),
      await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId }),
      await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: other }] }),
      await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: otherExperiment, tags: [{ key: 'mlflow.parentRunId', value: own }] }),
      await asJob('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId] }),
      await asJob('POST', '/api/2.0/mlflow/experiments/create', { name: 'mine' }),
      await asJob('POST', '/api/2.0/mlflow/runs/delete', { run_id: own }),
      await asJob('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${otherExperiment}`),
      await asJob('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=elsewhere'),
      await asJob('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=no-such-experiment'),
      await asJob('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${other}/artifacts/evil.txt`, 'x'),
      await asJob('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${other}/artifacts`),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(refusal.json).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    }
    expect(server.running.app.tracking.getRun(other).metrics).toEqual({});
    expect(server.running.app.tracking.getRun(other).tags.k).toBeUndefined();
  });

  it('cannot move runs between trees or rewrite what Orrery recorded: parent tags and orrery.* tags are refused', async () => {
    const child = await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: own }] });
    const childId = (child.json.run as { info: { run_id: string } }).info.run_id;
    const refusals = [
      // Two parent tags: the first in its tree, the last (which the store keeps) outside.
      await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: own }, { key: 'mlflow.parentRunId', value: other }] }),
      await asJob('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: childId, key: 'mlflow.parentRunId', value: other }),
      await asJob('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: own, tags: [{ key: 'mlflow.parentRunId', value: other }] }),
      await asJob('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: own, key: 'orrery.job_user', value: '0:0' }),
      await asJob('POST', '/api/2.0/mlflow/runs/delete-tag', { run_id: own, key: 'orrery.runner' }),
      await asJob('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: own }, { key: 'orrery.sweep', value: 'true' }] }),
    ];
    for (const refusal of refusals) expect(refusal.status).toBe(403);
    expect(server.running.app.tracking.getRun(childId).tags['mlflow.parentRunId']).toBe(own);
    expect(server.running.app.tracking.getRun(own).tags['orrery.job_user']).toBeUndefined();
    expect((await asJob('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: own, key: 'stage', value: 'eval' })).status).toBe(200);
  });

  it('stops working five minutes after its run ended', async () => {
    const ended = Date.now() - 6 * 60_000;
    server.running.app.tracking.updateRun(own, { status: 'FINISHED', endTime: ended });
    const late = await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: own, key: 'loss', value: 1, timestamp: 1, step: 0 });
    expect(late.status).toBe(403);
    expect(String(late.json.message)).toContain('no longer valid');
    server.running.app.tracking.updateRun(other, { status: 'FINISHED', endTime: Date.now() });
    const otherToken = server.running.app.jobTokens.issue(other);
    expect((await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: other, key: 'loss', value: 1, timestamp: 1, step: 0 }, otherToken)).status).toBe(200);
  });

  it('cannot call the app API at all: no job submission, registry, settings or events', async () => {
    for (const method of ['training.submit', 'registry.list', 'remotes.list', 'tracking.listExperiments']) {
      const res = await asJob('POST', `/api/rpc/${method}`, { spec: { name: 'x', image: 'host', command: ['true'], mounts: [{ source: '/', target: '/host' }] } });
      expect(res.status).toBe(403);
    }
    expect((await asJob('GET', '/api/events?topics=training.job')).status).toBe(403);
    expect(server.running.app.training).toBeDefined();
    expect((await server.rpc<Job[]>('training.listJobs', {})).body.result).toEqual([]);
  });

  it('a forged or mangled job token is refused with 401', async () => {
    const forged = jobToken.replace(own, other);
    expect((await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: other, key: 'loss', value: 1, timestamp: 1, step: 0 }, forged)).status).toBe(401);
    expect((await asJob('GET', `/api/2.0/mlflow/runs/get?run_id=${own}`, undefined, `${jobToken}x`)).status).toBe(401);
  });

  it('stays valid after a restart on the same data dir, so reattached jobs keep logging', async () => {
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer(dataDir);
    expect((await asJob('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: own, key: 'loss', value: 2, timestamp: 2, step: 1 })).status).toBe(200);
  });
});

describe('a job that tries to escalate', () => {
  it('gets a run-scoped token in its environment and is refused when it submits a job mounting /', async () => {
    const script = [
      'import json, os, urllib.request, urllib.error',
      'def call(path, body):',
      '    req = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"] + path, data=json.dumps(body).encode(), method="POST",',
      '        headers={"Authorization": "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]})',
      '    try:',
      '        return urllib.request.urlopen(req).status',
      '    except urllib.error.HTTPError as e:',
      '        return e.code',
      'spec = {"name": "escalate", "image": "host", "command": ["cat", "/etc/shadow"], "mounts": [{"source": "/", "target": "/host", "kind": "workspace"}]}',
      'submit = call("/api/rpc/training.submit", {"spec": spec})',
      'own = call("/api/2.0/mlflow/runs/log-metric", {"run_id": os.environ["MLFLOW_RUN_ID"], "key": "own_status", "value": 0, "timestamp": 1, "step": 0})',
      'print("ORRERY_METRICS " + json.dumps({"submit_status": submit, "own_status": own}), flush=True)',
    ].join('\n');
    const submitted = await server.rpc<Job>('training.submit', { spec: { name: 'escalate', image: 'host', command: ['python3', '-c', script], mounts: [] } });
    expect(submitted.status).toBe(200);
    let job = submitted.body.result!;
    for (let i = 0; i < 300 && job.status !== 'finished' && job.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await server.rpc<Job>('training.getJob', { jobId: job.jobId })).body.result!;
    }
    expect(job.status).toBe('finished');
    const run = server.running.app.tracking.getRun(job.runId);
    expect(run.metrics.submit_status).toMatchObject({ value: 403 });
    expect(run.metrics.own_status).toMatchObject({ value: 200 });
    expect((await server.rpc<Job[]>('training.listJobs', {})).body.result!.map((j) => j.name)).toEqual(['escalate']);
  });
});
