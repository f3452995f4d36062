import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, mlflowPost, openAppPage, rpcPost } from './browser';
import { freePort, startServe, type ServeProcess } from './serve-process';

export { collectPageErrors, screenshotPath, screenshotWhole } from './browser';

/**
 * What every browser test starts: `npm run serve` on a free port and its own data dir, and
 * Chromium. `useE2eApp` starts it before the describe's tests and stops it after them;
 * `startE2eApp` is for a test that needs one of its own (other settings) and stops it itself.
 */
export interface E2eAppOptions {
  /** Names the temp data dir (orrery-e2e-<name>-…), removed at close. */
  name: string;
  /** ORRERY_TOKEN; else the server makes one up (read back from the URL it prints). */
  token?: string;
  /** More environment for the server (DOCKER_HOST, PATH, …). */
  env?: NodeJS.ProcessEnv;
  /** A data dir to use (and keep) instead of a fresh temp one. */
  dataDir?: string;
  /** Fills the data dir before the server starts on it. */
  seed?: (dataDir: string) => Promise<void>;
}

export interface E2eApp {
  readonly serve: ServeProcess;
  readonly browser: Browser;
  readonly dataDir: string;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly token: string;
  /** A POST to the MLflow REST API, failing loudly on an error answer. */
  mlflow<T>(endpoint: string, body: unknown): Promise<T>;
  /** A call of the app's own API (POST /api/rpc/<method>): its result, or an error naming the method, code and message. */
  rpc<T>(method: string, input: unknown): Promise<T>;
  /** PUT of one artifact file of a run, as the MLflow client uploads it. */
  putArtifact(experimentId: string, runId: string, file: string, body: string | Buffer): Promise<void>;
  /** A new page signed in and moved to `hash`, with its page errors collected (`expectedErrors` let through). */
  openPage(hash: string, options?: { expectedErrors?: RegExp; viewport?: { width: number; height: number } }): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/**
 * Closes, once the file's tests are done, what a timed-out test left running: `npm run serve` is
 * its own process group and would outlive the test process.
 */
const stillOpen = new Set<() => Promise<void>>();
afterAll(async () => {
  for (const close of [...stillOpen]) await close();
});

export async function startE2eApp(browserPath: string, options: E2eAppOptions): Promise<E2eApp> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `orrery-e2e-${options.name}-`));
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    stillOpen.delete(close);
    await browser?.close();
    await serve?.stop();
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  stillOpen.add(close);
  try {
    await options.seed?.(dataDir);
    const env = { ...(options.token === undefined ? {} : { ORRERY_TOKEN: options.token }), ...options.env };
    serve = await startServe(['--port', String(await freePort()), '--data-dir', dataDir], env);
    browser = await launchChromium(browserPath);
  } catch (error) {
    await close();
    throw error;
  }
  const started = serve;
  const openUrl = new URL(started.openUrl);
  const origin = openUrl.origin;
  const token = options.token ?? decodeURIComponent(openUrl.hash.replace('#token=', ''));
  return {
    serve: started,
    browser,
    dataDir,
    origin,
    token,
    mlflow: <T>(endpoint: string, body: unknown) => mlflowPost<T>(origin, token, endpoint, body),
    rpc: <T>(method: string, input: unknown) => rpcPost<T>(origin, token, method, input),
    async putArtifact(experimentId, runId, file, body) {
      const res = await fetch(`${origin}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      if (!res.ok) throw new Error(`PUT ${file}: ${res.status} ${await res.text()}`);
    },
    openPage: (hash, pageOptions = {}) => openAppPage(browser, started.openUrl, hash, pageOptions.expectedErrors, pageOptions.viewport),
    close,
  };
}

/**
 * The app for a whole describe block: started in its beforeAll (hooks the block adds after this
 * call run after it, so they can seed through `mlflow`), closed in its afterAll. Its fields are
 * readable from the tests and hooks, once started.
 */
export function useE2eApp(browserPath: string | null, options: E2eAppOptions, startTimeoutMs?: number): E2eApp {
  let app: E2eApp | undefined;
  const started = (): E2eApp => {
    if (!app) throw new Error('the e2e app is not started: use it inside tests and hooks');
    return app;
  };
  beforeAll(async () => {
    app = await startE2eApp(browserPath!, options);
  }, startTimeoutMs);
  afterAll(async () => {
    await app?.close();
  });
  return {
    get serve() {
      return started().serve;
    },
    get browser() {
      return started().browser;
    },
    get dataDir() {
      return started().dataDir;
    },
    get origin() {
      return started().origin;
    },
    get token() {
      return started().token;
    },
    mlflow: <T>(endpoint: string, body: unknown) => started().mlflow<T>(endpoint, body),
    rpc: <T>(method: string, input: unknown) => started().rpc<T>(method, input),
    putArtifact: (...args) => started().putArtifact(...args),
    openPage: (...args) => started().openPage(...args),
    close: () => started().close(),
  };
}
