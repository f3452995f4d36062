// Runs table: 10k runs × 30 params × 10 metrics, written in-process through the app's own
// TrackingService (createRun + logBatch, server stopped). Then the first page of
// "metrics.m3 > 0.5 ORDER BY metrics.m3 DESC" via tracking.queryRuns and MLflow runs/search,
// against hand-written SQL answering the same question on the same file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openTracking } from './app-bundle.mjs';
import { fmt, median, timeRepeated } from './report.mjs';
import { startServer } from './server-process.mjs';

const PARAMS = Array.from({ length: 30 }, (_, i) => `p${i}`);
const METRICS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const FILTER = 'metrics.m3 > 0.5';
const ORDER = ['metrics.m3 DESC'];
const PAGE = 100;
/** What a runs table shows: a few param columns and every metric. */
const COLUMNS = { params: PARAMS.slice(0, 5), metrics: METRICS, tags: [] };

async function seed(dataDir, runs) {
  const { db, tracking } = await openTracking(dataDir);
  const started = performance.now();
  const experimentId = tracking.createExperiment('runs-table');
  const t0 = 1_750_000_000_000;
  const perTransaction = 500;
  for (let from = 0; from < runs; from += perTransaction) {
    db.transaction(() => {
      for (let r = from; r < Math.min(runs, from + perTransaction); r++) {
        const { runId } = tracking.createRun({ experimentId, name: `run-${r}`, startTime: t0 + r * 1000, tags: [{ key: 'mlflow.user', value: 'bench' }] });
        tracking.logBatch(runId, {
          params: PARAMS.map((key, j) => ({ key, value: j % 3 === 0 ? `choice-${(r * 7 + j) % 5}` : String(Math.round(Math.random() * 1e6) / 1e6) })),
          metrics: METRICS.map((key) => ({ key, value: Math.random(), timestamp: t0 + r * 1000 + 500, step: 100 })),
          tags: [],
        });
      }
    })();
  }
  db.close();
  return { experimentId, seedMs: performance.now() - started };
}

/** The same question in hand-written SQL: page, total, and the page's column values. */
function handWritten(dataDir, experimentId, { allColumns }) {
  const db = new Database(path.join(dataDir, 'orrery.db'), { readonly: true });
  const where = 's.key = \'m3\' AND s.last_is_nan = 0 AND s.last_value > 0.5 AND r.experiment_id = ? AND r.lifecycle_stage = \'active\'';
  const page = db.prepare(
    `SELECT r.run_id, r.name, r.status, r.start_time, r.end_time, r.user_id, r.artifact_uri, r.lifecycle_stage FROM metric_series s
     JOIN runs r ON r.run_id = s.run_id WHERE ${where} ORDER BY s.last_value DESC, r.start_time DESC, r.run_id LIMIT ${PAGE}`,
  );
  const total = db.prepare(`SELECT count(*) AS n FROM metric_series s JOIN runs r ON r.run_id = s.run_id WHERE ${where}`).pluck();
  const inPage = '(SELECT value FROM json_each(?))';
  const params = allColumns
    ? db.prepare(`SELECT run_id, key, value FROM run_params WHERE run_id IN ${inPage}`)
    : db.prepare(`SELECT run_id, key, value FROM run_params WHERE run_id IN ${inPage} AND key IN (SELECT value FROM json_each(?))`);
  const tags = db.prepare(`SELECT run_id, key, value FROM run_tags WHERE run_id IN ${inPage}`);
  const metrics = db.prepare(`SELECT run_id, key, last_value, last_step, last_timestamp FROM metric_series WHERE run_id IN ${inPage}`);
  const query = () => {
    const rows = page.all(experimentId);
    const ids = JSON.stringify(rows.map((r) => r.run_id));
    const n = total.get(experimentId);
    const p = allColumns ? params.all(ids) : params.all(ids, JSON.stringify(COLUMNS.params));
    const m = metrics.all(ids);
    const t = allColumns ? tags.all(ids) : [];
    return { rows, n, cells: p.length + m.length + t.length };
  };
  return { query, close: () => db.close() };
}

