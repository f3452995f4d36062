import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactContent, Experiment, MetricSeries, ParamComparison, RunDetail, RunsPage } from '../../shared/contract/tracking';
import { bucketList } from '../../shared/metric-buckets';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

let server: TestServer;
let experimentId: string;
const runs: Record<string, string> = {};

beforeEach(async () => {
  server = await startTestServer();
  experimentId = (await server.mlflow('experiments/create', { name: 'ui' })).json.experiment_id as string;
  for (const [name, lr, acc, optimizer] of [['alpha', '0.1', 0.5, 'adam'], ['beta', '0.01', 0.9, 'adam'], ['gamma', '0.001', 0.7, 'sgd']] as const) {
    const run = await server.mlflow('runs/create', {
      experiment_id: experimentId,
      run_name: name,
      tags: [
        { key: 'mlflow.source.git.commit', value: 'abc1234' },
        { key: 'orrery.image.digest', value: 'sha256:feed' },
      ],
    });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    runs[name] = runId;
    await server.mlflow('runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'lr', value: lr },
        { key: 'optimizer', value: optimizer },
        { key: 'epochs', value: '10' },
      ],
      metrics: Array.from({ length: 10 }, (_, step) => ({ key: 'acc', value: (acc * (step + 1)) / 10, timestamp: 1000 + step, step })),
      tags: [{ key: 'team', value: 'vision' }],
    });
  }
});
afterEach(async () => {
  await server.close();
});

