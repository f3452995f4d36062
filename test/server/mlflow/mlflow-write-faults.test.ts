import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, type SmallDisk } from '../../helpers/small-disk';
import { startTestServer, type TestServer } from '../../helpers/test-server';

async function newRun(server: TestServer, experimentId: string, name: string): Promise<string> {
  const created = await server.mlflow('runs/create', { experiment_id: experimentId, run_name: name });
  return (created.json.run as { info: { run_id: string } }).info.run_id;
}

async function history(server: TestServer, runId: string, key: string): Promise<Array<{ value: number; step: number }>> {
  const res = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=${key}`);
  expect(res.status).toBe(200);
  return ((res.json.metrics ?? []) as Array<{ value: number; step: string | number }>).map((m) => ({ value: m.value, step: Number(m.step) }));
}

describe('steps and timestamps outside the exact integer range', () => {
  it.each([
    ['step', { step: '-9223372036854775808' }],
    ['step', { step: 2 ** 53 }],
    ['step', { step: '9007199254740993' }],
    ['timestamp', { timestamp: -(2 ** 63) }],
  ])('are refused with 400 naming %s, and the next writes land in their own series', async (field, extra) => {
    const server = await startTestServer();
    try {
      const exp = (await server.mlflow('experiments/create', { name: 'range' })).json.experiment_id as string;
      const a = await newRun(server, exp, 'a');
      const b = await newRun(server, exp, 'b');
      const refused = await server.mlflow('runs/log-metric', { run_id: a, key: 'loss', value: 1, timestamp: 5, step: 0, ...extra });
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
      expect(String(refused.json.message)).toContain(`'${field}'`);
      expect((await server.mlflow('runs/log-metric', { run_id: b, key: 'acc', value: 0.9, timestamp: 5, step: 1 })).status).toBe(200);
      expect((await server.mlflow('runs/log-metric', { run_id: a, key: 'loss', value: 0.3, timestamp: 5, step: 1 })).status).toBe(200);
      expect(await history(server, b, 'acc')).toEqual([{ value: 0.9, step: 1 }]);
      expect(await history(server, a, 'loss')).toEqual([{ value: 0.3, step: 1 }]);
    } finally {
      await server.close();
    }
  });
});

describe('one bad write among many', () => {
  it('fails alone: 30 clients logging beside a write SQLite refuses all succeed, and every point is stored', async () => {
    const server = await startTestServer();
    try {
      const exp = (await server.mlflow('experiments/create', { name: 'poison' })).json.experiment_id as string;
      const runIds = await Promise.all(Array.from({ length: 30 }, (_, i) => newRun(server, exp, `good-${i}`)));
      const poisoned = await newRun(server, exp, 'poisoned');
      // A write that passes every check and fails inside SQLite, as a full disk or a constraint would.
      const side = new BetterSqlite3(path.join(server.dataDir, 'orrery.db'));
      side.exec('CREATE TRIGGER refuse_poison BEFORE INSERT ON metric_series WHEN NEW.key = \'poison\' BEGIN SELECT RAISE(ABORT, \'refused\'); END');
      side.close();

      const batches = 10;
      const good = runIds.map(async (runId, client) => {
        const statuses: number[] = [];
        for (let b = 0; b < batches; b++) {
          const metrics = Array.from({ length: 50 }, (_, i) => ({ key: 'loss', value: client + i / 100, timestamp: 1, step: b * 50 + i }));
          statuses.push((await server.mlflow('runs/log-batch', { run_id: runId, metrics })).status);
        }
        return statuses;
      });
      const bad = Array.from({ length: batches }, async (_, b) => (await server.mlflow('runs/log-batch', { run_id: poisoned, metrics: [{ key: 'poison', value: 1, timestamp: 1, step: b }] })).status);
      const [goodStatuses, badStatuses] = await Promise.all([Promise.all(good), Promise.all(bad)]);
      expect(goodStatuses.flat().filter((s) => s !== 200)).toEqual([]);
      expect(badStatuses.every((s) => s === 500)).toBe(true);
      for (const [client, runId] of runIds.entries()) {
        const points = await history(server, runId, 'loss');
        expect(points).toHaveLength(batches * 50);
        expect(points.every((p) => Math.floor(p.value) === client)).toBe(true);
      }
      expect(await history(server, poisoned, 'poison')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('fails alone when its own checks refuse it: a batch changing a param, sent among concurrent batches of the same run and of others, stores none of its metrics', async () => {
    const server = await startTestServer();
    try {
      const exp = (await server.mlflow('experiments/create', { name: 'refused' })).json.experiment_id as string;
      const runIds = await Promise.all(Array.from({ length: 4 }, (_, i) => newRun(server, exp, `run-${i}`)));
      expect((await server.mlflow('runs/log-parameter', { run_id: runIds[0], key: 'lr', value: '0.1' })).status).toBe(200);
      const batches = 10;
      const good = runIds.map(async (runId, client) => {
        const statuses: number[] = [];
        for (let b = 0; b < batches; b++) {
          const metrics = Array.from({ length: 200 }, (_, i) => ({ key: 'loss', value: client + i / 1000, timestamp: 1, step: b * 200 + i }));
          statuses.push((await server.mlflow('runs/log-batch', { run_id: runId, metrics, params: [{ key: 'lr', value: client === 0 ? '0.1' : '0.2' }] })).status);
        }
        return statuses;
      });
      // Same run as client 0, a changed param: MLflow refuses the whole batch, its metrics included.
      const refused = Array.from({ length: batches }, async (_, b) =>
        server.mlflow('runs/log-batch', { run_id: runIds[0], metrics: [{ key: 'refused', value: 1, timestamp: 1, step: b }], params: [{ key: 'lr', value: '0.5' }] }),
      );
      const [goodStatuses, refusedAnswers] = await Promise.all([Promise.all(good), Promise.all(refused)]);
      expect(goodStatuses.flat().filter((s) => s !== 200)).toEqual([]);
      for (const answer of refusedAnswers) {
        expect(answer.status).toBe(400);
        expect(String(answer.json.message)).toContain("Changing param values is not allowed. Param with key='lr'");
      }
      for (const [client, runId] of runIds.entries()) {
        const points = await history(server, runId, 'loss');
        expect(points).toHaveLength(batches * 200);
        expect(points.every((p) => Math.floor(p.value) === client)).toBe(true);
      }
      expect(await history(server, runIds[0]!, 'refused')).toEqual([]);
      const run = await server.mlflow(`runs/get?run_id=${runIds[0]}`);
      expect((run.json.run as { data: { params: unknown[] } }).data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    } finally {
      await server.close();
    }
  });
});

describe('a full disk', () => {
  let disk: SmallDisk | null = null;
  beforeAll(() => {
    const mounted = mountSmallDisk(16);
    if ('unavailable' in mounted) console.warn(`\n*** SKIPPING the full-disk test: ${mounted.unavailable}. ***\n`);
    else disk = mounted;
  });
  afterAll(() => disk?.unmount());

  it('answers 507, stores nothing of the refused batch, and after space is freed each run keeps only its own points, also after a restart', async (ctx) => {
    if (!disk) return ctx.skip();
    let server = await startTestServer(disk.dir);
    let exp = '';
    let a = '';
    let b = '';
    try {
      exp = (await server.mlflow('experiments/create', { name: 'full' })).json.experiment_id as string;
      a = await newRun(server, exp, 'a');
      b = await newRun(server, exp, 'b');
      disk.fill();
      // Many new series at once: more pages than the WAL file already holds, so the write needs new space.
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `loss_${i}`, value: i, timestamp: 1, step: 0 }));
      const refused = await server.mlflow('runs/log-batch', { run_id: a, metrics });
      expect(refused.status).toBe(507);
      expect(refused.json).toMatchObject({ error_code: 'RESOURCE_EXHAUSTED' });
      expect(String(refused.json.message)).toMatch(/disk .* is full/);
      disk.free();
      expect((await server.mlflow('runs/log-metric', { run_id: b, key: 'acc', value: 0.9, timestamp: 2, step: 1 })).status).toBe(200);
      expect((await server.mlflow('runs/log-metric', { run_id: a, key: 'loss_0', value: 7, timestamp: 2, step: 1 })).status).toBe(200);
      expect(await history(server, b, 'acc')).toEqual([{ value: 0.9, step: 1 }]);
      expect(await history(server, a, 'loss_0')).toEqual([{ value: 7, step: 1 }]);
      expect(await history(server, a, 'loss_1')).toEqual([]);
    } finally {
      await server.close();
    }
    server = await startTestServer(disk.dir);
    try {
      expect(await history(server, b, 'acc')).toEqual([{ value: 0.9, step: 1 }]);
      expect(await history(server, a, 'loss_0')).toEqual([{ value: 7, step: 1 }]);
    } finally {
      await server.close();
    }
  });
});