export async function benchRunsTable({ runs = 10_000, cpuProfDir, log = console.error } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-runs-'));
  try {
    const { experimentId, seedMs } = await seed(dataDir, runs);
    log(`runs table: seeded ${runs.toLocaleString('en')} runs × ${PARAMS.length} params × ${METRICS.length} metrics in ${(seedMs / 1000).toFixed(1)} s`);

    const baselines = {};
    for (const allColumns of [false, true]) {
      const hand = handWritten(dataDir, Number(experimentId), { allColumns });
      const check = hand.query();
      if (check.rows.length !== PAGE) throw new Error(`hand-written SQL returned ${check.rows.length} runs`);
      baselines[allColumns ? 'all' : 'columns'] = { ms: median(await timeRepeated(() => void hand.query(), { warmup: 2, times: 10 })), total: check.n, firstId: check.rows[0].run_id };
      hand.close();
    }

    const server = await startServer({ dataDir, cpuProfDir });
    try {
      const firsts = {};
      const queryRuns = async () => {
        const { result, ms } = await server.client.rpc('tracking.queryRuns', {
          experimentIds: [experimentId],
          filter: FILTER,
          orderBy: ORDER,
          columns: COLUMNS,
          pageSize: PAGE,
        });
        firsts.queryRuns ??= ms;
        const values = result.runs.map((run) => run.metrics.m3?.value);
        if (result.runs.length !== PAGE || result.total !== baselines.columns.total || values.some((v, i) => !(v > 0.5) || (i > 0 && v > values[i - 1]))) {
          throw new Error('tracking.queryRuns returned an unexpected page');
        }
        if (result.runs[0].runId !== baselines.columns.firstId) throw new Error('tracking.queryRuns and the hand-written SQL disagree on the first run');
        return ms;
      };
      const search = async () => {
        const { result, ms } = await server.client.mlflow('runs/search', {
          experiment_ids: [experimentId],
          filter: FILTER,
          order_by: ORDER,
          max_results: PAGE,
        });
        firsts.search ??= ms;
        if (result.runs?.length !== PAGE || result.runs[0].info.run_id !== baselines.all.firstId || result.runs[0].data.params.length !== PARAMS.length) {
          throw new Error('runs/search returned an unexpected page');
        }
        return ms;
      };
      const queryRunsMs = median(await timeRepeated(queryRuns, { warmup: 2, times: 10 }));
      const searchMs = median(await timeRepeated(search, { warmup: 2, times: 10 }));
      return {
        rows: [
          {
            name: `runs table: tracking.queryRuns (${runs / 1000}k runs)`,
            value: fmt.ms(queryRunsMs),
            baseline: `hand SQL ${fmt.ms(baselines.columns.ms)}`,
            ratio: fmt.x(queryRunsMs / baselines.columns.ms),
            target: '< 50 ms',
            status: queryRunsMs < 50 ? 'PASS' : 'MISS',
            note: `"${FILTER}" order by ${ORDER[0]}, page ${PAGE} of ${baselines.columns.total}, columns ${COLUMNS.params.length} params + ${COLUMNS.metrics.length} metrics; median of 10 (first call ${fmt.ms(firsts.queryRuns)}); MLflow 3.6: 375 ms`,
          },
          {
            name: `runs table: MLflow runs/search (${runs / 1000}k runs)`,
            value: fmt.ms(searchMs),
            baseline: `hand SQL ${fmt.ms(baselines.all.ms)}`,
            ratio: fmt.x(searchMs / baselines.all.ms),
            target: '(info)',
            status: 'info',
            note: `same filter and order, max_results ${PAGE}, every param, metric and tag; median of 10 (first call ${fmt.ms(firsts.search)})`,
          },
        ],
        memory: { phase: 'runs table', idleMb: 0, peakMb: server.memory().peakMb },
      };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
