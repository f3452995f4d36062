import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PARTIAL_PREFIX } from '../../../electron/services/tracking/artifact-store';
import { startServerProcess, waitFor, type ServerProcess } from '../../helpers/server-process';
import { tempDir } from '../../helpers/temp-dir';
import { startTestServer, type TestServer } from '../../helpers/test-server';

/**
 * kill -9 of a real Orrery (dist/cli/serve.js) while a client uploads an artifact, then Orrery
 * started again on the same data dir: the partial file is gone and reported, the run's artifacts
 * list as before, and the upload can be made again.
 */

const children: ServerProcess[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill9();
  for (const server of servers.splice(0)) await server.close();
});

async function mlflow(url: string, token: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/2.0/mlflow/${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function artifactPut(url: string, token: string, artifactPath: string, body: string): Promise<number> {
  const res = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body });
  await res.body?.cancel();
  return res.status;
}

/** Every file under `dir` (relative paths). */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('kill -9 during an artifact upload', { timeout: 90_000 }, () => {
  it('leaves a partial file that the next start removes and reports; the run lists its artifacts and takes the upload again', async () => {
    const dataDir = tempDir();
    const orrery = await startServerProcess(dataDir);
    children.push(orrery);
    const experimentId = (await mlflow(orrery.url, orrery.token, 'experiments/create', { name: 'crash' })).experiment_id as string;
    const runId = ((await mlflow(orrery.url, orrery.token, 'runs/create', { experiment_id: experimentId })).run as { info: { run_id: string } }).info.run_id;
    const base = `${experimentId}/${runId}/artifacts`;
    expect(await artifactPut(orrery.url, orrery.token, `${base}/metrics.json`, '{"acc": 0.9}')).toBe(200);

    // An upload whose body stops half-way: the server is writing it to a partial file.
    const { port } = new URL(orrery.url);
    const upload = http.request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/api/2.0/mlflow-artifacts/artifacts/${base}/model/weights.bin`,
      headers: { authorization: `Bearer ${orrery.token}`, 'content-length': String(4 * 1024 * 1024) },
    });
    upload.on('error', () => undefined);
    upload.write(Buffer.alloc(256 * 1024, 7));
    const runArtifacts = path.join(dataDir, 'artifacts', experimentId, runId, 'artifacts');
    const partial = await waitFor('the partial file of the upload', () => {
      const dir = path.join(runArtifacts, 'model');
      const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((n) => n.startsWith(PARTIAL_PREFIX)) : undefined;
      return name && fs.statSync(path.join(dir, name)).size > 0 ? path.join(dir, name) : undefined;
    });
    await orrery.kill9();
    upload.destroy();
    expect(files(runArtifacts)).toEqual(['metrics.json', path.relative(runArtifacts, partial)]);

    const again = await startTestServer(dataDir);
    servers.push(again);
    const report = await again.running.app.startupCleanup;
    expect(report.removed.partialArtifacts).toEqual([partial]);
    expect(report.failed).toEqual([]);
    expect(files(runArtifacts)).toEqual(['metrics.json']);

    const listed = await fetch(`${again.url}/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(base)}`, { headers: { authorization: 'Bearer test-token' } });
    expect(((await listed.json()) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(['metrics.json', 'model']);
    expect(await artifactPut(again.url, 'test-token', `${base}/model/weights.bin`, 'weights')).toBe(200);
    expect(files(runArtifacts)).toEqual(['metrics.json', 'model/weights.bin']);
  });
});
