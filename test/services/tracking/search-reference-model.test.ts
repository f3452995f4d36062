import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { createClient, type OrreryClient } from '../../../shared/client';
import type { RunsPage } from '../../../shared/contract/tracking';
import { compareCodePoints, latestMetric, likeMatches, numericParam, referenceSearch, RUNS_TABLE_RULES, type RefRun } from '../../helpers/mlflow-search-reference';
import {
  EXPERIMENTS_PER_STORE,
  METRIC_KEYS,
  PARAM_KEYS,
  RUN_NAME_TAG,
  TAG_KEYS,
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
import { TEST_TOKEN, startTestServer, type TestServer } from '../../helpers/test-server';

/**
 * The runs table's query, `tracking.queryRuns`, against a plain model of MLflow's search semantics
 * with the runs table's own rules (IN on params, tags and string attributes; numeric params sort as
 * numbers: test/helpers/mlflow-search-reference.ts). Random stores of 30-60 runs are written through the
 * tracking service; hundreds of random filters and sorts are then asked through the client and
 * HTTP transport the renderer uses, page by page, and the concatenated pages must be exactly the
 * model's runs in the model's order, with the model's total. A failure prints fast-check's seed
 * and the shrunk query; ORRERY_PBT_SEED explores other seeds.
 */

const STORE_SEEDS = [101, 202];
const QUERIES_PER_STORE = 300;

const pairs = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => ({ key, value }));

const metricValue = (value: number): number | string =>
  Number.isNaN(value) ? 'NaN' : value === Number.POSITIVE_INFINITY ? 'Infinity' : value === Number.NEGATIVE_INFINITY ? '-Infinity' : value;

/** Writes the store through the service (the path a training job's metric lines take). */
function writeStore(server: TestServer, specs: readonly RunSpec[]): { runs: RefRun[]; experimentIds: string[] } {
  const tracking = server.running.app.tracking;
  const experimentIds = Array.from({ length: EXPERIMENTS_PER_STORE }, (_, i) => tracking.createExperiment(`reference-${i}`));
  const runs = specs.map((spec) => {
    const experimentId = experimentIds[spec.experiment]!;
    const { runId } = tracking.createRun({ experimentId, name: spec.name, startTime: spec.startTime, userId: spec.userId, tags: pairs(spec.tags) });
    const [first, second] = metricBatches(spec);
    tracking.logBatch(runId, { metrics: first, params: pairs(spec.params), tags: [] });
    if (second.length > 0) tracking.logBatch(runId, { metrics: second, params: [], tags: [] });
    if (spec.inputs.length > 0) {
      tracking.logInputs(
        runId,
        spec.inputs.map((d) => ({
          name: d.name,
          digest: d.digest,
          sourceType: 'local',
          source: '{"uri": "/data"}',
          schema: null,
          profile: null,
          tags: d.context === null ? [] : [{ key: 'mlflow.data.context', value: d.context }],
        })),
      );
    }
    if (spec.rename?.via === 'update') tracking.updateRun(runId, { name: spec.rename.to });
    if (spec.rename?.via === 'tag') tracking.logBatch(runId, { metrics: [], params: [], tags: [{ key: RUN_NAME_TAG, value: spec.rename.to }] });
    if (spec.update) tracking.updateRun(runId, { status: spec.update.status, endTime: spec.update.endTime ?? undefined });
    if (spec.deleted) tracking.setRunLifecycle(runId, 'deleted');
    return refRunOf(spec, runId, experimentId);
  });
  return { runs, experimentIds };
}

const COLUMNS = { params: [...PARAM_KEYS], metrics: [...METRIC_KEYS], tags: [...TAG_KEYS] };

/** Every page of the query, as the runs table loads them. */
async function queryAllPages(client: OrreryClient, q: QueryCase, expectedCount: number): Promise<RunsPage[]> {
  const pages: RunsPage[] = [];
  let pageToken: string | null = null;
  do {
    const page: RunsPage = await client.call('tracking.queryRuns', {
      experimentIds: q.experimentIds,
      filter: renderFilter(q),
      orderBy: q.order.map(renderOrder),
      columns: COLUMNS,
      lifecycle: q.lifecycle,
      pageSize: q.pageSize,
      pageToken,
    });
    if (page.runs.length > q.pageSize) throw new Error(`a page of ${page.runs.length} runs for pageSize ${q.pageSize}`);
    pages.push(page);
    pageToken = page.nextPageToken;
    if (pages.length > Math.ceil(expectedCount / q.pageSize) + 1) throw new Error(`queryRuns kept paging: ${pages.length} pages for ${expectedCount} runs`);
  } while (pageToken);
  return pages;
}

