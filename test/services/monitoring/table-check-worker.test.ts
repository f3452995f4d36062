import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InlineCompute, WorkerCompute } from '../../../electron/services/monitoring/compute/monitoring-compute';
import type { TypedColumn, TypedTable } from '../../../electron/services/monitoring/compute/typed-table';

/**
 * The built monitoring worker (dist/workers/monitoring-worker.cjs) with its peer thread: a typed
 * table streamed into a profile, then a check large enough to be split over both threads, gives
 * the report the same work gives inline on one thread.
 */
const WORKER = path.resolve('dist/workers/monitoring-worker.cjs');

function table(rows: number, seed: number, shift: number): TypedTable {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const columns: TypedColumn[] = [];
  for (let j = 0; j < 8; j++) {
    columns.push({ name: `n${j}`, kind: 'numeric', numbers: Float64Array.from({ length: rows }, (_, i) => (i % 101 === 0 ? Number.NaN : uniform() * 10 + (j % 2 ? shift : 0))) });
  }
  for (let j = 0; j < 3; j++) {
    const categories = Array.from({ length: 4 + j }, (_, c) => `k${c}`);
    columns.push({ name: `c${j}`, kind: 'categorical', codes: Int32Array.from({ length: rows }, () => Math.floor(uniform() ** (1 + shift) * categories.length)), categories });
  }
  return { rows, columns };
}

describe('a table check in the worker and its peer thread', () => {
  it('streams a reference in chunks and splits a large check, with the inline answer', async () => {
    const worker = new WorkerCompute(WORKER);
    const inline = new InlineCompute();
    try {
      const settings = { driftShare: 0.5, minRows: 30, methods: { n2: { method: 'ks' as const, threshold: null } } };
      const profiles = [];
      for (const compute of [worker, inline]) {
        await compute.run({ type: 'profile-chunk', stream: 'ref', table: table(20_000, 1, 0), kinds: {}, finish: false });
        profiles.push(await compute.run({ type: 'profile-chunk', stream: 'ref', table: table(20_000, 2, 0), kinds: {}, finish: true }));
      }
      expect(profiles[0]!.summary).toEqual(profiles[1]!.summary);
      expect(profiles[0]!.summary.rows).toBe(40_000);
      const current = table(60_000, 3, 0.5);
      const viaWorker = await worker.run({ type: 'check-table', profileKey: 'p', profile: profiles[0]!.profile, table: current, settings });
      const viaInline = await inline.run({ type: 'check-table', profileKey: 'p', profile: profiles[1]!.profile, table: current, settings });
      const untimed = (r: typeof viaWorker) => ({ ...r, report: { ...r.report, tookMs: 0 } });
      expect(untimed(viaWorker)).toEqual(untimed(viaInline));
      expect(viaWorker.report.driftedColumns).toBe(7);
      expect(viaWorker.report.columns.find((c) => c.column === 'n2')!.method).toBe('ks');
      // The profile is cached by key: a second check sends none.
      const again = await worker.run({ type: 'check-table', profileKey: 'p', profile: null, table: current, settings });
      expect(again.report.columns.map((c) => c.statistic)).toEqual(viaInline.report.columns.map((c) => c.statistic));
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('refuses a malformed table by field, and the worker goes on', async () => {
    const worker = new WorkerCompute(WORKER);
    try {
      const bad: TypedTable = { rows: 3, columns: [{ name: 'c', kind: 'categorical', codes: Int32Array.from([0, 5, 0]), categories: ['a'] }] };
      await expect(worker.run({ type: 'profile-chunk', stream: 's', table: bad, kinds: {}, finish: true })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining("table.columns[0] ('c').codes[1]: 5"),
      });
      const good = await worker.run({ type: 'profile-chunk', stream: 's', table: table(100, 4, 0), kinds: {}, finish: true });
      expect(good!.summary.rows).toBe(100);
    } finally {
      await worker.close();
    }
  }, 60_000);
});
