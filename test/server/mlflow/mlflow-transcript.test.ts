import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/test-server';

/**
 * Replays the transcript of a real MLflow 3.6 server (test/fixtures/mlflow) against Orrery: same
 * statuses, same error codes, same response shape. Ids differ, so the ones MLflow handed out are
 * mapped to Orrery's as they appear. The places where Orrery deliberately does better are listed.
 */
interface Exchange {
  method: string;
  path: string;
  request?: unknown;
  status: number;
  response: unknown;
}

const transcript = fs
  .readFileSync(path.resolve(import.meta.dirname, '../../fixtures/mlflow/mlflow-3.6-rest-transcript.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Exchange);

/** MLflow 3.6 behaviours Orrery improves on (see test/fixtures/mlflow/README.md). */
const BETTER_THAN_MLFLOW: Record<string, number> = {
  'POST /api/2.0/mlflow/runs/update {"status":"DONE"}': 400,
  'GET /api/2.0/mlflow-artifacts/../../../etc/passwd': 400,
  'GET /api/2.0/mlflow/experiments/get?experiment_id=abc': 400,
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const send = (method: string, rawPath: string, body: string | undefined) => server.raw(method, rawPath, body);

/** Keys of a JSON value, recursively, values ignored: the "shape" an MLflow client reads. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  return typeof value === 'number' || value === 'NaN' || value === 'Infinity' ? 'number' : typeof value;
}

describe('replaying a real MLflow 3.6 transcript', () => {
  it('every exchange answers with the same status, error code and shape', async () => {
    const ids = new Map<string, string>();
    const mapIds = (text: string) => [...ids].reduce((t, [from, to]) => t.replaceAll(from, to), text);
    const mismatches: string[] = [];
    // Experiment names from the capture are reused; make them unique to this run.
    for (const exchange of transcript) {
      const rawPath = mapIds(exchange.path);
      const body = exchange.request === undefined || exchange.request === null ? undefined : mapIds(typeof exchange.request === 'string' && exchange.method !== 'PUT' && !exchange.request.startsWith('{') ? exchange.request : typeof exchange.request === 'string' ? exchange.request : JSON.stringify(exchange.request));
      const res = await send(exchange.method, rawPath, body);
      let json: unknown = res.body;
      try {
        json = JSON.parse(res.body);
      } catch {
        // artifact downloads are not JSON
      }
      // Learn the ids Orrery handed out for the ones MLflow did.
      const expected = exchange.response as Record<string, unknown>;
      const actual = json as Record<string, unknown>;
      if (exchange.path.endsWith('experiments/create') && typeof expected?.experiment_id === 'string' && typeof actual?.experiment_id === 'string') {
        ids.set(`experiment_id=${expected.experiment_id}`, `experiment_id=${actual.experiment_id}`);
        ids.set(`"${expected.experiment_id}"`, `"${actual.experiment_id}"`);
        ids.set(`artifacts/${expected.experiment_id}/`, `artifacts/${actual.experiment_id}/`);
        ids.set(`path=${expected.experiment_id}%2F`, `path=${actual.experiment_id}%2F`);
      }
      if (exchange.path.endsWith('runs/create') && exchange.status === 200 && res.status === 200) {
        const from = (expected.run as { info: { run_id: string } }).info.run_id;
        const to = (actual.run as { info: { run_id: string } }).info.run_id;
        ids.set(from, to);
      }
      const key = `${exchange.method} ${exchange.path.replace(/\/artifacts\/\d+\/[0-9a-f]{32}\/artifacts/, '')}${exchange.path.includes('runs/update') ? ` ${JSON.stringify({ status: (exchange.request as { status?: string }).status })}` : ''}`;
      const wanted = BETTER_THAN_MLFLOW[key] ?? exchange.status;
      if (res.status !== wanted) {
        mismatches.push(`${exchange.method} ${exchange.path}: status ${res.status}, expected ${wanted}: ${res.body.slice(0, 200)}`);
        continue;
      }
      if (wanted !== exchange.status) continue;
      if (res.status >= 400) {
        if (actual?.error_code !== expected?.error_code) mismatches.push(`${exchange.path}: error_code ${String(actual?.error_code)} vs ${String(expected?.error_code)}`);
      } else if (typeof expected === 'object' && JSON.stringify(shape(actual)) !== JSON.stringify(shape(expected))) {
        mismatches.push(`${exchange.method} ${exchange.path}: shape ${JSON.stringify(shape(actual))} vs ${JSON.stringify(shape(expected))}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