/** The columns a row shows must be what was logged (the latest point per metric). */
function checkRow(row: RunsPage['runs'][number], run: RefRun): void {
  expect({ name: row.name, status: row.status, startTime: row.startTime, endTime: row.endTime, userId: row.userId, lifecycle: row.lifecycleStage }).toEqual({
    name: run.runName,
    status: run.status,
    startTime: run.startTime,
    endTime: run.endTime,
    userId: run.userId,
    lifecycle: run.lifecycleStage,
  });
  const metrics = Object.fromEntries(Object.values(row.metrics).map((m) => [m.key, m.value]));
  expect(metrics).toEqual(Object.fromEntries(Object.entries(run.metrics).map(([key, points]) => [key, metricValue(latestMetric(points)!)])));
  expect(row.params).toEqual(run.params);
  expect(row.tags).toEqual(Object.fromEntries(TAG_KEYS.filter((k) => Object.hasOwn(run.tags, k)).map((k) => [k, run.tags[k]!])));
}

describe('tracking.queryRuns against a reference model of MLflow search, with the runs table rules', () => {
  for (const storeSeed of STORE_SEEDS) {
    it(`matches the model's runs, order and total for random filters, sorts and pages (store seed ${storeSeed})`, async () => {
      const server = await startTestServer();
      try {
        const client = createClient(createHttpTransport({ token: TEST_TOKEN, baseUrl: server.url }));
        const seed = pbtSeed(storeSeed);
        const [specs] = fc.sample(storeArb, { seed, numRuns: 1 });
        const { runs, experimentIds } = writeStore(server, specs!);
        const byId = new Map(runs.map((r) => [r.runId, r]));
        let nonEmpty = 0;

        await fc.assert(
          fc.asyncProperty(queryArb(runs, experimentIds, 'orrery'), async (q) => {
            const expected = referenceSearch(runs, refQueryOf(q), RUNS_TABLE_RULES).map((r) => r.runId);
            const pages = await queryAllPages(client, q, expected.length);
            const actual = pages.flatMap((page) => page.runs.map((r) => r.runId));
            if (JSON.stringify(actual) !== JSON.stringify(expected)) {
              throw new Error(`store seed ${seed}: tracking.queryRuns disagrees with the model\n${explainMismatch(runs, q, expected, actual)}`);
            }
            for (const page of pages) expect(page.total).toBe(expected.length);
            for (const row of pages.flatMap((page) => page.runs)) checkRow(row, byId.get(row.runId)!);
            if (expected.length > 0) nonEmpty++;
          }),
          { seed, numRuns: QUERIES_PER_STORE, endOnFailure: !SHRINK_FAILURES },
        );
        expect(nonEmpty).toBeGreaterThan(QUERIES_PER_STORE / 3);
      } finally {
        await server.close();
      }
    }, 180_000);
  }
});

