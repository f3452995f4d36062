import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineCompute, WorkerCompute, type MonitoringCompute } from '../../../electron/services/monitoring/compute/monitoring-compute';
import { watchLoopAndMemory } from '../../helpers/loop-and-memory-watch';

/**
 * The monitoring worker (dist/workers/monitoring-worker.cjs, built by `npm run build`): a check of
 * 200,000 rows × 12 columns runs there while the app's event loop keeps ticking; the same work
 * inline stalls it, which is what the worker is for.
 */
const WORKER = path.resolve('dist/workers/monitoring-worker.cjs');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-monitoring-worker-'));
let reference = '';
let current = '';

function writeCsv(file: string, rows: number, shift: number, seed: number): void {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const header = [...Array.from({ length: 10 }, (_, i) => `n${i}`), 'city', 'plan'].join(',');
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const cells = Array.from({ length: 10 }, (_, i) => (uniform() * 10 + (i < 6 ? shift : 0)).toFixed(4));
    lines.push(`${cells.join(',')},c${Math.floor(uniform() * 30)},${uniform() < 0.5 ? 'free' : 'paid'}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const compare = (compute: MonitoringCompute) => compute.run({ type: 'compare-files', reference, current, kinds: {}, methods: {}, driftShare: 0.5, minRows: 1, target: null });

beforeAll(() => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run npm run build`);
  reference = path.join(root, 'reference.csv');
  current = path.join(root, 'current.csv');
  writeCsv(reference, 200_000, 0, 1);
  writeCsv(current, 200_000, 2, 2);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('monitoring computations run off the main thread', () => {
  it('a large comparison in the worker leaves the event loop free; inline it stalls it', async () => {
    const worker = new WorkerCompute(WORKER);
    try {
      const watch = watchLoopAndMemory(10);
      const started = performance.now();
      const viaWorker = await compare(worker);
      const took = performance.now() - started;
      const { maxStallMs } = watch.stop();
      expect(viaWorker.report.datasetDrift).toBe(true);
      expect(viaWorker.report.driftedColumns).toBe(6);
      expect(took).toBeGreaterThan(300);

      const inlineWatch = watchLoopAndMemory(10);
      const inline = await compare(new InlineCompute());
      const inlineStall = inlineWatch.stop().maxStallMs;
      // Inline, the loop waits for the whole comparison; through the worker only for handing over
      // the answer (a loaded machine's scheduling aside): a fraction of the inline stall.
      expect(inlineStall).toBeGreaterThan(300);
      expect(maxStallMs).toBeLessThan(Math.min(500, inlineStall / 4));
      // Same answer either way.
      expect(inline.report.columns.map((c) => c.statistic)).toEqual(viaWorker.report.columns.map((c) => c.statistic));
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('a bad file fails that request with the file named, and the worker goes on', async () => {
    const worker = new WorkerCompute(WORKER);
    try {
      const empty = path.join(root, 'empty.csv');
      fs.writeFileSync(empty, '');
      await expect(worker.run({ type: 'compare-files', reference: empty, current, kinds: {}, methods: {}, driftShare: 0.5, minRows: 1, target: null })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('empty.csv'),
      });
      const small = path.join(root, 'small.csv');
      writeCsv(small, 100, 0, 3);
      const result = await worker.run({ type: 'compare-files', reference: small, current: small, kinds: {}, methods: {}, driftShare: 0.5, minRows: 1, target: null });
      expect(result.report.datasetDrift).toBe(false);
    } finally {
      await worker.close();
    }
  });
});
