import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

let server: TestServer;
let experimentId: string;
let runId: string;

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await server.mlflow('experiments/create', { name: 'bad-input' })).json.experiment_id as string;
  runId = ((await server.mlflow('runs/create', { experiment_id: experimentId })).json.run as { info: { run_id: string } }).info.run_id;
});
afterAll(() => server.close());

async function raw(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}` }, body });
  return { status: res.status, text: await res.text() };
}

describe('requests that can never succeed are 4xx, so MLflow clients do not retry them', () => {
  it('a huge unknown run id is not echoed whole either', async () => {
    const res = await server.mlflow('runs/get?run_id=' + 'f'.repeat(10_000));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.json).length).toBeLessThan(1000);
  });

  it('page tokens and offsets beyond the integer range, and too many experiments or order_by fields: 400, not 500', async () => {
    const hugeOffset = Buffer.from('{"offset": 1e300}').toString('base64url');
    const runs = await server.mlflow('runs/search', { experiment_ids: [experimentId], page_token: hugeOffset });
    expect(runs.status).toBe(400);
    const history = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss&page_token=99999999999999999999`);
    expect(history.status).toBe(400);
    const experiments = await server.mlflow('experiments/search', { order_by: Array.from({ length: 2001 }, () => 'name') });
    expect(experiments.status).toBe(400);
    expect(String(experiments.json.message)).toContain('order_by has 2001 fields');
    const many = await server.mlflow('runs/search', { experiment_ids: Array.from({ length: 33_000 }, (_, i) => String(i)) });
    expect(many.status).toBe(400);
    expect(String(many.json.message)).toContain('at most 1000');
  });

  it('filter errors quote a short prefix of what was sent, however long', async () => {
    const list = Array.from({ length: 40_000 }, (_, i) => `'${i}'`).join(',');
    for (const filter of [`params.a IN (${list})`, `metrics.a > 1 and ${'x'.repeat(400_000)}`, `metrics.a > ${'9'.repeat(300_000)}x`]) {
      const res = await raw('POST', '/api/2.0/mlflow/runs/search', JSON.stringify({ experiment_ids: [experimentId], filter }));
      expect(res.status).toBe(400);
      expect(res.text.length).toBeLessThan(1200);
    }
  });

  it('an artifact name longer than the file system allows: 400 naming the problem', async () => {
    const res = await raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${'n'.repeat(300)}.txt`, 'x');
    expect(res.status).toBe(400);
    expect(res.text).toContain('longer than 255 bytes');
  });

  it('a filter of 70,000 AND-ed terms: 400 naming the limit, refused before it is read', async () => {
    const filter = Array.from({ length: 70_000 }, (_, i) => `metrics.m${i % 50} > ${i}`).join(' AND ');
    const res = await server.mlflow('runs/search', { experiment_ids: [experimentId], filter });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(`The filter is ${filter.length} characters long; at most 500000.`);
  });

  it('a filter of more clauses than SQLite nests: 400 naming the count', async () => {
    const filter = Array.from({ length: 1500 }, (_, i) => `metrics.m${i % 50} > ${i}`).join(' AND ');
    const res = await server.mlflow('runs/search', { experiment_ids: [experimentId], filter });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('The filter has 1500 clauses; at most 200 can be AND-ed together.');
  });

  it('an IN list longer than SQLite can bind: 400', async () => {
    const names = Array.from({ length: 40_000 }, (_, i) => `'r${i}'`).join(',');
    const res = await server.mlflow('runs/search', { experiment_ids: [experimentId], filter: `attributes.run_id IN (${names})` });
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toContain('at most 10000');
  });

  it('too many order_by fields for one query: 400', async () => {
    const res = await server.mlflow('runs/search', { experiment_ids: [experimentId], order_by: Array.from({ length: 70 }, (_, i) => `metrics.m${i}`) });
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toContain('order_by has 70 fields');
  });

  it('deeply nested JSON: 400 from both the MLflow API and RPC', async () => {
    const nested = `{"run_id": "${runId}", "key": ${'['.repeat(200_000)}${']'.repeat(200_000)}, "value": "v"}`;
    const mlflow = await raw('POST', '/api/2.0/mlflow/runs/set-tag', nested);
    expect(mlflow.status).toBe(400);
    expect(mlflow.text).toContain('more than 100 levels deep');
    // JSON.parse keeps "__proto__" as an own key: nesting under it is refused like any other.
    const hidden = await raw('POST', '/api/2.0/mlflow/runs/set-tag', `{"run_id": "${runId}", "__proto__": ${'['.repeat(200_000)}${']'.repeat(200_000)}, "key": "k", "value": "v"}`);
    expect(hidden.status).toBe(400);
    expect(hidden.text).toContain('more than 100 levels deep');
    const rpc = await raw('POST', '/api/rpc/tracking.getRun', `{"runId": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`);
    expect(rpc.status).toBe(400);
  });

  it('a malformed percent-encoding in an RPC method name: 400 naming it, not 500', async () => {
    for (const path of ['/api/rpc/%E0', '/api/rpc/app.info%']) {
      const res = await raw('POST', path, '{}');
      expect(res.status).toBe(400);
      expect(res.text).toContain('not valid percent-encoding');
    }
  });

  it('log-inputs with dataset tags that are not {key, value} objects: 400 naming tags, not 500', async () => {
    const dataset = { name: 'd', digest: 'abc', source_type: 'local', source: '/data' };
    for (const tags of [[null], [5], 'notalist']) {
      const res = await server.mlflow('runs/log-inputs', { run_id: runId, datasets: [{ dataset, tags }] });
      expect(res.status).toBe(400);
      expect(String(res.json.message)).toContain("parameter 'tags'");
    }
    expect((await server.mlflow('runs/log-inputs', { run_id: runId, datasets: [{ dataset, tags: [{ key: 'k', value: 'v' }] }] })).status).toBe(200);
  });

  it('a body over the limit: 413', async () => {
    const res = await raw('POST', '/api/rpc/tracking.getRun', JSON.stringify({ runId: 'x'.repeat(11 * 1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it('a huge invalid key is quoted by a short prefix only, not echoed whole', async () => {
    const key = `bad!${'k'.repeat(19 * 1024 * 1024)}`;
    const res = await raw('POST', '/api/2.0/mlflow/runs/set-tag', JSON.stringify({ run_id: runId, key, value: 'v' }));
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(1000);
    expect(res.text).toContain(`(${key.length} characters)`);
  });
});