/** The model's own rules, on examples from MLflow's documentation, so a wrong model is caught here first. */
describe('the reference model', () => {
  const run = (runId: string, startTime: number, metrics: Record<string, number[]>, params: Record<string, string> = {}): RefRun => ({
    runId,
    experimentId: '1',
    runName: runId,
    status: 'RUNNING',
    startTime,
    endTime: null,
    userId: '',
    artifactUri: '',
    lifecycleStage: 'active',
    params,
    tags: {},
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, values]) => [k, values.map((value, step) => ({ value, step, timestamp: 0 }))])),
    inputs: [],
  });

  it('LIKE: % any run, _ one character (an astral one too), case-sensitive; ILIKE folds ASCII only', () => {
    expect(likeMatches('mnist_v2', 'mnist%', false)).toBe(true);
    expect(likeMatches('Mnist', 'mnist%', false)).toBe(false);
    expect(likeMatches('Mnist', 'mnist%', true)).toBe(true);
    expect(likeMatches('a😀b', 'a_b', false)).toBe(true);
    expect(likeMatches('ab', 'a_b', false)).toBe(false);
    expect(likeMatches('', '%', false)).toBe(true);
    expect(likeMatches('a*b', 'a*b', false)).toBe(true);
    expect(likeMatches('axb', 'a*b', false)).toBe(false);
    expect(likeMatches('É', 'é', true)).toBe(false);
    expect(likeMatches('É', 'É', true)).toBe(true);
  });

  it('compares strings by code point, as SQLite compares UTF-8', () => {
    expect(compareCodePoints('\uFF01', '😀')).toBe(-1);
    expect('\uFF01' < '😀').toBe(false);
    expect(compareCodePoints('B', 'a')).toBe(-1);
  });

  it('searches the latest value; NaN matches nothing; a missing key matches nothing, not even !=', () => {
    const runs = [run('a', 1, { m: [5, 1] }), run('b', 1, { m: [Number.NaN] }), run('c', 1, {})];
    const ids = (comparator: '=' | '!=' | '<', value: number) =>
      referenceSearch(runs, { experimentIds: ['1'], lifecycle: 'active', filter: [{ entity: 'metric', key: 'm', comparator, value }], orderBy: [] }).map((r) => r.runId);
    expect(ids('=', 1)).toEqual(['a']);
    expect(ids('=', 5)).toEqual([]);
    expect(ids('!=', 7)).toEqual(['a']);
    expect(ids('<', 100)).toEqual(['a']);
    expect(latestMetric([{ value: 1, step: 2, timestamp: 0 }, { value: 2, step: 1, timestamp: 9 }])).toBe(1);
  });

  it('the runs table sorts a param that is a number by value, before other text; MLflow sorts it as text', () => {
    const values = { a: '10', b: '9', c: '0.5', d: 'abc', e: '1e-3', f: 'inf', g: ' 1', h: '0x10' };
    const runs = [...Object.entries(values).map(([id, lr]) => run(id, 5, {}, { lr })), run('none', 5, {})];
    const order = (ascending: boolean, rules?: typeof RUNS_TABLE_RULES) =>
      referenceSearch(runs, { experimentIds: ['1'], lifecycle: 'active', filter: [], orderBy: [{ entity: 'param', key: 'lr', ascending }] }, rules).map(
        (r) => r.params.lr ?? '∅',
      );
    expect(order(true, RUNS_TABLE_RULES)).toEqual(['1e-3', '0.5', '9', '10', ' 1', '0x10', 'abc', 'inf', '∅']);
    expect(order(false, RUNS_TABLE_RULES)).toEqual(['10', '9', '0.5', '1e-3', 'inf', 'abc', '0x10', ' 1', '∅']);
    expect(order(true)).toEqual([' 1', '0.5', '0x10', '10', '1e-3', '9', 'abc', 'inf', '∅']);
    expect([numericParam('1.'), numericParam('.5'), numericParam('+2'), numericParam('-0'), numericParam('1e999'), numericParam(''), numericParam('NaN')]).toEqual([
      1,
      0.5,
      2,
      -0,
      null,
      null,
      null,
    ]);
  });

  it('sorts numbers, then NaN, then missing, in both directions; ties by start_time DESC, then run_id', () => {
    const runs = [run('n', 5, { m: [Number.NaN] }), run('x', 5, {}), run('lo', 5, { m: [1] }), run('hi', 5, { m: [2] }), run('t2', 9, { m: [1] })];
    const order = (ascending: boolean) =>
      referenceSearch(runs, { experimentIds: ['1'], lifecycle: 'active', filter: [], orderBy: [{ entity: 'metric', key: 'm', ascending }] }).map((r) => r.runId);
    expect(order(true)).toEqual(['t2', 'lo', 'hi', 'n', 'x']);
    expect(order(false)).toEqual(['hi', 't2', 'lo', 'n', 'x']);
    expect(referenceSearch(runs, { experimentIds: ['1'], lifecycle: 'active', filter: [], orderBy: [] }).map((r) => r.runId)).toEqual(['t2', 'hi', 'lo', 'n', 'x']);
  });
});
