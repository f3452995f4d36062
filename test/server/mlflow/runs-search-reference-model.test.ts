import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latestMetric, referenceSearch, type RefRun } from '../../helpers/mlflow-search-reference';
import {
  EXPERIMENTS_PER_STORE,
  explainMismatch,
  metricBatches,
  pbtSeed,
  SHRINK_FAILURES,
  queryArb,
  refQueryOf,
  refRunOf,
  renderFilter,
  renderOrder,
  storeArb,
  type QueryCase,
  type RunSpec,
} from '../../helpers/search-model-arbitraries';
import { startTestServer, type TestServer } from '../../helpers/test-server';

/**
 * POST /api/2.0/mlflow/runs/search against a plain model of MLflow's search semantics
 * (test/helpers/mlflow-search-reference.ts): random stores of 30-60 runs are logged through the
 * REST API, then hundreds of random filters and orders are searched, paging with max_results and
 * page_token, and the concatenated pages must be exactly the model's runs in the model's order.
 * A failure prints fast-check's seed and the shrunk query; ORRERY_PBT_SEED explores other seeds.
 */

const STORE_SEEDS = [11, 22, 33];
const QUERIES_PER_STORE = 300;

type Json = Record<string, unknown>;

async function ok(call: Promise<{ status: number; json: Json }>, what: string): Promise<Json> {
  const res = await call;
  if (res.status !== 200) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

const metricJson = (value: number): number | string =>
  Number.isNaN(value) ? 'NaN' : value === Number.POSITIVE_INFINITY ? 'Infinity' : value === Number.NEGATIVE_INFINITY ? '-Infinity' : value;

const pairs = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => ({ key, value }));

