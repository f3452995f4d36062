import { spawn } from 'node:child_process';
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
