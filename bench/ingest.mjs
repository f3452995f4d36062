// Ingest: MLflow log-batch over HTTP (1000 metrics a request, N concurrent client processes)
// against raw better-sqlite3 prepared inserts of the same points in one transaction.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fmt } from './report.mjs';
import { startServer } from './server-process.mjs';

const KEYS = ['loss', 'accuracy', 'lr', 'grad_norm', 'throughput'];

/** Raw rate: the same columns into a plain table, one prepared statement, one transaction. */
function rawInsertRate(totalPoints) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-raw-'));
  try {
    const db = new Database(path.join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE points (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL)');
    const insert = db.prepare('INSERT INTO points (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)');
    const runIds = Array.from({ length: 4 }, (_, i) => `${i}`.repeat(32));
    const per = totalPoints / runIds.length;
    const rows = [];
    for (const runId of runIds) {
      for (let i = 0; i < per; i++) {
        const step = Math.floor(i / KEYS.length);
        rows.push([runId, KEYS[i % KEYS.length], step, 1_750_000_000_000 + step * 10, Math.random()]);
      }
    }
    const started = performance.now();
    db.transaction(() => {
      for (const row of rows) insert.run(row[0], row[1], row[2], row[3], row[4]);
    })();
    const ms = performance.now() - started;
    db.close();
    return totalPoints / (ms / 1000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every point landed, read straight from the store: per run and key, the count, the sum of
 * steps and the sum of values equal what the clients sent (values up to summation order).
 */
function checkEveryPointLanded(file, ready) {
  const db = new Database(file, { readonly: true });
  try {
    const stored = db.prepare(
      'SELECT s.run_id AS runId, s.key AS key, count(*) AS count, sum(p.step) AS stepSum, sum(p.value) AS valueSum FROM metric_points p JOIN metric_series s ON s.series_id = p.series_id GROUP BY s.series_id',
    );
    const found = new Map(stored.all().map((row) => [`${row.runId}/${row.key}`, row]));
    for (const { runId, sent } of ready) {
      for (const [key, expected] of Object.entries(sent)) {
        const row = found.get(`${runId}/${key}`);
        const problem = !row
          ? 'no series'
          : row.count !== expected.count
            ? `${row.count} points, ${expected.count} sent`
            : row.stepSum !== expected.stepSum
              ? `step sum ${row.stepSum}, ${expected.stepSum} sent`
              : Math.abs(row.valueSum - expected.valueSum) > 1e-9 * Math.max(1, Math.abs(expected.valueSum))
                ? `value sum ${row.valueSum}, ${expected.valueSum} sent`
                : null;
        if (problem) throw new Error(`ingest check: run ${runId} ${key}: ${problem}`);
      }
    }
  } finally {
    db.close();
  }
}

export async function benchIngest({ clients = 4, requestsPerClient = 500, perRequest = 1000, cpuProfDir } = {}) {
  const totalPoints = clients * requestsPerClient * perRequest;
  const rawRate = rawInsertRate(totalPoints);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-ingest-'));
  const server = await startServer({ dataDir, cpuProfDir });
  try {
    const idle = server.memory();
    const { result: created } = await server.client.mlflow('experiments/create', { name: 'bench-ingest' });
    const runIds = [];
    for (let i = 0; i < clients; i++) {
      const { result } = await server.client.mlflow('runs/create', { experiment_id: created.experiment_id, run_name: `ingest-${i}` });
      runIds.push(result.run.info.run_id);
    }

    const children = runIds.map((runId) =>
      fork(path.join(import.meta.dirname, 'ingest-client.mjs'), [
        JSON.stringify({ baseUrl: server.baseUrl, token: server.token, runId, requests: requestsPerClient, perRequest, keys: KEYS }),
      ]),
    );
    const messages = (type) =>
      Promise.all(
        children.map(
          (child) =>
            new Promise((resolve, reject) => {
              const onMessage = (m) => {
                if (m.type !== type) return;
                child.off('message', onMessage);
                resolve(m);
              };
              child.on('message', onMessage);
              child.once('exit', (code) => code !== 0 && reject(new Error(`ingest client exited ${code}`)));
            }),
        ),
      );
    const ready = await messages('ready');
    const bodyBytes = ready.reduce((n, m) => n + m.bytes, 0);

    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.memory().rssMb)), 100);
    const done = messages('done');
    const started = performance.now();
    for (const child of children) child.send('go');
    const results = await done;
    const ms = performance.now() - started;
    clearInterval(sampler);

    const failures = results.reduce((n, r) => n + r.failures, 0);
    if (failures > 0) throw new Error(`${failures} log-batch requests failed, first: ${results.find((r) => r.firstFailure).firstFailure}`);
    checkEveryPointLanded(path.join(dataDir, 'orrery.db'), ready);

    const rate = totalPoints / (ms / 1000);
    const memory = server.memory();
    const ratio = rate / rawRate;
    return {
      rows: [
        {
          name: `ingest: log-batch, ${clients} clients`,
          value: fmt.rate(rate),
          baseline: `raw insert ${fmt.rate(rawRate)}`,
          ratio: fmt.x(ratio),
          target: '>= 0.5x raw',
          status: ratio >= 0.5 ? 'PASS' : 'MISS',
          note: `${totalPoints.toLocaleString('en')} points in ${(ms / 1000).toFixed(1)} s, ${perRequest} per request (${(bodyBytes / requestsPerClient / clients / 1024).toFixed(0)} KiB bodies), ${(((totalPoints / perRequest) / ms) * 1000).toFixed(0)} requests/s`,
        },
      ],
      memory: { phase: 'ingest', idleMb: idle.rssMb, peakMb: Math.max(memory.peakMb, peakRss) },
    };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
