// Cold start: from spawning the built server (dist/cli/serve.js) to its first 200 from
// /api/health, over a store of 100k runs and 100M metric points, against the same over an empty
// store, in the same run (median of several starts each, alternating). The big store is seeded
// with raw SQL (seed-big-store.mjs) and kept in the bench cache between runs (bench-cache.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openTracking, root } from './app-bundle.mjs';
import { cachedStore, folderBytes, sourceKey } from './bench-cache.mjs';
import { fmt, median } from './report.mjs';
import { seedBigStore } from './seed-big-store.mjs';
import { BENCH_TOKEN } from './server-process.mjs';

const CLI = path.join(root, 'dist', 'cli', 'serve.js');
const SEED_VERSION = 'big-store-1';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthOk(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** How long a stopped server may take to exit before it is killed (and counted as slow to stop). */
const STOP_GRACE_MS = 5000;

/**
 * Spawns the server over `dataDir`, polls /api/health every 2 ms; returns ms to the first 200, then
 * stops it (SIGTERM; SIGKILL after STOP_GRACE_MS, which `killed` records).
 */
async function startOnce(dataDir, cpuProfDir, killed = { count: 0 }) {
  const port = await freePort();
  const nodeArgs = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, CLI, '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, ORRERY_TOKEN: BENCH_TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ms = null;
  try {
    while (ms === null) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before /api/health answered:\n${err}`);
      if (await healthOk(port)) ms = performance.now() - started;
      else await new Promise((resolve) => setTimeout(resolve, 2));
      if (performance.now() - started > 120_000) throw new Error(`/api/health did not answer within 120 s:\n${err}`);
    }
    return ms;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      killed.count++;
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

export async function benchColdStart({ runs = 100_000, keys = 10, steps = 100, times = 5, cpuProfDir, log = console.error } = {}) {
  const key = sourceKey(['electron/services/store/migrations'], `${SEED_VERSION} ${runs} ${keys} ${steps}`);
  const big = await cachedStore(`cold-start-${runs}`, key, (dataDir) => seedBigStore(dataDir, { runs, keys, steps, log }));
  const bigBytes = folderBytes(big.dataDir);
  const points = big.facts.points;
  log(
    `cold start: ${big.reused ? 'reused' : 'seeded'} ${runs.toLocaleString('en')} runs × ${keys} metrics × ${steps} steps = ${(points / 1e6).toFixed(0)}M points, ` +
      `${(bigBytes / 2 ** 30).toFixed(2)} GiB (${(bigBytes / points).toFixed(1)} bytes/point), seeded in ${(big.facts.seedMs / 1000).toFixed(0)} s; ${big.dataDir}`,
  );

  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-cold-'));
  try {
    // An existing empty store (created and migrated), so both sides start over a store that is there.
    (await openTracking(emptyDir)).db.close();
    // One untimed start of each: the first start after seeding finishes the app's own one-time work.
    await startOnce(emptyDir);
    await startOnce(big.dataDir);
    const empty = [];
    const full = [];
    const killed = { empty: { count: 0 }, big: { count: 0 } };
    for (let i = 0; i < times; i++) {
      empty.push(await startOnce(emptyDir, cpuProfDir, killed.empty));
      full.push(await startOnce(big.dataDir, cpuProfDir, killed.big));
    }
    const emptyMs = median(empty);
    const fullMs = median(full);
    const ratio = fullMs / emptyMs;
    return {
      rows: [
        {
          name: `cold start: /api/health, ${runs / 1000}k runs + ${(points / 1e6).toFixed(0)}M points`,
          value: fmt.ms(fullMs),
          baseline: `empty store ${fmt.ms(emptyMs)}`,
          ratio: fmt.x(ratio),
          target: '≤ 1.2x',
          status: ratio <= 1.2 ? 'PASS' : 'MISS',
          note:
            `spawn of dist/cli/serve.js → first 200 from /api/health, median of ${times} starts each, alternating ` +
            `(big: ${full.map((ms) => ms.toFixed(0)).join(', ')} ms; empty: ${empty.map((ms) => ms.toFixed(0)).join(', ')} ms); ` +
            `store ${(bigBytes / 2 ** 30).toFixed(2)} GiB, ${(bigBytes / points).toFixed(1)} bytes/point, ${big.reused ? 'reused from' : 'seeded into'} the bench cache (seed ${(big.facts.seedMs / 1000).toFixed(0)} s); ` +
            `not exited ${STOP_GRACE_MS / 1000} s after SIGTERM (killed): big ${killed.big.count} of ${times}, empty ${killed.empty.count} of ${times}`,
        },
      ],
      memory: { phase: 'cold start', idleMb: 0, peakMb: 0 },
    };
  } finally {
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }
}
