import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMetricSeries } from '../helpers/metric-series-seed';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

// Built whole in memory, a history this long froze the server for seconds (about 4.5 s per
// million points) and answered no one meanwhile, /api/health included.
const COUNT = 2_000_000;
/** Generous: only a frozen event loop takes this long to say it is healthy. */
const HEALTH_BOUND_MS = 2_000;

let dataDir: string;
let server: ServerProcess;
let runId: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-history-health-'));
  ({ runId } = seedMetricSeries(dataDir, { loss: { count: COUNT, pointAt: (i) => ({ step: i, timestamp: 1_764_000_000_000 + i, value: Math.cos(i) }) } }));
  server = await startServerProcess(dataDir);
}, 180_000);

afterAll(async () => {
  await server?.kill9();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function healthMs(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(30_000) });
  expect(res.status).toBe(200);
  return performance.now() - started;
}

describe('a long history streams without freezing the server', () => {
  it('while 2M points stream to a slow reader, /api/health answers each time, then the reader goes away and the server carries on', async () => {
    const url = new URL(server.url);
    let received = 0;
    let ended = false;
    const request = http.get({
      host: url.hostname,
      port: url.port,
      path: `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`,
      headers: { authorization: `Bearer ${server.token}` },
    });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => request.once('response', resolve).once('error', reject));
    expect(response.statusCode).toBe(200);
    response.on('end', () => (ended = true));
    // A slow reader: what is buffered, every 20 ms (well under 1 MB/s of a ~130 MB answer), so
    // the server must wait for it between slices rather than run ahead.
    response.pause();
    const reader = setInterval(() => {
      const chunk = response.read() as Buffer | null;
      if (chunk) received += chunk.length;
    }, 20);
    try {
      const probes: number[] = [];
      for (let i = 0; i < 15; i++) {
        probes.push(await healthMs());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ended).toBe(false);
      expect(received).toBeGreaterThan(0);
      expect(Math.max(...probes)).toBeLessThan(HEALTH_BOUND_MS);
    } finally {
      clearInterval(reader);
      request.destroy();
    }
    // Gone mid-stream: the server is alive and answers the next requests.
    expect(await healthMs()).toBeLessThan(HEALTH_BOUND_MS);
    const page = await fetch(`${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss&max_results=2`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(await page.json()).toEqual({
      metrics: [
        { key: 'loss', value: 1, timestamp: 1_764_000_000_000, step: 0 },
        { key: 'loss', value: Math.cos(1), timestamp: 1_764_000_000_001, step: 1 },
      ],
      next_page_token: expect.any(String),
    });
    expect(server.child.exitCode).toBeNull();
  }, 120_000);

  it('read at full speed, the whole history comes while /api/health keeps answering', async () => {
    const probes: number[] = [];
    let done = false;
    const prober = (async () => {
      while (!done) {
        probes.push(await healthMs());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const res = await fetch(`${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    // Only counted: the 300k-point test checks every byte; here the client must keep up with the server.
    let bytes = 0;
    let tail = '';
    for await (const chunk of res.body!) {
      bytes += chunk.length;
      tail = (tail + Buffer.from(chunk).subarray(-100).toString('latin1')).slice(-100);
    }
    done = true;
    await prober;
    expect(bytes).toBeGreaterThan(COUNT * 60);
    expect(tail.endsWith(`"step":${COUNT - 1}}]}`)).toBe(true);
    expect(probes.length).toBeGreaterThan(1);
    expect(Math.max(...probes)).toBeLessThan(HEALTH_BOUND_MS);
  }, 180_000);
});
