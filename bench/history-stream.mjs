// History streaming: one run with a 10M-point series, then MLflow get-history without max_results
// (every point, streamed). Measured: its time against a raw SQLite read of the same rows in this
// process (throughput ratio), the server's peak RSS increase while it streams, and the longest a
// concurrent /api/health probe (one every ~10 ms) waited: a stalled event loop answers no one.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openTracking } from './app-bundle.mjs';
import { cachedStore, sourceKey } from './bench-cache.mjs';
import { seedSeries } from './seed-series.mjs';
import { fmt, median } from './report.mjs';
import { readMemory, startServer } from './server-process.mjs';

const KEY = 'loss';

async function seed(dataDir, points) {
  const { db, tracking, metrics } = await openTracking(dataDir);
  const started = performance.now();
  const experimentId = tracking.createExperiment(`history-stream-${points}`);
  const runId = tracking.createRun({ experimentId, name: 'long', tags: [] }).runId;
  seedSeries({ db, metrics }, runId, [KEY], points, (_k, step) => Math.exp(-step / (points / 4)) + Math.random() * 0.05);
  db.close();
  return { runId, seedMs: performance.now() - started };
}

/** Every point of the series, in the stream's order, with one plain SELECT (rows only counted). */
function rawRead(dataDir, runId) {
  const db = new Database(path.join(dataDir, 'orrery.db'), { readonly: true });
  const seriesId = db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?').pluck().get(runId, KEY);
  const select = db.prepare('SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ? ORDER BY step, timestamp, is_nan, value').raw(true);
  const started = performance.now();
  let rows = 0;
  for (const row of select.iterate(seriesId)) if (row[0] >= 0) rows++;
  const ms = performance.now() - started;
  db.close();
  return { ms, rows };
}

/** Peak RSS is reset to the current RSS (Linux ≥ 4.0), so VmHWM afterwards is this stream's peak. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** GET the whole history; only bytes are counted, plus the first and last bytes to check its shape. */
function streamHistory(server, runId) {
  const url = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get({ host: url.hostname, port: url.port, agent: false, path: `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${KEY}`, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
        let bytes = 0;
        let head = '';
        let tail = Buffer.alloc(0);
        res.on('data', (chunk) => {
          if (head.length < 64) head += chunk.subarray(0, 64).toString('latin1');
          bytes += chunk.length;
          tail = chunk.length >= 64 ? chunk.subarray(chunk.length - 64) : Buffer.concat([tail, chunk]).subarray(-64);
        });
        res.on('end', () => resolve({ status: res.statusCode, chunked: res.headers['transfer-encoding'] === 'chunked', ms: performance.now() - started, bytes, head, tail: tail.toString('latin1') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** /api/health every ~10 ms over one kept-alive connection until `stop()`; each answer's wait in ms, and RSS seen meanwhile. */
function probeHealth(server) {
  const url = new URL(server.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const waits = [];
  let maxRssMb = 0;
  let stopped = false;
  const once = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      http
        .get({ host: url.hostname, port: url.port, agent, path: '/api/health' }, (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  const loop = (async () => {
    while (!stopped) {
      waits.push(await once());
      maxRssMb = Math.max(maxRssMb, readMemory(server.pid).rssMb);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      agent.destroy();
      return { waits, maxRssMb };
    },
  };
}

export async function benchHistoryStream({ points = 10_000_000, cpuProfDir, log = console.error } = {}) {
  // Keyed on the schema alone: the points' format is the tables', and reseeding takes a while.
  const store = await cachedStore(`history-stream-${points}`, sourceKey(['electron/services/store/migrations'], `points=${points}`), (dataDir) => seed(dataDir, points));
  const { dataDir } = store;
  const { runId, seedMs } = store.facts;
  const dbMb = fs.statSync(path.join(dataDir, 'orrery.db')).size / 1024 / 1024;
  log(`history stream: ${store.reused ? 'reused' : 'seeded'} 1 run × ${points.toLocaleString('en')} points (${(seedMs / 1000).toFixed(1)} s to seed, ${dbMb.toFixed(0)} MB)`);
  // Twice: the first read also brings the file into the page cache, as the server's will find it.
  rawRead(dataDir, runId);
  const raw = rawRead(dataDir, runId);
  if (raw.rows !== points) throw new Error(`raw read returned ${raw.rows} rows, expected ${points}`);

  const server = await startServer({ dataDir, cpuProfDir });
  try {
    // Past the start's own work (the store's page check runs on a worker for a while).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleProbe = probeHealth(server);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleWaits = (await idleProbe.stop()).waits;
    const idle = server.memory();
    const hwmReset = resetPeak(server.pid);
    const probe = probeHealth(server);
    const streamed = await streamHistory(server, runId);
    const { waits, maxRssMb } = await probe.stop();
    const after = server.memory();
    if (streamed.status !== 200 || !streamed.chunked || !streamed.head.startsWith(`{"metrics":[{"key":"${KEY}"`) || !streamed.tail.endsWith(`"step":${points - 1}}]}`)) {
      throw new Error(`get-history answered ${streamed.status} (chunked: ${streamed.chunked}): ${streamed.head}…${streamed.tail}`);
    }
    const peakMb = hwmReset ? after.peakMb : Math.max(maxRssMb, after.rssMb);
    const growthMb = peakMb - idle.rssMb;
    const stallMs = Math.max(...waits);
    const ratio = raw.ms / streamed.ms;
    const mbPerS = streamed.bytes / 1024 / 1024 / (streamed.ms / 1000);
    const label = `${points / 1e6}M points`;
    return {
      rows: [
        {
          name: `history stream: get-history of ${label}`,
          value: fmt.ms(streamed.ms),
          baseline: `raw SELECT ${fmt.ms(raw.ms)}`,
          ratio: fmt.x(ratio),
          target: '>= 0.5x raw throughput',
          status: ratio >= 0.5 ? 'PASS' : 'MISS',
          note: `${fmt.rate(points / (streamed.ms / 1000))} (raw ${fmt.rate(points / (raw.ms / 1000))}), ${(streamed.bytes / 1024 / 1024).toFixed(0)} MiB streamed at ${mbPerS.toFixed(0)} MiB/s; ratio = raw time / stream time`,
        },
        {
          name: `history stream: server peak RSS increase (${label})`,
          value: fmt.mb(growthMb),
          baseline: `idle ${fmt.mb(idle.rssMb)}`,
          ratio: '—',
          target: '< 100 MB',
          status: growthMb < 100 ? 'PASS' : 'MISS',
          note: hwmReset ? 'VmHWM after the stream (peak reset through /proc/<pid>/clear_refs before it) minus VmRSS before it' : 'highest VmRSS sampled every ~10 ms minus VmRSS before (VmHWM could not be reset)',
        },
        {
          name: `history stream: longest /api/health wait while streaming (${label})`,
          value: fmt.ms(stallMs),
          baseline: `idle median ${fmt.ms(median(idleWaits))}`,
          ratio: '—',
          target: '< 50 ms',
          status: stallMs < 50 ? 'PASS' : 'MISS',
          note: `${waits.length} probes, one every ~10 ms over a kept-alive connection; median ${fmt.ms(median(waits))}, p99 ${fmt.ms(percentile(waits, 0.99))}`,
        },
      ],
      memory: { phase: 'history', idleMb: idle.rssMb, peakMb: after.peakMb },
    };
  } finally {
    await server.stop();
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