describe('tracking methods for the UI', () => {
  it('searchExperiments lists run counts and last activity', async () => {
    const { body } = await server.rpc<Array<{ name: string; runCount: number; lastActivity: number }>>('tracking.searchExperiments', {});
    const ui = body.result!.find((e) => e.name === 'ui')!;
    expect(ui.runCount).toBe(3);
    expect(ui.lastActivity).toBeGreaterThan(0);
  });

  it('getExperiment answers one experiment by id, deleted ones with their stage, and NOT_FOUND naming a missing id', async () => {
    const { body } = await server.rpc<Experiment>('tracking.getExperiment', { experimentId });
    expect(body.result).toMatchObject({ experimentId, name: 'ui', lifecycleStage: 'active', runCount: 3 });
    await server.rpc('tracking.deleteExperiment', { experimentId });
    const deleted = await server.rpc<Experiment>('tracking.getExperiment', { experimentId });
    expect(deleted.body.result).toMatchObject({ experimentId, name: 'ui', lifecycleStage: 'deleted' });
    const missing = await server.rpc('tracking.getExperiment', { experimentId: '987654' });
    expect(missing.body.ok).toBe(false);
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.body.error!.message).toContain('987654');
  });

  it("refusals name the contract's fields (runId, experimentId); MLflow's names and wording stay in the MLflow API", async () => {
    const emptyRun = await server.rpc('tracking.getRun', { runId: '' });
    expect(emptyRun.body.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(emptyRun.body.error!.message).toContain('runId');
    expect(emptyRun.body.error!.message).not.toContain('run_id');
    // Past the contract's own check: the service's refusal names the field the same way.
    const badExperiment = await server.rpc('tracking.getExperiment', { experimentId: '12abc' });
    expect(badExperiment.body.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(badExperiment.body.error!.message).toContain("'experimentId'");
    expect(badExperiment.body.error!.message).not.toContain('experiment_id');
    const badQuery = await server.rpc('tracking.queryRuns', { experimentIds: ['12abc'] });
    expect(badQuery.body.error!.message).toContain("'experimentId'");
    expect(badQuery.body.error!.message).not.toContain('experiment_id');

    const mlflowRun = await server.mlflow('runs/get');
    expect(mlflowRun.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    });
    const mlflowExperiment = await server.mlflow('experiments/get?experiment_id=12abc');
    expect(mlflowExperiment.json.message).toBe('Invalid value "12abc" for parameter \'experiment_id\' supplied: experiment ids are whole numbers.');
    const mlflowRename = await server.mlflow('experiments/update', { experiment_id: experimentId, new_name: ' ' });
    expect(mlflowRename.json.message).toBe("Missing value for required parameter 'new_name'.");
  });

  it('queryRuns: chosen columns, MLflow filter, sort on a metric, paging and total count', async () => {
    const { body } = await server.rpc<RunsPage>('tracking.queryRuns', {
      experimentIds: [experimentId],
      filter: "params.optimizer = 'adam'",
      orderBy: ['metrics.acc DESC'],
      columns: { params: ['lr'], metrics: ['acc'], tags: [] },
      pageSize: 1,
    });
    const page = body.result!;
    expect(page.total).toBe(2);
    expect(page.runs.map((r) => r.name)).toEqual(['beta']);
    expect(page.runs[0]!.params).toEqual({ lr: '0.01' });
    expect(page.runs[0]!.metrics.acc).toMatchObject({ value: 0.9, step: 9 });
    expect(page.runs[0]!.tags).toEqual({});
    expect(page.available).toEqual({
      params: ['epochs', 'lr', 'optimizer'],
      metrics: ['acc'],
      tags: expect.arrayContaining(['mlflow.runName', 'team', 'mlflow.source.git.commit']),
    });
    const next = await server.rpc<RunsPage>('tracking.queryRuns', {
      experimentIds: [experimentId],
      filter: "params.optimizer = 'adam'",
      orderBy: ['metrics.acc DESC'],
      pageSize: 1,
      pageToken: page.nextPageToken,
      withTotal: false,
    });
    expect(next.body.result!.runs.map((r) => r.name)).toEqual(['alpha']);
    expect(next.body.result!.nextPageToken).toBeNull();
    // A later page of the table does not count again: the first page's total stands.
    expect(next.body.result!.total).toBeNull();
  });

  it('queryRuns reports a bad filter inline, naming the problem', async () => {
    const { status, body } = await server.rpc('tracking.queryRuns', { experimentIds: [experimentId], filter: 'metrics.acc >> 1' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("Invalid comparator '>>'") });
  });

  it('getRun carries provenance, environment and inputs', async () => {
    const { body } = await server.rpc<RunDetail>('tracking.getRun', { runId: runs.beta });
    expect(body.result).toMatchObject({
      name: 'beta',
      status: 'RUNNING',
      source: { gitCommit: 'abc1234', imageDigest: 'sha256:feed' },
      params: { lr: '0.01', optimizer: 'adam', epochs: '10' },
      environment: { client: expect.objectContaining({ 'mlflow.source.git.commit': 'abc1234' }) },
    });
  });

  it('history answers several runs and keys at once', async () => {
    const { body } = await server.rpc<MetricSeries[]>('tracking.getMetricHistory', { runIds: [runs.alpha, runs.beta], keys: ['acc', 'missing'], buckets: 100 });
    expect(body.result!.map((s) => [s.key, s.totalPoints, s.exact])).toEqual([
      ['acc', 10, true],
      ['missing', 0, true],
      ['acc', 10, true],
      ['missing', 0, true],
    ]);
    expect(bucketList(body.result![2]!.buckets).at(-1)).toMatchObject({ lastStep: 9, last: 0.9 });
  });

  it('compareParams shows only differing keys, or all', async () => {
    const ids = [runs.alpha, runs.beta, runs.gamma];
    const diff = (await server.rpc<ParamComparison>('tracking.compareParams', { runIds: ids })).body.result!;
    expect(diff.rows.map((r) => r.key)).toEqual(['lr', 'optimizer']);
    expect(diff.rows[0]!.values).toEqual(['0.1', '0.01', '0.001']);
    expect(diff).toMatchObject({ differingCount: 2, totalCount: 3 });
    const all = (await server.rpc<ParamComparison>('tracking.compareParams', { runIds: ids, onlyDiffering: false })).body.result!;
    expect(all.rows.map((r) => r.key)).toEqual(['epochs', 'lr', 'optimizer']);
  });

  it('lists and reads artifacts, text as UTF-8 and binary as base64', async () => {
    const base = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runs.alpha}/artifacts`;
    const put = (p: string, body: string | Uint8Array) => fetch(`${base}/${p}`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}` }, body });
    await put('metrics.json', '{"acc": 0.5}');
    await put('plots/curve.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    const listing = await server.rpc('tracking.listArtifacts', { runId: runs.alpha });
    expect(listing.body.result).toEqual([
      { path: 'metrics.json', isDir: false, size: 12 },
      { path: 'plots', isDir: true, size: null },
    ]);
    const text = (await server.rpc<ArtifactContent>('tracking.readArtifact', { runId: runs.alpha, path: 'metrics.json' })).body.result!;
    expect(text).toMatchObject({ encoding: 'utf8', content: '{"acc": 0.5}', mimeType: 'application/json', truncated: false });
    const png = (await server.rpc<ArtifactContent>('tracking.readArtifact', { runId: runs.alpha, path: 'plots/curve.png' })).body.result!;
    expect(png).toMatchObject({ encoding: 'base64', mimeType: 'image/png', size: 7 });
    expect(Buffer.from(png.content, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    const cut = (await server.rpc<ArtifactContent>('tracking.readArtifact', { runId: runs.alpha, path: 'metrics.json', maxBytes: 4 })).body.result!;
    expect(cut).toMatchObject({ content: '{"ac', truncated: true });
    expect((await server.rpc('tracking.readArtifact', { runId: runs.alpha, path: '../../orrery.db' })).status).toBe(400);
  });

  it('rename, tag, delete and restore a run; events tell open views', async () => {
    const events: string[] = [];
    const port = Number(new URL(server.url).port);
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events?topics=tracking.run,tracking.metrics', headers: { authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => events.push(...chunk.split('\n').filter((l) => l.startsWith('event:'))));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await server.rpc('tracking.renameRun', { runId: runs.gamma, name: 'gamma-2' })).body.result).toMatchObject({ name: 'gamma-2' });
    expect((await server.rpc('tracking.setRunTag', { runId: runs.gamma, key: 'note', value: 'best so far' })).body.result).toMatchObject({
      tags: expect.objectContaining({ note: 'best so far' }),
    });
    expect((await server.rpc('tracking.deleteRunTag', { runId: runs.gamma, key: 'note' })).body.result).not.toMatchObject({ tags: { note: 'best so far' } });
    expect((await server.rpc('tracking.deleteRun', { runId: runs.gamma })).body.result).toMatchObject({ lifecycleStage: 'deleted' });
    const after = (await server.rpc<RunsPage>('tracking.queryRuns', { experimentIds: [experimentId] })).body.result!;
    expect(after.total).toBe(2);
    expect((await server.rpc('tracking.restoreRun', { runId: runs.gamma })).body.result).toMatchObject({ lifecycleStage: 'active' });
    await server.mlflow('runs/log-metric', { run_id: runs.gamma, key: 'acc', value: 1, timestamp: 1, step: 100 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    expect(events).toContain('event: tracking.run');
    expect(events).toContain('event: tracking.metrics');
  });

  it("refuses the tag keys MLflow REST refuses, and Orrery's own and the parent tag, naming the key and the rule", async () => {
    const tagsOf = async () => (await server.rpc<RunDetail>('tracking.getRun', { runId: runs.alpha })).body.result!.tags;
    const before = await tagsOf();
    for (const key of ['=', 'a\nb', 'k\0', '../x', '/etc/passwd', 'a"<b>']) {
      const viaRest = await server.mlflow('runs/set-tag', { run_id: runs.alpha, key, value: 'v' });
      expect(viaRest.status, key).toBe(400);
      const viaRpc = await server.rpc('tracking.setRunTag', { runId: runs.alpha, key, value: 'v' });
      expect(viaRpc.status, key).toBe(400);
      expect(viaRpc.body.error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(viaRpc.body.error!.message).toContain(`Invalid value ${JSON.stringify(key)} for parameter 'key' supplied:`);
      expect(viaRpc.body.error!.message).toMatch(/Names may only contain|must not be paths/);
    }

    const ownSet = await server.rpc('tracking.setRunTag', { runId: runs.alpha, key: 'orrery.job-id', value: 'someone-elses-job' });
    expect(ownSet.status).toBe(400);
    expect(ownSet.body.error!.message).toBe('key: "orrery.job-id" is one of Orrery\'s own tags (orrery.*), which only Orrery sets; the app may not set it.');
    const ownDelete = await server.rpc('tracking.deleteRunTag', { runId: runs.alpha, key: 'orrery.image.digest' });
    expect(ownDelete.status).toBe(400);
    expect(ownDelete.body.error!.message).toBe('key: "orrery.image.digest" is one of Orrery\'s own tags (orrery.*), which only Orrery sets; the app may not delete it.');

    const parentSet = await server.rpc('tracking.setRunTag', { runId: runs.alpha, key: 'mlflow.parentRunId', value: runs.beta });
    expect(parentSet.status).toBe(400);
    expect(parentSet.body.error!.message).toBe('key: mlflow.parentRunId links a run to its parent run; the app may not set it.');
    expect((await server.rpc('tracking.deleteRunTag', { runId: runs.alpha, key: 'mlflow.parentRunId' })).status).toBe(400);
    expect(await tagsOf()).toEqual(before);
    expect((await server.rpc<RunDetail>('tracking.getRun', { runId: runs.alpha })).body.result!.parentRunId).toBeNull();

    // MLflow's other tags stay the user's, and a key that was fine all along still is.
    expect((await server.rpc<RunDetail>('tracking.setRunTag', { runId: runs.alpha, key: 'mlflow.note.content', value: 'looks good' })).body.result!.tags).toMatchObject({
      'mlflow.note.content': 'looks good',
    });
    expect((await server.rpc<RunDetail>('tracking.setRunTag', { runId: runs.alpha, key: 'eval/split: v2', value: 'x' })).status).toBe(200);
    expect((await server.rpc('tracking.deleteRunTag', { runId: runs.alpha, key: 'mlflow.note.content' })).status).toBe(200);
  });
});
