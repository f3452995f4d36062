import http from 'node:http';
import type { Database } from 'better-sqlite3';
import { startOrrery, type Running } from '../../electron/server/start-orrery';
import { openDatabase } from '../../electron/services/store/database';
import { offlineDockerEngine } from '../fakes/docker-engine';
import { fakeNvidiaGpuReader } from '../fakes/nvidia-gpu-reader';
import { tempDir } from './temp-dir';

export const TEST_TOKEN = 'test-token';

export interface TestServer {
  running: Running;
  url: string;
  dataDir: string;
  /** An MLflow REST call: GET with a query string, or POST with a JSON body. */
  mlflow(path: string, body?: unknown, init?: { method?: string; raw?: string }): Promise<{ status: number; json: Record<string, unknown> }>;
  rpc<T = unknown>(method: string, input?: unknown): Promise<{ status: number; body: { ok: boolean; result?: T; error?: { code: string; message: string } } }>;
  /** A request with its path sent exactly as written (fetch would normalise ".."), with the token. */
  raw(method: string, rawPath: string, body?: string): Promise<{ status: number; body: string }>;
  /**
   * A second connection to the server's store, as another process (the command line, an older
   * Orrery) would open it: for tests that write or read rows behind the app's back. Closed by close().
   */
  store(): Database;
  close(): Promise<void>;
}

/** The real app and HTTP server on a free port and a temp data dir (Docker and GPUs stubbed out). */
export async function startTestServer(dataDir = tempDir()): Promise<TestServer> {
  const running = await startOrrery({
    dataDir,
    mode: 'headless',
    port: 0,
    token: TEST_TOKEN,
    staticDir: tempDir(),
    docker: offlineDockerEngine(),
    nvidia: fakeNvidiaGpuReader({ error: 'no nvidia-smi in tests' }),
  });
  const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
  let store: Database | undefined;
  return {
    running,
    url: running.url,
    dataDir,
    async mlflow(path, body, init = {}) {
      const method = init.method ?? (body === undefined && init.raw === undefined ? 'GET' : 'POST');
      const res = await fetch(`${running.url}/api/2.0/mlflow/${path}`, {
        method,
        headers,
        body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async rpc(method, input = {}) {
      const res = await fetch(`${running.url}/api/rpc/${method}`, { method: 'POST', headers, body: JSON.stringify(input) });
      return { status: res.status, body: (await res.json()) as never };
    },
    raw(method, rawPath, body) {
      const port = Number(new URL(running.url).port);
      return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers: { authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    store() {
      store ??= openDatabase({ dataDir }).db;
      return store;
    },
    close: async () => {
      store?.close();
      await running.stop();
    },
  };
}
