import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/test-server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

async function newRun(name = 'baseline'): Promise<{ experimentId: string; runId: string }> {
  const exp = await server.mlflow('experiments/create', { name: `exp-${Math.random()}` });
  const experimentId = exp.json.experiment_id as string;
  const run = await server.mlflow('runs/create', { experiment_id: experimentId, run_name: name, start_time: 1764130000000, tags: [{ key: 'mlflow.user', value: 'alice' }] });
  return { experimentId, runId: (run.json.run as { info: { run_id: string } }).info.run_id };
}

describe('MLflow REST: experiments', () => {
  it('create, get, get-by-name, search, update, tag, delete, restore', async () => {
    const created = await server.mlflow('experiments/create', { name: 'golden', tags: [{ key: 'team', value: 'vision' }] });
    expect(created).toEqual({ status: 200, json: { experiment_id: expect.stringMatching(/^\d+$/) } });
    const id = created.json.experiment_id as string;

    const got = await server.mlflow(`experiments/get?experiment_id=${id}`);
    expect(got.json.experiment).toMatchObject({
      experiment_id: id,
      name: 'golden',
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: 'active',
      tags: [{ key: 'team', value: 'vision' }],
    });
    expect(typeof (got.json.experiment as { creation_time: unknown }).creation_time).toBe('number');
    expect((await server.mlflow('experiments/get-by-name?experiment_name=golden')).json.experiment).toMatchObject({ experiment_id: id });

    await server.mlflow('experiments/create', { name: 'golden2' });
    const search = await server.mlflow('experiments/search', { max_results: 10, filter: "name LIKE 'gold%'" });
    expect((search.json.experiments as Array<{ name: string }>).map((e) => e.name).sort()).toEqual(['golden', 'golden2']);
    // ILIKE folds ASCII case only (as MLflow on SQLite), and a non-ASCII letter still matches itself.
    await server.mlflow('experiments/create', { name: 'Étude-GOLD' });
    const folded = await server.mlflow('experiments/search', { max_results: 10, filter: "name ILIKE 'étude-gold'" });
    expect(folded.status).toBe(200);
    expect(folded.json.experiments).toBeUndefined();
    const sameLetter = await server.mlflow('experiments/search', { max_results: 10, filter: "name ILIKE 'Étude-g%'" });
    expect((sameLetter.json.experiments as Array<{ name: string }>).map((e) => e.name)).toEqual(['Étude-GOLD']);

    expect((await server.mlflow('experiments/set-experiment-tag', { experiment_id: id, key: 'owner', value: 'me' })).status).toBe(200);
    expect((await server.mlflow('experiments/update', { experiment_id: id, new_name: 'silver' })).status).toBe(200);
    expect((await server.mlflow(`experiments/get?experiment_id=${id}`)).json.experiment).toMatchObject({ name: 'silver', tags: expect.arrayContaining([{ key: 'owner', value: 'me' }]) });

    await server.mlflow('experiments/delete', { experiment_id: id });
    expect((await server.mlflow(`experiments/get?experiment_id=${id}`)).json.experiment).toMatchObject({ lifecycle_stage: 'deleted' });
    const active = await server.mlflow('experiments/search', { filter: "name = 'silver'" });
    expect(active.json.experiments).toBeUndefined();
    const deleted = await server.mlflow('experiments/search', { filter: "name = 'silver'", view_type: 'DELETED_ONLY' });
    expect(deleted.json.experiments).toHaveLength(1);
    await server.mlflow('experiments/restore', { experiment_id: id });
    expect((await server.mlflow(`experiments/get?experiment_id=${id}`)).json.experiment).toMatchObject({ lifecycle_stage: 'active' });
  });

  it('has the Default experiment 0, as MLflow clients assume', async () => {
    expect((await server.mlflow('experiments/get?experiment_id=0')).json.experiment).toMatchObject({ name: 'Default', experiment_id: '0' });
  });

  it('answers errors with MLflow codes and statuses', async () => {
    await server.mlflow('experiments/create', { name: 'dup' });
    expect(await server.mlflow('experiments/create', { name: 'dup' })).toEqual({
      status: 400,
      json: { error_code: 'RESOURCE_ALREADY_EXISTS', message: expect.stringContaining('already exists') },
    });
    expect(await server.mlflow('experiments/create', {})).toEqual({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Missing value for required parameter 'name'") },
    });
    expect(await server.mlflow('experiments/get-by-name?experiment_name=no-such')).toEqual({
      status: 404,
      json: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'no-such'" },
    });
    // MLflow 3.6 answers this with a 500 INTERNAL_ERROR; a malformed id is the caller's mistake.
    const bad = await server.mlflow('experiments/get?experiment_id=abc');
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await server.mlflow('experiments/get?experiment_id=999999')).status).toBe(404);
    expect((await server.mlflow('experiments/nonsense', {})).status).toBe(404);
  });
});

