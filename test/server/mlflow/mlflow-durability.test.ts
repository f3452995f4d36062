import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/test-server';
import { tempDir } from '../../helpers/temp-dir';

describe('ingest under load', () => {
  it('32 clients logging at once: every request succeeds and no point is lost', async () => {
    const server = await startTestServer();
    try {
      const exp = (await server.mlflow('experiments/create', { name: 'load' })).json.experiment_id as string;
      const clients = 32;
      const batches = 20;
      const perBatch = 100;
      const runIds = await Promise.all(
        Array.from({ length: clients }, async (_, i) => ((await server.mlflow('runs/create', { experiment_id: exp, run_name: `c${i}` })).json.run as { info: { run_id: string } }).info.run_id),
      );
      const statuses = await Promise.all(
        runIds.map(async (runId, client) => {
          const seen: number[] = [];
          for (let b = 0; b < batches; b++) {
            const metrics = Array.from({ length: perBatch }, (_, i) => ({ key: 'loss', value: client + i / 1000, timestamp: Date.now(), step: b * perBatch + i }));
            seen.push((await server.mlflow('runs/log-batch', { run_id: runId, metrics })).status);
          }
          return seen;
        }),
      );
      expect(statuses.flat().every((s) => s === 200)).toBe(true);
      for (const runId of runIds) {
        const history = await server.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss`);
        expect((history.json.metrics as unknown[]).length).toBe(batches * perBatch);
      }
    } finally {
      await server.close();
    }
  });
});

describe('durability', () => {
  it('a server killed with SIGKILL mid-ingest loses no point it acknowledged', async () => {
    const dataDir = tempDir();
    const { child, url } = await spawnServer(dataDir);
    const call = async (p: string, body: unknown) =>
      (await fetch(`${url}/api/2.0/mlflow/${p}`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
    const exp = (await call('experiments/create', { name: 'crash' })).experiment_id as string;
    const runId = ((await call('runs/create', { experiment_id: exp })).run as { info: { run_id: string } }).info.run_id;

    const acknowledged: number[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const step = w * 1_000_000 + i;
        try {
          const res = await fetch(`${url}/api/2.0/mlflow/runs/log-metric`, {
            method: 'POST',
            headers: { authorization: 'Bearer k' },
            body: JSON.stringify({ run_id: runId, key: 'loss', value: i, timestamp: 1, step }),
          });
          if (res.status === 200) acknowledged.push(step);
        } catch {
          return; // the server is gone
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await exited;
    expect(acknowledged.length).toBeGreaterThan(50);

    const db = new BetterSqlite3(path.join(dataDir, 'orrery.db'), { readonly: true });
    const stored = new Set(
      (db.prepare('SELECT p.step FROM metric_points p JOIN metric_series s ON s.series_id = p.series_id WHERE s.run_id = ?').all(runId) as Array<{ step: number }>).map((r) => r.step),
    );
    db.close();
    const lost = acknowledged.filter((step) => !stored.has(step));
    expect(lost).toEqual([]);

    // And the next start takes over the dead process's lock.
    const again = await startTestServer(dataDir);
    expect((await again.mlflow(`metrics/get-history?run_id=${runId}&metric_key=loss`)).json.metrics).toHaveLength(stored.size);
    await again.close();
  });
});

describe('durability of grouped log-batch writes', () => {
  it('SIGKILL right after an acknowledgment: every batch acknowledged to 4 concurrent clients is stored whole after a restart, and no batch is stored in part', async () => {
    const dataDir = tempDir();
    const { child, url } = await spawnServer(dataDir);
    const post = (p: string, body: unknown) => fetch(`${url}/api/2.0/mlflow/${p}`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(body) });
    const exp = ((await (await post('experiments/create', { name: 'crash-batch' })).json()) as { experiment_id: string }).experiment_id;
    const runIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      runIds.push((((await (await post('runs/create', { experiment_id: exp })).json()) as { run: { info: { run_id: string } } }).run.info.run_id));
    }

    // Batches big enough that the WAL is checkpointed while clients write (500 points each).
    const keys = ['loss', 'acc', 'lr', 'grad', 'tput'];
    const steps = 100;
    const killAfter = 80;
    const acknowledged = runIds.map(() => new Set<number>());
    let acks = 0;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const clients = runIds.map(async (runId, c) => {
      for (let b = 0; ; b++) {
        const metrics = keys.flatMap((key, k) => Array.from({ length: steps }, (_, i) => ({ key, value: c * 1000 + k + i / steps, timestamp: 1, step: b * steps + i })));
        try {
          const res = await post('runs/log-batch', { run_id: runId, metrics });
          if (res.status !== 200) throw new Error(`log-batch answered ${res.status}: ${await res.text()}`);
          acknowledged[c]!.add(b);
          // Killed in the same tick as the acknowledgment: nothing after the answer helps it land.
          if (++acks === killAfter) child.kill('SIGKILL');
        } catch (error) {
          if (child.exitCode !== null || child.signalCode !== null || acks >= killAfter) return;
          throw error;
        }
      }
    });
    await Promise.all(clients);
    await exited;
    expect(acks).toBeGreaterThanOrEqual(killAfter);

    const again = await startTestServer(dataDir);
    try {
      for (const [c, runId] of runIds.entries()) {
        for (const key of keys) {
          const res = await again.mlflow(`metrics/get-history?run_id=${runId}&metric_key=${key}`);
          const stored = ((res.json.metrics ?? []) as Array<{ step: number | string }>).map((m) => Number(m.step));
          const batches = new Map<number, number>();
          for (const step of stored) batches.set(Math.floor(step / steps), (batches.get(Math.floor(step / steps)) ?? 0) + 1);
          const missing = [...acknowledged[c]!].filter((b) => batches.get(b) !== steps);
          expect(missing, `run ${c} ${key}: acknowledged batches not stored whole`).toEqual([]);
          const partial = [...batches].filter(([, n]) => n !== steps);
          expect(partial, `run ${c} ${key}: batches stored in part`).toEqual([]);
        }
      }
    } finally {
      await again.close();
    }
  }, 90_000);
});

/** The built server as its own process (token 'k'), to be killed with SIGKILL. */
async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const serverPath = path.resolve(import.meta.dirname, '../../../dist/cli/serve.js');
  const child = spawn(process.execPath, [serverPath, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ORRERY_TOKEN: 'k' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  return { child, url };
}
