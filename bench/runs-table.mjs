// Runs table and runs/search at 10k and 100k runs (× 30 params × 10 metrics), written in the app's
// schema by runs-table-seed.mjs and kept in the bench cache between runs. Against a server on each
// store: MLflow runs/search with a filter and a metric order (first page, and a page 50 deep
// reached by page tokens), newest first, a tag LIKE,
// and the runs table's tracking.queryRuns (with its total); each against hand-written SQL reading
// the same file in index order (runs-table-sql.mjs). Then the growth of the first page, 10k→100k.
import { cachedStore, sourceKey } from './bench-cache.mjs';
import { fmt, median } from './report.mjs';
import { openHandWritten } from './runs-table-sql.mjs';
import { seedRunsTableStore } from './runs-table-seed.mjs';
import { startServer } from './server-process.mjs';

const PARAMS = Array.from({ length: 30 }, (_, i) => `p${i}`);
const METRICS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const FILTER = 'metrics.m3 > 0.5';
const ORDER = ['metrics.m3 DESC'];
const PAGE = 100;
const DEEP = 50;
/** What a runs table shows: a few param columns and every metric. */
const COLUMNS = { params: PARAMS.slice(0, 5), metrics: METRICS, tags: [] };
const SEED_VERSION = 'runs-table-sql-1';
const TIMES = { warmup: 2, times: 10 };

/**
 * The app's request (`app` returns the server's ms) and its hand-written baseline, taken in turns
 * so that both see the same load on a busy machine: medians of each, and the app's first call.
 */
async function measurePair(app, hand) {
  const first = await app();
  for (let i = 0; i < TIMES.warmup; i++) {
    await app();
    hand();
  }
  const appMs = [];
  const handMs = [];
  for (let i = 0; i < TIMES.times; i++) {
    appMs.push(await app());
    const started = performance.now();
    hand();
    handMs.push(performance.now() - started);
  }
  return { app: { ms: median(appMs), first }, base: median(handMs) };
}

/** The store of `runs` runs, from the bench cache or seeded now (no built app needed). */
export async function runsTableStore(runs, log = console.error) {
  // The schema decides what the seed wrote; read-path changes need no new seed.
  const key = sourceKey(['electron/services/store/migrations'], `${SEED_VERSION} ${runs}`);
  const store = await cachedStore(`runs-table-${runs}`, key, (dataDir) => seedRunsTableStore(dataDir, { runs, params: PARAMS.length, metrics: METRICS.length }));
  log(`runs table: ${store.reused ? 'reused' : 'seeded'} ${runs.toLocaleString('en')} runs × ${PARAMS.length} params × ${METRICS.length} metrics (seeded in ${(store.facts.seedMs / 1000).toFixed(0)} s)`);
  return store;
}

/** One store's measurements: the app over HTTP, and the same questions in hand-written SQL. */
async function measureScale(runs, { cpuProfDir, log }) {
  const store = await runsTableStore(runs, log);
  const { experimentId } = store.facts;

  const hand = openHandWritten(store.dataDir, Number(experimentId), { pageSize: PAGE, columns: COLUMNS });
  const expected = { metric: hand.metricPage(), table: hand.tablePage(), newest: hand.newestPage(), tagLike: hand.tagLikePage() };
  // The page after DEEP pages, by walking the hand-written pages; none when the store is too small.
  let page = expected.metric;
  for (let i = 1; i < DEEP && page.length === PAGE; i++) page = hand.metricPageAfter(page.at(-1));
  const lastBeforeDeep = page.length === PAGE ? page.at(-1) : null;
  const deepPage = lastBeforeDeep ? hand.metricPageAfter(lastBeforeDeep) : [];
  const deep = deepPage.length === PAGE ? { after: lastBeforeDeep, firstId: deepPage[0].run_id } : null;

  const server = await startServer({ dataDir: store.dataDir, cpuProfDir });
  try {
    const search = async (body, firstId, label) => {
      const { result, ms } = await server.client.mlflow('runs/search', { experiment_ids: [experimentId], max_results: PAGE, ...body });
      if (result.runs?.length !== PAGE || (firstId && result.runs[0].info.run_id !== firstId) || result.runs[0].data.params.length !== PARAMS.length) {
        throw new Error(`runs/search (${label}) disagrees with the hand-written SQL`);
      }
      return { ms, token: result.next_page_token };
    };
    // The token after DEEP pages, walked once; the timed request is the page it opens.
    let token = null;
    if (deep) for (let i = 0; i < DEEP; i++) token = (await search({ filter: FILTER, order_by: ORDER, ...(token ? { page_token: token } : {}) }, null, 'walk')).token;
    const table = async () => {
      const { result, ms } = await server.client.rpc('tracking.queryRuns', { experimentIds: [experimentId], filter: FILTER, orderBy: ORDER, columns: COLUMNS, pageSize: PAGE });
      if (result.runs.length !== PAGE || result.total !== expected.table.total || result.runs[0].runId !== expected.table.rows[0].run_id) {
        throw new Error('tracking.queryRuns disagrees with the hand-written SQL');
      }
      return ms;
    };
    const pairs = {
      metric: await measurePair(async () => (await search({ filter: FILTER, order_by: ORDER }, expected.metric[0].run_id, 'filter + order')).ms, hand.metricPage),
      deep: deep
        ? await measurePair(async () => (await search({ filter: FILTER, order_by: ORDER, page_token: token }, deep.firstId, `page ${DEEP + 1}`)).ms, () => hand.metricPageAfter(deep.after))
        : null,
      newest: await measurePair(async () => (await search({}, expected.newest[0].run_id, 'newest first')).ms, hand.newestPage),
      tagLike: await measurePair(async () => (await search({ filter: "tags.team LIKE 'n%'" }, expected.tagLike[0].run_id, 'tag LIKE')).ms, hand.tagLikePage),
      table: await measurePair(table, hand.tablePage),
    };
    const app = Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v?.app ?? null]));
    const base = Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v?.base ?? null]));
    return { runs, base, app, total: expected.table.total, peakMb: server.memory().peakMb };
  } finally {
    await server.stop();
    hand.close();
  }
}