/** Logs one run the way a client would and returns it as the model sees it. */
async function logRun(server: TestServer, spec: RunSpec, experimentId: string): Promise<RefRun> {
  const created = await ok(
    server.mlflow('runs/create', { experiment_id: experimentId, run_name: spec.name, start_time: spec.startTime, user_id: spec.userId, tags: pairs(spec.tags) }),
    'runs/create',
  );
  const runId = (created.run as { info: { run_id: string } }).info.run_id;
  const [first, second] = metricBatches(spec);
  const metrics = (points: typeof first) => points.map((p) => ({ key: p.key, value: metricJson(p.value), step: p.step, timestamp: p.timestamp }));
  await ok(server.mlflow('runs/log-batch', { run_id: runId, metrics: metrics(first), params: pairs(spec.params) }), 'runs/log-batch');
  if (second.length > 0) await ok(server.mlflow('runs/log-batch', { run_id: runId, metrics: metrics(second) }), 'runs/log-batch');
  if (spec.inputs.length > 0) {
    const datasets = spec.inputs.map((d) => ({
      dataset: { name: d.name, digest: d.digest, source_type: 'local', source: '{"uri": "/data"}' },
      tags: d.context === null ? [] : [{ key: 'mlflow.data.context', value: d.context }],
    }));
    await ok(server.mlflow('runs/log-inputs', { run_id: runId, datasets }), 'runs/log-inputs');
  }
  if (spec.rename?.via === 'update') await ok(server.mlflow('runs/update', { run_id: runId, run_name: spec.rename.to }), 'runs/update');
  if (spec.rename?.via === 'tag') await ok(server.mlflow('runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: spec.rename.to }), 'runs/set-tag');
  if (spec.update) {
    const endTime = spec.update.endTime === null ? {} : { end_time: spec.update.endTime };
    await ok(server.mlflow('runs/update', { run_id: runId, status: spec.update.status, ...endTime }), 'runs/update');
  }
  if (spec.deleted) await ok(server.mlflow('runs/delete', { run_id: runId }), 'runs/delete');
  return refRunOf(spec, runId, experimentId);
}

async function logStore(server: TestServer, specs: readonly RunSpec[]): Promise<{ runs: RefRun[]; experimentIds: string[] }> {
  const experimentIds: string[] = [];
  for (let i = 0; i < EXPERIMENTS_PER_STORE; i++) {
    experimentIds.push((await ok(server.mlflow('experiments/create', { name: `reference-${i}` }), 'experiments/create')).experiment_id as string);
  }
  const runs: RefRun[] = [];
  // A few clients at a time, as training scripts would log.
  for (let i = 0; i < specs.length; i += 8) {
    runs.push(...(await Promise.all(specs.slice(i, i + 8).map((spec) => logRun(server, spec, experimentIds[spec.experiment]!)))));
  }
  return { runs, experimentIds };
}

interface SearchedRun {
  info: Record<string, unknown>;
  data: { metrics?: Array<{ key: string; value: unknown; step: number; timestamp: number }>; params?: Array<{ key: string; value: string }> };
}

const VIEW_TYPES = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const;

/** Every page of the search, concatenated. */
async function searchAllPages(server: TestServer, q: QueryCase, expectedCount: number): Promise<SearchedRun[]> {
  const found: SearchedRun[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await server.mlflow('runs/search', {
      experiment_ids: q.experimentIds,
      filter: renderFilter(q),
      order_by: q.order.map(renderOrder),
      run_view_type: VIEW_TYPES[q.lifecycle],
      max_results: q.pageSize,
      ...(token === undefined ? {} : { page_token: token }),
    });
    if (res.status !== 200) throw new Error(`runs/search answered ${res.status}: ${JSON.stringify(res.json)}\nfilter: ${renderFilter(q)}`);
    const runs = (res.json.runs ?? []) as SearchedRun[];
    if (runs.length > q.pageSize) throw new Error(`a page of ${runs.length} runs for max_results ${q.pageSize}`);
    found.push(...runs);
    token = res.json.next_page_token as string | undefined;
    // More pages than the expected runs need (one spare, which MLflow may send empty) is a loop.
    if (++pages > Math.ceil(expectedCount / q.pageSize) + 1) throw new Error(`runs/search kept paging: ${pages} pages for ${expectedCount} runs`);
  } while (token);
  return found;
}

/** What a search result says of a run must be what was logged (the latest point per metric). */
function checkRunBody(found: SearchedRun, run: RefRun): void {
  expect(found.info).toMatchObject({
    run_id: run.runId,
    experiment_id: run.experimentId,
    run_name: run.runName,
    status: run.status,
    start_time: run.startTime,
    user_id: run.userId,
    artifact_uri: run.artifactUri,
    lifecycle_stage: run.lifecycleStage,
  });
  expect(found.info.end_time).toBe(run.endTime ?? undefined);
  const metrics = Object.fromEntries((found.data.metrics ?? []).map((m) => [m.key, m.value]));
  const expected = Object.fromEntries(Object.entries(run.metrics).map(([key, points]) => [key, metricJson(latestMetric(points)!)]));
  expect(metrics).toEqual(expected);
  expect(Object.fromEntries((found.data.params ?? []).map((p) => [p.key, p.value]))).toEqual(run.params);
}

describe('runs/search against a reference model of MLflow search', () => {
  for (const storeSeed of STORE_SEEDS) {
    it(`matches the model's runs and order for random filters, orders and pages (store seed ${storeSeed})`, async () => {
      const server = await startTestServer();
      try {
        const seed = pbtSeed(storeSeed);
        const [specs] = fc.sample(storeArb, { seed, numRuns: 1 });
        const { runs, experimentIds } = await logStore(server, specs!);
        const byId = new Map(runs.map((r) => [r.runId, r]));
        let nonEmpty = 0;

        await fc.assert(
          fc.asyncProperty(queryArb(runs, experimentIds), async (q) => {
            const expected = referenceSearch(runs, refQueryOf(q)).map((r) => r.runId);
            const found = await searchAllPages(server, q, expected.length);
            const actual = found.map((r) => r.info.run_id as string);
            if (JSON.stringify(actual) !== JSON.stringify(expected)) {
              throw new Error(`store seed ${seed}: runs/search disagrees with the model\n${explainMismatch(runs, q, expected, actual)}`);
            }
            for (const run of found) checkRunBody(run, byId.get(run.info.run_id as string)!);
            if (expected.length > 0) nonEmpty++;
          }),
          { seed, numRuns: QUERIES_PER_STORE, endOnFailure: !SHRINK_FAILURES },
        );
        // A generator whose filters all came back empty would test nothing about order.
        expect(nonEmpty).toBeGreaterThan(QUERIES_PER_STORE / 3);
      } finally {
        await server.close();
      }
    }, 180_000);
  }
});
