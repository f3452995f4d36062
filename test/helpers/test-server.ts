import { startOrrery, type Running } from '../../electron/server/start-orrery';
import type { DockerEngineClient } from '../../electron/services/docker/docker-engine';
import { tempDir } from './temp-dir';

export const TEST_TOKEN = 'test-token';

export interface TestServer {
  running: Running;
  url: string;
  dataDir: string;
  /** An MLflow REST call: GET with a query string, or POST with a JSON body. */
  mlflow(path: string, body?: unknown, init?: { method?: string; raw?: string }): Promise<{ status: number; json: Record<string, unknown> }>;
  rpc<T = unknown>(method: string, input?: unknown): Promise<{ status: number; body: { ok: boolean; result?: T; error?: { code: string; message: string } } }>;
  close(): Promise<void>;
}

const offlineDocker: DockerEngineClient = {
  endpoint: 'unix:///nonexistent/docker.sock',
  info: () => Promise.reject(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' })),
  apiVersion: async () => null,
};

/** The real app and HTTP server on a free port and a temp data dir (Docker and GPUs stubbed out). */
export async function startTestServer(dataDir = tempDir()): Promise<TestServer> {
  const running = await startOrrery({
    dataDir,
    mode: 'headless',
    port: 0,
    token: TEST_TOKEN,
    staticDir: tempDir(),
    docker: offlineDocker,
    nvidia: { readGpus: async () => ({ gpus: [], error: 'no nvidia-smi in tests' }), readSamples: async () => [] },
  });
  const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
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
    close: () => running.stop(),
  };
}
