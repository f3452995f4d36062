import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IntegrityStatus } from '../../shared/contract/app';
import { DATABASE_FILE } from '../../electron/services/store/database';
import { damageLeafPage } from '../helpers/damaged-store';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { tempDir } from '../helpers/temp-dir';

const servers: TestServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) await server.close();
});

async function start(dataDir?: string): Promise<TestServer> {
  const server = await startTestServer(dataDir);
  servers.push(server);
  return server;
}

async function integrity(server: TestServer): Promise<IntegrityStatus> {
  const { status, body } = await server.rpc<IntegrityStatus>('app.getIntegrity');
  expect(status).toBe(200);
  return body.result!;
}

describe('start-up integrity check of the store', () => {
  it('reports a healthy store as ok', async () => {
    const server = await start();
    await expect.poll(async () => (await integrity(server)).state).toBe('ok');
    expect((await integrity(server)).databaseFile).toBe(path.join(server.dataDir, DATABASE_FILE));
  });

  it('starts on a store with a damaged data page, answers /api/health, and reports the damage on stderr and to the UI', { timeout: 60_000 }, async () => {
    // A store with real data: 20,000 metric points in one run.
    const dataDir = tempDir();
    const first = await start(dataDir);
    const exp = await first.mlflow('experiments/create', { name: 'damaged' });
    const run = await first.mlflow('runs/create', { experiment_id: exp.json.experiment_id, start_time: 1 });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    for (let batch = 0; batch < 20; batch++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: 1000 + i, step: batch * 1000 + i }));
      expect((await first.mlflow('runs/log-batch', { run_id: runId, metrics })).status).toBe(200);
    }
    await first.close();
    servers.length = 0;
    const file = path.join(dataDir, DATABASE_FILE);
    damageLeafPage(file, 'metric_points');

    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    const server = await start(dataDir);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);

    await expect.poll(async () => (await integrity(server)).state, { timeout: 30_000 }).toBe('damaged');
    const status = await integrity(server);
    expect(status.message).toContain(`The database ${file} is damaged`);
    expect(status.message).toMatch(/restore orrery\.db from a backup/);
    expect(status.message).toContain('another --data-dir');
    expect(status.problems.length).toBeGreaterThan(0);
    expect(errors).toContain(`Orrery: ${status.message}`);

    // The rest of the store still answers.
    expect((await server.rpc('app.getInfo')).status).toBe(200);
    expect((await server.mlflow(`experiments/get?experiment_id=${exp.json.experiment_id as string}`)).status).toBe(200);
  });
});
