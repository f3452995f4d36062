import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServerProcess, type ServerProcess } from './server-process';

/**
 * The built app (dist/cli/serve.js) as its own process, for serving tests against real replica
 * containers: RPC calls that throw on refusal, requests to a deployment's stable URL, a steady
 * request loop, and the replica containers Docker holds for this data dir.
 */
const execFileAsync = promisify(execFile);
export const SERVING_TOKEN = 'serving-test-token';

export interface ServingServer extends ServerProcess {
  dataDir: string;
  /** An RPC call's result; throws `CODE: message` when it is refused. */
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  /** An RPC call's refusal: its code and message (throws when the call succeeds). */
  refusal(method: string, input?: unknown): Promise<{ code: string; message: string }>;
  /** SIGTERM, as closing Orrery does, and wait until the process is gone. */
  stop(): Promise<void>;
}

export async function startServingServer(dataDir: string): Promise<ServingServer> {
  const server = await startServerProcess(dataDir, SERVING_TOKEN);
  return {
    ...server,
    dataDir,
    async call<T>(method: string, input: unknown = {}) {
      const { body } = await server.rpc<T>(method, input);
      if (!body.ok) throw new Error(`${method} refused: ${body.error?.code}: ${body.error?.message}`);
      return body.result as T;
    },
    async refusal(method, input = {}) {
      const { body } = await server.rpc(method, input);
      if (body.ok) throw new Error(`${method} succeeded, but a refusal was expected`);
      return body.error!;
    },
    async stop() {
      const child = server.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The label value Orrery gives every replica of one data dir (sha256 of its path, as serving-area.ts computes it). */
export function storeIdOf(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
}

async function docker(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('docker', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface ReplicaContainer {
  id: string;
  name: string;
  state: string;
  deployment: string;
  replicaId: string;
}

/** Replica containers (running or not) of this data dir's Orrery, optionally of one deployment. */
export async function replicaContainers(dataDir: string, deployment?: string): Promise<ReplicaContainer[]> {
  const filters = ['--filter', `label=dev.orrery.serving.store=${storeIdOf(dataDir)}`];
  if (deployment) filters.push('--filter', `label=dev.orrery.serving.deployment=${deployment}`);
  const format = '{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "dev.orrery.serving.deployment"}}\t{{.Label "dev.orrery.serving.replica"}}';
  const out = await docker(['ps', '-a', ...filters, '--format', format]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name, state, dep, replicaId] = line.split('\t');
      return { id: id!, name: name!, state: state!, deployment: dep!, replicaId: replicaId! };
    });
}

/** Removes every replica container of this data dir's Orrery (afterAll, whatever happened). */
export async function removeReplicaContainers(dataDir: string): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=dev.orrery.serving.store=${storeIdOf(dataDir)}`])).split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids]).catch(() => undefined);
}

export async function dockerKill(containerId: string): Promise<void> {
  await docker(['kill', containerId]);
}

export interface Scored {
  /** 0 when no answer came (connection refused or reset). */
  status: number;
  version: string | null;
  requestId: string | null;
  body: string;
  ms: number;
}

/** One request to a deployment's URL; never throws (a failed connection is status 0). */
export async function score(url: string, body: string, headers: Record<string, string> = {}): Promise<Scored> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, version: res.headers.get('x-orrery-version'), requestId: res.headers.get('x-request-id'), body: text, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, version: null, requestId: null, body: error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error), ms: performance.now() - started };
  }
}

export interface Load {
  /** Answers so far. */
  readonly results: Scored[];
  /** Stops the loop and resolves with every answer it got. */
  stop(): Promise<Scored[]>;
}

/** A loop of requests, one after another with `gapMs` between them, until stopped. */
export function steadyLoad(url: string, body: string | (() => string), gapMs = 20): Load {
  const results: Scored[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      results.push(await score(url, typeof body === 'function' ? body() : body));
      if (gapMs > 0) await sleep(gapMs);
    }
  })();
  return {
    results,
    async stop() {
      running = false;
      await loop;
      return results;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something other than undefined or false; fails after `ms` with `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}
