// The built headless server (dist/cli/serve.js) as a child process, and a small keep-alive
// HTTP client for it. Memory is read from /proc/<pid>/status (Linux).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { root } from './app-bundle.mjs';

export const BENCH_TOKEN = 'orrery-bench-token';
const CLI = path.join(root, 'dist', 'cli', 'serve.js');

/**
 * Starts the server on a free port over `dataDir`. With `cpuProfDir`, node writes a .cpuprofile
 * there when the server stops.
 */
export async function startServer({ dataDir, cpuProfDir } = {}) {
  const nodeArgs = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, CLI, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ORRERY_TOKEN: BENCH_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const openUrl = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL:\n${out}\n${err}`)));
  });
  const baseUrl = openUrl[1];
  const token = decodeURIComponent(openUrl[2]);
  if (token !== BENCH_TOKEN) throw new Error('the server did not take ORRERY_TOKEN');
  const client = new HttpClient(baseUrl, token);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  return {
    baseUrl,
    token,
    pid: child.pid,
    client,
    /** Resident memory now and the process's peak so far, in MB. */
    memory: () => readMemory(child.pid),
    stderr: () => err,
    async stop() {
      client.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function readMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** POST JSON over one keep-alive agent; times are from sending to the last byte of the body. */
export class HttpClient {
  constructor(baseUrl, token, { maxSockets = 1 } = {}) {
    this.url = new URL(baseUrl);
    this.token = token;
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** @returns {Promise<{ status: number, body: Buffer, ms: number }>} */
  post(pathname, body) {
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: pathname,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length, authorization: `Bearer ${this.token}` },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Contract RPC: POST /api/rpc/<method> → { ok, result }; throws on an error envelope. */
  async rpc(method, input) {
    const { status, body, ms } = await this.post(`/api/rpc/${method}`, input);
    const envelope = JSON.parse(body.toString('utf8'));
    if (!envelope.ok) throw new Error(`${method} failed (${status}): ${JSON.stringify(envelope.error)}`);
    return { result: envelope.result, ms, bytes: body.length };
  }

  /** MLflow REST: POST /api/2.0/mlflow/<path>; throws unless 200. */
  async mlflow(pathname, input) {
    const { status, body, ms } = await this.post(`/api/2.0/mlflow/${pathname}`, input);
    const text = body.toString('utf8');
    if (status !== 200) throw new Error(`${pathname} failed (${status}): ${text.slice(0, 500)}`);
    return { result: JSON.parse(text), ms, bytes: body.length };
  }

  close() {
    this.agent.destroy();
  }
}