const scale = (runs) => `${runs / 1000}k runs`;

/** A row held to ≤ 2× its hand-written baseline and under 20 ms. */
function againstHand(name, app, baseMs, note) {
  const ratio = app.ms / baseMs;
  return {
    name,
    value: fmt.ms(app.ms),
    baseline: `hand SQL ${fmt.ms(baseMs)}`,
    ratio: fmt.x(ratio),
    target: '≤ 2x, < 20 ms',
    status: ratio <= 2 && app.ms < 20 ? 'PASS' : 'MISS',
    note: `${note}; median of ${TIMES.times} (first call ${fmt.ms(app.first)})`,
  };
}

function rowsOf(m) {
  const at = scale(m.runs);
  const rows = [
    againstHand(`runs/search: filter + metric order, first page (${at})`, m.app.metric, m.base.metric, `"${FILTER}" order by ${ORDER[0]}, ${PAGE} of ${m.total} runs with every param, tag, metric and input; MLflow 3.6 at 10k: 375 ms`),
  ];
  if (m.app.deep) rows.push(againstHand(`runs/search: filter + metric order, page ${DEEP + 1} (${at})`, m.app.deep, m.base.deep, `the same, ${DEEP} pages in through page tokens; hand SQL seeks after the previous page's last row`));
  rows.push(
    againstHand(`runs/search: newest first (${at})`, m.app.newest, m.base.newest, `no filter, default order, ${PAGE} runs`),
    againstHand(`runs/search: tag LIKE (${at})`, m.app.tagLike, m.base.tagLike, `"tags.team LIKE 'n%'", default order, ${PAGE} runs`),
    {
      ...againstHand(`runs table: tracking.queryRuns (${at})`, m.app.table, m.base.table, `"${FILTER}" order by ${ORDER[0]} with the total (${m.total}), columns ${COLUMNS.params.length} params + ${COLUMNS.metrics.length} metrics`),
      target: '< 50 ms',
      status: m.app.table.ms < 50 ? 'PASS' : 'MISS',
    },
  );
  return rows;
}

export async function benchRunsTable({ scales = [10_000, 100_000], cpuProfDir, log = console.error } = {}) {
  const measured = [];
  for (const runs of scales) measured.push(await measureScale(runs, { cpuProfDir, log }));
  const rows = measured.flatMap(rowsOf);
  const [small, big] = [measured[0], measured.at(-1)];
  if (measured.length > 1) {
    const growth = big.app.metric.ms / small.app.metric.ms;
    rows.push({
      name: `runs/search: growth ${scale(small.runs)} → ${scale(big.runs)}, first page`,
      value: fmt.ms(big.app.metric.ms),
      baseline: `${scale(small.runs)} ${fmt.ms(small.app.metric.ms)}`,
      ratio: fmt.x(growth),
      target: '≤ 1.5x',
      status: growth <= 1.5 ? 'PASS' : 'MISS',
      note: `"${FILTER}" order by ${ORDER[0]}; ${big.runs / small.runs}x the runs`,
    });
  }
  return { rows, memory: { phase: 'runs table', idleMb: 0, peakMb: Math.max(...measured.map((m) => m.peakMb)) } };
}