describe('MLflow REST: runs', () => {
  it('create returns the run in MLflow shape, with its artifact URI and name tag', async () => {
    const { experimentId, runId } = await newRun();
    const got = await server.mlflow(`runs/get?run_id=${runId}`);
    expect(got.json.run).toMatchObject({
      info: {
        run_uuid: runId,
        run_id: runId,
        experiment_id: experimentId,
        run_name: 'baseline',
        status: 'RUNNING',
        start_time: 1764130000000,
        artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
        lifecycle_stage: 'active',
      },
      data: { tags: expect.arrayContaining([{ key: 'mlflow.runName', value: 'baseline' }, { key: 'mlflow.user', value: 'alice' }]) },
      inputs: {},
    });
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('log-parameter refuses a changed value with MLflow message, and keeps the first', async () => {
    const { runId } = await newRun();
    expect((await server.mlflow('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).status).toBe(200);
    expect((await server.mlflow('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).status).toBe(200);
    const changed = await server.mlflow('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.02' });
    expect(changed).toEqual({
      status: 400,
      json: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Changing param values is not allowed. Param with key='lr' was already logged with value='0.01' for run ID='${runId}'. Attempted logging new value '0.02'.`,
      },
    });
    expect((await server.mlflow(`runs/get?run_id=${runId}`)).json.run).toMatchObject({ data: { params: [{ key: 'lr', value: '0.01' }] } });
    const long = await server.mlflow('runs/log-parameter', { run_id: runId, key: 'notes', value: 'x'.repeat(6001) });
    expect(long).toMatchObject({ status: 400, json: { message: expect.stringMatching(/length 6001, which exceeded length limit of 6000/) } });
    const longTag = await server.mlflow('runs/set-tag', { run_id: runId, key: 'notes', value: 'x'.repeat(8001) });
    expect(longTag.json.message).toMatch(/exceeded length limit of 8000/);
  });

  it('log-metric keeps NaN and ±Infinity in protobuf-JSON form, refuses bad keys and missing values', async () => {
    const { runId } = await newRun();
    for (const [value, step] of [[0.5, 1], ['NaN', 2], ['Infinity', 3], ['-Infinity', 4]] as const) {
      expect((await server.mlflow('runs/log-metric', { run_id: runId, key: 'loss', value, timestamp: 1764130001000 + step, step })).status).toBe(200);
    }
    const history = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss`);
    expect((history.json.metrics as Array<{ value: unknown }>).map((m) => m.value)).toEqual([0.5, 'NaN', 'Infinity', '-Infinity']);

    expect((await server.mlflow('runs/log-metric', { run_id: runId, key: 'loss', timestamp: 1, step: 3 })).json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Missing value for required parameter 'value'. See the API docs for more information about request parameters.",
    });
    const badKey = await server.mlflow('runs/log-metric', { run_id: runId, key: 'bad key!', value: 1, timestamp: 1, step: 0 });
    expect(badKey.status).toBe(400);
    expect(badKey.json.message).toMatch(/Names may only contain alphanumerics/);
    const longKey = await server.mlflow('runs/log-metric', { run_id: runId, key: 'k'.repeat(251), value: 1, timestamp: 1, step: 0 });
    expect(longKey.json.message).toMatch(/exceeded length limit of 250/);
    const hugeStep = await server.mlflow('runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1, step: 1e20 });
    expect(hugeStep.json.message).toMatch(/'step' supplied: must be between -9007199254740991 and 9007199254740991/);
    const wrongType = await server.mlflow('runs/log-metric', { run_id: runId, key: 'x', value: 'fast', timestamp: 1, step: 0 });
    expect(wrongType.json.message).toMatch(/parameter 'value'/);
    // None of the refused points were stored.
    expect((await server.mlflow(`runs/get?run_id=${runId}`)).json.run).toMatchObject({ data: { metrics: [{ key: 'loss', step: 4 }] } });
  });

  it('set-tag, delete-tag, log-batch with limits and duplicates, log-inputs', async () => {
    const { runId } = await newRun();
    await server.mlflow('runs/set-tag', { run_id: runId, key: 'stage', value: 'dev' });
    await server.mlflow('runs/delete-tag', { run_id: runId, key: 'stage' });
    expect((await server.mlflow('runs/delete-tag', { run_id: runId, key: 'stage' })).status).toBe(404);

    const batch = await server.mlflow('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'acc', value: 0.9, timestamp: 1764130004000, step: 0 },
        { key: 'acc', value: 0.93, timestamp: 1764130005000, step: 1 },
      ],
      params: [{ key: 'batch', value: '32' }],
      tags: [{ key: 'note', value: 'x' }],
    });
    expect(batch).toEqual({ status: 200, json: {} });

    const tooMany = await server.mlflow('runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 1001 }, (_, step) => ({ key: 'big', value: step, timestamp: 1, step })),
    });
    expect(tooMany.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
    });
    const dup = await server.mlflow('runs/log-batch', { run_id: runId, params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] });
    expect(dup.json.message).toBe("Duplicate parameter keys have been submitted: ['p']. Please ensure the request contains only one param value per param key.");
    // A batch with one bad item stores nothing of it.
    const mixed = await server.mlflow('runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'fresh', value: 1, timestamp: 1, step: 0 }],
      params: [{ key: 'batch', value: '64' }],
    });
    expect(mixed.status).toBe(400);

    await server.mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [{ dataset: { name: 'digits', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/digits.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
    });
    const run = (await server.mlflow(`runs/get?run_id=${runId}`)).json.run as {
      data: { metrics: Array<{ key: string }>; params: unknown; tags: Array<{ key: string }> };
      inputs: unknown;
    };
    expect(run.data.metrics.map((m) => m.key)).toEqual(['acc']);
    expect(run.data.params).toEqual([{ key: 'batch', value: '32' }]);
    expect(run.data.tags.map((t) => t.key)).not.toContain('stage');
    expect(run.inputs).toEqual({
      dataset_inputs: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'digits', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/digits.csv"}' },
        },
      ],
    });
  });

  it('update refuses an unknown status (MLflow 3.6 silently accepts "DONE"), delete and restore', async () => {
    const { runId } = await newRun();
    const done = await server.mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: 1764130009000 });
    expect(done.json.run_info).toMatchObject({ status: 'FINISHED', end_time: 1764130009000 });
    expect((await server.mlflow('runs/update', { run_id: runId, status: 'DONE' })).status).toBe(400);
    await server.mlflow('runs/delete', { run_id: runId });
    expect((await server.mlflow(`runs/get?run_id=${runId}`)).json.run).toMatchObject({ info: { lifecycle_stage: 'deleted' } });
    expect((await server.mlflow('runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1 })).status).toBe(400);
    await server.mlflow('runs/restore', { run_id: runId });
    expect((await server.mlflow(`runs/get?run_id=${runId}`)).json.run).toMatchObject({ info: { lifecycle_stage: 'active' } });
    expect(await server.mlflow('runs/get?run_id=ffffffffffffffffffffffffffffffff')).toEqual({
      status: 404,
      json: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=ffffffffffffffffffffffffffffffff not found' },
    });
  });

  it('malformed JSON is a 400 naming the problem, and a chunked body is read like any other', async () => {
    const { runId } = await newRun();
    const bad = await server.mlflow('runs/log-metric', undefined, { raw: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/Malformed JSON/);
    // A ReadableStream body is sent with Transfer-Encoding: chunked (no Content-Length).
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ run_id: runId, key: 'chunked', value: 1, timestamp: 1, step: 0 })));
        controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-metric`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
  });

  it('refuses a missing or wrong token in MLflow shape', async () => {
    const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
  });
});

describe('MLflow REST: search and history', () => {
  it('runs/search with filter and order_by', async () => {
    const exp = (await server.mlflow('experiments/create', { name: 'search' })).json.experiment_id as string;
    for (const [name, acc, lr] of [['a', 0.7, '0.01'], ['b', 0.9, '0.01'], ['c', 0.95, '0.1'], ['d', 0.2, '0.01']] as const) {
      const run = await server.mlflow('runs/create', { experiment_id: exp, run_name: name });
      const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
      await server.mlflow('runs/log-batch', { run_id: runId, metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: lr }] });
    }
    const found = await server.mlflow('runs/search', {
      experiment_ids: [exp],
      filter: "metrics.acc > 0.5 and params.lr = '0.01'",
      order_by: ['metrics.acc DESC'],
      max_results: 10,
    });
    expect((found.json.runs as Array<{ info: { run_name: string } }>).map((r) => r.info.run_name)).toEqual(['b', 'a']);

    const paged = await server.mlflow('runs/search', { experiment_ids: [exp], order_by: ['attributes.run_name'], max_results: 3 });
    expect((paged.json.runs as unknown[]).length).toBe(3);
    const next = await server.mlflow('runs/search', { experiment_ids: [exp], order_by: ['attributes.run_name'], max_results: 3, page_token: paged.json.next_page_token });
    expect((next.json.runs as Array<{ info: { run_name: string } }>).map((r) => r.info.run_name)).toEqual(['d']);
    expect(next.json.next_page_token).toBeUndefined();

    const like = await server.mlflow('runs/search', { experiment_ids: [exp], filter: "attributes.run_name LIKE 'b%'" });
    expect((like.json.runs as unknown[]).length).toBe(1);
    const bad = await server.mlflow('runs/search', { experiment_ids: [exp], filter: 'metrics.acc >> 0.5' });
    expect(bad).toEqual({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message: "Invalid comparator '>>' not one of '{'!=', '<=', '>=', '=', '<', '>'}" },
    });
  });

  it('get-history returns every point without max_results (MLflow 3.6 returns none), and pages with it', async () => {
    const { runId } = await newRun();
    for (let start = 0; start < 3000; start += 1000) {
      await server.mlflow('runs/log-batch', {
        run_id: runId,
        metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (start + i + 1), timestamp: 1000 + start + i, step: start + i })),
      });
    }
    const all = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss`);
    expect((all.json.metrics as unknown[]).length).toBe(3000);
    expect(all.json.next_page_token).toBeUndefined();
    const first = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=1000`);
    expect((first.json.metrics as unknown[]).length).toBe(1000);
    const second = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=1000&page_token=${first.json.next_page_token}`);
    expect((second.json.metrics as Array<{ step: number }>)[0]!.step).toBe(1000);
  });

  it('get-history-bulk-interval keeps each bucket min and max so spikes survive', async () => {
    const a = await newRun('a');
    const b = await newRun('b');
    for (const [run, spikeAt] of [[a.runId, 4321], [b.runId, 777]] as const) {
      for (let start = 0; start < 10_000; start += 1000) {
        await server.mlflow('runs/log-batch', {
          run_id: run,
          metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: start + i === spikeAt ? 500 : 1, timestamp: 1, step: start + i })),
        });
      }
    }
    const res = await server.mlflow(`metrics/get-history-bulk-interval?run_ids=${a.runId}&run_ids=${b.runId}&metric_key=loss&max_results=100`);
    const points = res.json.metrics as Array<{ run_id: string; step: number; value: number }>;
    for (const [run, spikeAt] of [[a.runId, 4321], [b.runId, 777]] as const) {
      const mine = points.filter((p) => p.run_id === run);
      expect(mine.length).toBeLessThanOrEqual(100);
      expect(mine.find((p) => p.value === 500)?.step).toBe(spikeAt);
      expect(mine.map((p) => p.step)).toEqual([...mine.map((p) => p.step)].sort((x, y) => x - y));
    }
    const short = await server.mlflow(`metrics/get-history-bulk-interval?run_ids=${a.runId}&metric_key=loss&start_step=10&end_step=19&max_results=100`);
    expect((short.json.metrics as Array<{ step: number }>).map((p) => p.step)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});
