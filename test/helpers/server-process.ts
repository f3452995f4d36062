import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The built headless server (dist/cli/serve.js, built by test/global-setup.ts) as its own
 * process, so a test can kill it with SIGKILL mid-operation, as a crash or power cut would.
 */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string;
  output(): string;
  /** POST /api/rpc/<method>; resolves with the HTTP status and body, or rejects when the process dies first. */
  rpc<T = unknown>(method: string, input?: unknown): Promise<{ status: number; body: { ok: boolean; result?: T; error?: { code: string; message: string } } }>;
  /** SIGKILL, and wait until the process is gone. */
  kill9(): Promise<void>;
}

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/serve.js');

export async function startServerProcess(dataDir: string, token = 'crash-test-token'): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ORRERY_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL in 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    url,
    token,
    output: () => out,
    async rpc(method, input = {}) {
      const res = await fetch(`${url}/api/rpc/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` every few milliseconds until it returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
