import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PointTuple } from '../../../electron/services/tracking/metric-point-reader';
import { toMetricValue } from '../../../electron/services/tracking/metric-value';
import { seedMetricSeries } from '../../helpers/metric-series-seed';
import { startTestServer, TEST_TOKEN, type TestServer } from '../../helpers/test-server';

// More points than any one slice holds, so the answer is written in many slices; with pairs of
// points sharing step and timestamp (told apart only by value), so a slice boundary between
// them must resume at the right one; and NaN and ±Infinity, which JSON has no numbers for.
const COUNT = 300_000;
const T0 = 1_764_000_000_000;

function pointAt(i: number): { step: number; timestamp: number; value: number } {
  const value = i % 997 === 0 ? Number.NaN : i % 991 === 0 ? Number.POSITIVE_INFINITY : i % 983 === 0 ? Number.NEGATIVE_INFINITY : (Math.sin(i) * 1000) / (i + 1);
  return { step: Math.floor(i / 2) - 10, timestamp: T0 + (i % 2 === 1 ? i - 1 : i) * 7, value };
}

/** The stored order: metric_points' key (step, timestamp, then NaN after numbers, then value). */
function expectedHistory(): Array<{ key: string; value: number | string; timestamp: number; step: number }> {
  const points = Array.from({ length: COUNT }, (_, i) => pointAt(i));
  const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
  points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || rank(a.value) - rank(b.value) || (Number.isNaN(a.value) ? 0 : a.value - b.value));
  return points.map((p) => ({ key: 'loss', value: toMetricValue(p.value), timestamp: p.timestamp, step: p.step }));
}

let dataDir: string;
let server: TestServer;
let runId: string;
let expected: ReturnType<typeof expectedHistory>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-history-stream-'));
  ({ runId } = seedMetricSeries(dataDir, { loss: { count: COUNT, pointAt } }));
  expected = expectedHistory();
  server = await startTestServer(dataDir);
}, 120_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function get(pathAndQuery: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const port = Number(new URL(server.url).port);
  return new Promise((resolve, reject) => {
    http
      // A fresh connection each time: a kept-alive one may be closed by the server's idle timeout as it is reused.
      .get({ host: '127.0.0.1', port, agent: false, path: `/api/2.0/mlflow/${pathAndQuery}`, headers: { authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('get-history streams a long series', () => {
  it('without max_results, the streamed answer is every stored point, in order, values, NaN and infinities included', async () => {
    const res = await get(`metrics/get-history?run_id=${runId}&metric_key=loss`);
    expect(res.status).toBe(200);
    // Written as read: no length known up front.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const body = JSON.parse(res.body) as { metrics: unknown[]; next_page_token?: string };
    expect(body.next_page_token).toBeUndefined();
    expect(body.metrics.length).toBe(COUNT);
    // Byte for byte what one JSON.stringify of the whole answer gives (compared as text: a deep
    // comparison of 300k objects takes the test runner seconds).
    expect(res.body).toBe(JSON.stringify({ metrics: expected }));
  });

  it('pages of max_results follow each other through the whole series by their opaque tokens', async () => {
    const pages: unknown[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const res = await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=25000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { metrics: unknown[]; next_page_token?: string };
      expect(body.metrics.length).toBeLessThanOrEqual(25_000);
      pages.push(...body.metrics);
      token = body.next_page_token;
      calls++;
    } while (token);
    expect(calls).toBe(COUNT / 25_000);
    expect(JSON.stringify(pages)).toBe(JSON.stringify(expected));
  });

  it('a numeric page token from an older server is still an offset; a token it never wrote is refused', async () => {
    const res = await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=5&page_token=1000`);
    const body = JSON.parse(res.body) as { metrics: unknown[]; next_page_token: string };
    expect(body.metrics).toEqual(expected.slice(1000, 1005));
    const next = JSON.parse((await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=5&page_token=${body.next_page_token}`)).body) as { metrics: unknown[] };
    expect(next.metrics).toEqual(expected.slice(1005, 1010));

    // Deeper than one skip step (passed over between turns), past the end (answered at once), and the last page.
    const deep = JSON.parse((await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=5&page_token=123457`)).body) as { metrics: unknown[] };
    expect(deep.metrics).toEqual(expected.slice(123_457, 123_462));
    const past = JSON.parse((await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=5&page_token=9007199254740991`)).body) as { metrics: unknown[]; next_page_token?: string };
    expect(past).toEqual({ metrics: [] });
    const tail = JSON.parse((await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=5&page_token=${COUNT - 2}`)).body) as { metrics: unknown[]; next_page_token?: string };
    expect(tail).toEqual({ metrics: expected.slice(COUNT - 2) });

    const forged = await get(`metrics/get-history?run_id=${runId}&metric_key=loss&page_token=${Buffer.from('{"after":[1,"x",2]}').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body)).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'page_token'") });
  });

  it('a client that goes away mid-stream stops the reading, and the server answers the next request', async () => {
    const tracking = server.running.app.tracking;
    const original = tracking.metricSlices.bind(tracking);
    let pointsRead = 0;
    const spy = vi.spyOn(tracking, 'metricSlices').mockImplementation((...args) => {
      const slices = original(...args);
      return {
        next: (limit: number): PointTuple[] => {
          const rows = slices.next(limit);
          pointsRead += rows.length;
          return rows;
        },
        cursor: () => slices.cursor(),
        skipSome: () => slices.skipSome(),
      };
    });
    try {
      const port = Number(new URL(server.url).port);
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`, headers: { authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      });
      // Let the server notice, then check that it reads no further.
      let before = -1;
      for (let i = 0; i < 50 && before !== pointsRead; i++) {
        before = pointsRead;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pointsRead).toBe(before);
      expect(pointsRead).toBeLessThan(COUNT);
    } finally {
      spy.mockRestore();
    }
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const page = JSON.parse((await get(`metrics/get-history?run_id=${runId}&metric_key=loss&max_results=3`)).body) as { metrics: unknown[] };
    expect(page.metrics).toEqual(expected.slice(0, 3));
  });
});
