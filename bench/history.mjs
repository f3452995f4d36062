// History: 100 runs × S steps × 3 keys, written in-process through the app's own
// TrackingService/MetricStore (server stopped), then the UI's downsampled read over HTTP:
// tracking.history { runIds: 100, keys: ['loss'], buckets: 1000 }. Baseline: a plain SELECT of
// every raw point of that key for the same runs.
// Then one 10M-point series streamed whole by MLflow get-history (history-stream.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openTracking } from './app-bundle.mjs';
import { seedSeries } from './seed-series.mjs';
import { fmt, median, timeRepeated } from './report.mjs';
import { startServer } from './server-process.mjs';
import { benchHistoryStream } from './history-stream.mjs';

const KEYS = ['loss', 'accuracy', 'lr'];

async function seed(dataDir, runs, steps) {
  const { db, tracking, metrics } = await openTracking(dataDir);
  const started = performance.now();
  const experimentId = tracking.createExperiment(`history-${steps}`);
  const runIds = [];
  for (let r = 0; r < runs; r++) {
    const runId = tracking.createRun({ experimentId, name: `run-${r}`, tags: [] }).runId;
    runIds.push(runId);
    seedSeries({ db, metrics }, runId, KEYS, steps, (k, step) => (k + 1) * Math.exp(-step / (steps / 4)) + Math.random() * 0.05);
  }
  db.close();
  return { runIds, seedMs: performance.now() - started };
}

/** Every raw point of `key` for these runs, read with one plain SELECT (rows are only counted). */
function rawRead(dataDir, runIds, key, times) {
  const db = new Database(path.join(dataDir, 'orrery.db'), { readonly: true });
  const select = db
    .prepare(
      `SELECT p.step, p.timestamp, p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.series_id
       WHERE s.key = ? AND s.run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY s.run_id, p.step`,
    )
    .raw(true);
  const samples = [];
  let rows = 0;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    rows = 0;
    for (const row of select.iterate(key, ...runIds)) if (row[0] >= 0) rows++;
    samples.push(performance.now() - started);
  }
  db.close();
  return { ms: Math.min(...samples), rows };
}

async function measure(steps, { runs, cpuProfDir, log }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `orrery-bench-history-${steps}-`));
  try {
    const { runIds, seedMs } = await seed(dataDir, runs, steps);
    const dbMb = fs.statSync(path.join(dataDir, 'orrery.db')).size / 1024 / 1024;
    log(`history: seeded ${runs} runs × ${steps.toLocaleString('en')} steps × ${KEYS.length} keys in ${(seedMs / 1000).toFixed(1)} s (${dbMb.toFixed(0)} MB)`);
    const raw = rawRead(dataDir, runIds, 'loss', steps >= 100_000 ? 2 : 3);
    if (raw.rows !== runs * steps) throw new Error(`raw read returned ${raw.rows} rows, expected ${runs * steps}`);

    const server = await startServer({ dataDir, cpuProfDir });
    try {
      const idle = server.memory();
      const input = { runIds, keys: ['loss'], buckets: 1000 };
      let first;
      let bytes = 0;
      const samples = await timeRepeated(
        async () => {
          const { result, ms, bytes: size } = await server.client.rpc('tracking.getMetricHistory', input);
          first ??= ms;
          bytes = size;
          if (result.length !== runs || result.some((s) => s.totalPoints !== steps || s.buckets.count.length === 0 || s.buckets.count.length > 1000)) {
            throw new Error('tracking.history returned an unexpected shape');
          }
          return ms;
        },
        { warmup: 2, times: 15 },
      );
      const bucketsPerRun = (await server.client.rpc('tracking.getMetricHistory', input)).result[0].buckets.count.length;
      return { steps, ms: median(samples), first, rawMs: raw.ms, bytes, bucketsPerRun, memory: { idleMb: idle.rssMb, peakMb: server.memory().peakMb } };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchHistory({ runs = 100, long = 100_000, short = 10_000, streamPoints = 10_000_000, cpuProfDir, log = console.error } = {}) {
  const big = await measure(long, { runs, cpuProfDir, log });
  const small = await measure(short, { runs, cpuProfDir, log });
  const streamed = await benchHistoryStream({ points: streamPoints, cpuProfDir, log });
  const row = (m, target) => ({
    name: `history: ${runs} runs × ${m.steps / 1000}k steps`,
    value: fmt.ms(m.ms),
    baseline: `raw SELECT ${fmt.ms(m.rawMs)}`,
    ratio: fmt.x(m.ms / m.rawMs),
    target: target ? `< ${target} ms` : '(info)',
    status: target ? (m.ms < target ? 'PASS' : 'MISS') : 'info',
    note: `median of 15 (first call ${fmt.ms(m.first)}), ${m.bucketsPerRun} buckets per run, ${(m.bytes / 1024).toFixed(0)} KiB response, server peak RSS ${fmt.mb(m.memory.peakMb)}; baseline reads all ${(runs * m.steps).toLocaleString('en')} points`,
  });
  // The store answers with between N/4 and N buckets depending on how the steps fall on its
  // rollup grid, and a read costs about the same per bucket; so growth is compared per bucket
  // returned, which is what depends on series length if anything does.
  const growth = big.ms / big.bucketsPerRun / (small.ms / small.bucketsPerRun);
  return {
    rows: [
      row(big, 150),
      row(small, null),
      {
        name: `history: growth ${long / 1000}k / ${short / 1000}k per bucket`,
        value: fmt.x(growth),
        baseline: `raw ${fmt.x(big.rawMs / small.rawMs)}; whole query ${fmt.x(big.ms / small.ms)}`,
        ratio: '—',
        target: '≈ 1 (<= 1.5x)',
        status: growth <= 1.5 ? 'PASS' : 'MISS',
      },
      ...streamed.rows,
    ],
    memory: {
      phase: 'history',
      idleMb: Math.min(big.memory.idleMb, small.memory.idleMb, streamed.memory.idleMb),
      peakMb: Math.max(big.memory.peakMb, small.memory.peakMb, streamed.memory.peakMb),
    },
  };
}
