import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/test-server';

let server: TestServer;
let experimentId: string;
let runId: string;
beforeEach(async () => {
  server = await startTestServer();
  experimentId = (await server.mlflow('experiments/create', { name: 'art' })).json.experiment_id as string;
  runId = ((await server.mlflow('runs/create', { experiment_id: experimentId })).json.run as { info: { run_id: string } }).info.run_id;
});
afterEach(async () => {
  await server.close();
});

/** A raw request, path sent exactly as written (fetch would normalise "..", this does not). */
const raw = (method: string, rawPath: string, body?: string) => server.raw(method, rawPath, body);

const base = () => `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;

describe('MLflow artifacts', () => {
  it('upload, download, list (both endpoints) and delete', async () => {
    expect((await raw('PUT', `${base()}/model/notes.txt`, 'hello')).status).toBe(200);
    expect(await raw('GET', `${base()}/model/notes.txt`)).toEqual({ status: 200, body: 'hello' });
    const listing = await raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${experimentId}/${runId}/artifacts/model`)}`);
    expect(JSON.parse(listing.body)).toEqual({ files: [{ path: 'notes.txt', is_dir: false, file_size: 5 }] });
    expect((await server.mlflow(`artifacts/list?run_id=${runId}`)).json).toEqual({
      root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      files: [{ path: 'model', is_dir: true }],
    });
    expect((await server.mlflow(`artifacts/list?run_id=${runId}&path=model`)).json.files).toEqual([{ path: 'model/notes.txt', is_dir: false, file_size: 5 }]);
    expect((await raw('DELETE', `${base()}/model/notes.txt`)).status).toBe(200);
    expect((await raw('GET', `${base()}/model/notes.txt`)).status).toBe(404);
  });

  it('lists a folder larger than one written slice whole, in order, as one JSON answer', async () => {
    expect((await raw('PUT', `${base()}/many/seed.txt`, 'x')).status).toBe(200);
    const folder = path.join(server.dataDir, 'artifacts', experimentId, runId, 'artifacts', 'many');
    expect(fs.existsSync(folder)).toBe(true);
    const names = Array.from({ length: 12_345 }, (_, i) => `f${String(i).padStart(5, '0')}.txt`);
    for (const name of names) fs.writeFileSync(path.join(folder, name), 'ab');
    const listed = (await server.mlflow(`artifacts/list?run_id=${runId}&path=many`)).json as { root_uri: string; files: Array<{ path: string; is_dir: boolean; file_size?: number }> };
    expect(listed.root_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    expect(listed.files).toHaveLength(12_346);
    expect(listed.files.slice(0, 2)).toEqual([
      { path: 'many/f00000.txt', is_dir: false, file_size: 2 },
      { path: 'many/f00001.txt', is_dir: false, file_size: 2 },
    ]);
    expect(listed.files.at(-1)).toEqual({ path: 'many/seed.txt', is_dir: false, file_size: 1 });
    expect(listed.files.map((f) => f.path)).toEqual([...names.map((n) => `many/${n}`), 'many/seed.txt']);
  });

  const traversals = [
    '../../../etc/passwd',
    '%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '%2E%2E%2f%2E%2E%2fetc%2fpasswd',
    '%252e%252e/%252e%252e/etc/passwd',
    '..%5c..%5cetc%5cpasswd',
    'model\\..\\..\\secret',
    '/etc/passwd',
    'C:%5cWindows%5cwin.ini',
    'c:/windows/win.ini',
    'model/notes.txt%00.png',
    'model/x%23y',
    'model/x;y',
    '%2fetc%2fpasswd',
  ];

  it.each(traversals)('refuses %s with a 400 before touching any file', async (trick) => {
    const outside = path.join(server.dataDir, 'artifacts', 'sentinel.txt');
    fs.mkdirSync(path.dirname(outside), { recursive: true });
    fs.writeFileSync(outside, 'keep');
    const before = snapshot(server.dataDir);
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const res = await raw(method, `${base()}/${trick}`, method === 'PUT' ? 'evil' : undefined);
      expect(res.status, `${method} ${trick}: ${res.body}`).toBe(400);
      expect(JSON.parse(res.body).error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const listed = await raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${experimentId}/${runId}/artifacts/${decodeURIComponent(trick.replaceAll('%25', '%2525'))}`)}`);
    expect(listed.status).toBeGreaterThanOrEqual(400);
    expect(snapshot(server.dataDir)).toEqual(before);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
  });

  it('refuses an artifact path naming a run of another experiment', async () => {
    const res = await raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/x.txt`, 'x');
    expect(res.status).toBe(404);
  });
});

/** Every file under a folder with its size, to prove nothing changed. */
function snapshot(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.startsWith('orrery.db')) out[path.relative(dir, full)] = fs.statSync(full).size;
    }
  };
  walk(dir);
  return out;
}
