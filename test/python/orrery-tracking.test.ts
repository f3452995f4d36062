import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServe, type ServeProcess } from '../helpers/serve-process';

/**
 * resources/python/orrery_tracking.py, the zero-dependency client for training images without
 * mlflow, run by this machine's python3 against a real `npm run serve`.
 */

const MODULE_DIR = path.resolve(import.meta.dirname, '../../resources/python');
const TOKEN = 't';

/** python3 (3.8+) or a loud skip; ORRERY_REQUIRE_PYTHON=1 turns its absence into a failure. */
function pythonAvailable(): boolean {
  const probe = spawnSync('python3', ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 3)'], { encoding: 'utf8' });
  let reason: string | null = null;
  if (probe.error) reason = `python3 could not be run (${probe.error.message})`;
  else if (probe.status === 3) reason = 'python3 is older than 3.8';
  else if (probe.status !== 0) reason = `python3 failed (${probe.stderr.trim()})`;
  if (reason === null) return true;
  if (process.env.ORRERY_REQUIRE_PYTHON === '1') throw new Error(`ORRERY_REQUIRE_PYTHON=1 but ${reason}`);
  console.warn(`\n*** SKIPPING orrery_tracking.py tests: ${reason}. Set ORRERY_REQUIRE_PYTHON=1 to make this a failure. ***\n`);
  return false;
}

const hasPython = pythonAvailable();

interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunningPython {
  stderr: () => string;
  done: Promise<PythonResult>;
}

/** Runs `script` with python3 in `cwd`, with only the MLFLOW_* variables given here. */
function startPython(script: string, cwd: string, env: Record<string, string>, timeoutMs: number): RunningPython {
  const file = path.join(cwd, `script-${crypto.randomUUID()}.py`);
  fs.writeFileSync(file, script);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MLFLOW_')));
  const started = Date.now();
  const child = spawn('python3', [file], {
    cwd,
    env: { ...inherited, PYTHONPATH: MODULE_DIR, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<PythonResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python ran past ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { stderr: () => stderr, done };
}

const runPython = (script: string, cwd: string, env: Record<string, string>, timeoutMs = 60_000) =>
  startPython(script, cwd, env, timeoutMs).done;

/** The value of a `KEY=value` line the script printed. */
function printed(result: PythonResult, key: string): string {
  const match = new RegExp(`^${key}=(.*)$`, 'm').exec(result.stdout);
  if (!match?.[1]) throw new Error(`the script printed no ${key}=…\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return match[1].trim();
}

const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('orrery_tracking:'));

interface Metric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

interface RunInfo {
  run_id: string;
  experiment_id: string;
  status: string;
  start_time: number;
  end_time?: number;
}

interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}

interface ArtifactList {
  files?: { path: string; is_dir: boolean; file_size?: number }[];
}

/** A small MLflow REST client for the assertions, against one server. */
function mlflowClient(origin: string) {
  const call = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${origin}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const api = {
    async createExperiment(name: string): Promise<string> {
      return (await call<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id;
    },
    async createRun(experimentId: string, runName: string): Promise<string> {
      const created = await call<{ run: Run }>('POST', '/api/2.0/mlflow/runs/create', {
        experiment_id: experimentId,
        run_name: runName,
        start_time: Date.now(),
      });
      return created.run.info.run_id;
    },
    async getRun(runId: string): Promise<Run> {
      return (await call<{ run: Run }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`)).run;
    },
    async history(runId: string, key: string): Promise<Metric[]> {
      const query = `run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}`;
      return (await call<{ metrics?: Metric[] }>('GET', `/api/2.0/mlflow/metrics/get-history?${query}`)).metrics ?? [];
    },
    async listArtifacts(runId: string, artifactPath?: string): Promise<ArtifactList> {
      const query = `run_id=${encodeURIComponent(runId)}${artifactPath === undefined ? '' : `&path=${encodeURIComponent(artifactPath)}`}`;
      return call<ArtifactList>('GET', `/api/2.0/mlflow/artifacts/list?${query}`);
    },
    /** Every file under the run's artifact root, by walking artifacts/list. */
    async allArtifactFiles(runId: string): Promise<Map<string, number | undefined>> {
      const files = new Map<string, number | undefined>();
      const walk = async (dir?: string): Promise<void> => {
        for (const entry of (await api.listArtifacts(runId, dir)).files ?? []) {
          if (entry.is_dir) await walk(entry.path);
          else files.set(entry.path, entry.file_size);
        }
      };
      await walk();
      return files;
    },
    async download(experimentId: string, runId: string, artifactPath: string): Promise<Buffer> {
      const segments = [experimentId, runId, 'artifacts', ...artifactPath.split('/')].map(encodeURIComponent).join('/');
      const res = await fetch(`${origin}/api/2.0/mlflow-artifacts/artifacts/${segments}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (!res.ok) throw new Error(`download ${artifactPath} answered ${res.status}: ${await res.text()}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
  return api;
}

const paramsOf = (run: Run) => Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
const tagsOf = (run: Run) => Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));

/** MLflow itself returns +/-Infinity as +/-DBL_MAX from get-history; the protobuf-JSON strings are also right. */
const isPlusInfinity = (value: number | string) => value === 'Infinity' || value === Number.MAX_VALUE;
const isMinusInfinity = (value: number | string) => value === '-Infinity' || value === -Number.MAX_VALUE;

function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe.skipIf(!hasPython)('orrery_tracking.py (stdlib-only Python client) against npm run serve', () => {
  let serve: ServeProcess;
  let origin: string;
  let api: ReturnType<typeof mlflowClient>;
  let experimentId: string;
  const dirs: string[] = [];
  const late: ServeProcess[] = [];

  const tempDir = (prefix = 'orrery-py-') => {
    const dir = makeTempDir(prefix);
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    serve = await startServe(['--port', String(await freePort()), '--data-dir', tempDir('orrery-py-data-')], { ORRERY_TOKEN: TOKEN });
    origin = new URL(serve.openUrl).origin;
    api = mlflowClient(origin);
    experimentId = await api.createExperiment(`python-client-${Date.now()}`);
  });

  afterAll(async () => {
    for (const server of [serve, ...late]) await server?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const envFor = (extra: Record<string, string>) => ({ MLFLOW_TRACKING_URI: origin, MLFLOW_TRACKING_TOKEN: TOKEN, ...extra });

  it('delivers 2000 steps of metrics, params, tags, NaN/±Inf, a file and a folder, then ends the run FINISHED', async () => {
    const runId = await api.createRun(experimentId, 'python-main');
    const work = tempDir();
    const weights = crypto.randomBytes(300_000);
    fs.writeFileSync(path.join(work, 'notes.txt'), 'hello from python\n');
    fs.mkdirSync(path.join(work, 'model', 'sub dir'), { recursive: true });
    fs.writeFileSync(path.join(work, 'model', 'weights.bin'), weights);
    fs.writeFileSync(path.join(work, 'model', 'config.json'), '{"layers": 3}');
    fs.writeFileSync(path.join(work, 'model', 'sub dir', 'odd name%.txt'), 'odd');

    const result = await runPython(
      `
import time
import orrery_tracking as tracking

started = time.monotonic()
tracking.log_params({"lr": 0.01, "batch_size": 64})
tracking.log_param("lr", 0.01)  # the same value again is fine
tracking.log_param("optimizer", "adam")
tracking.set_tags({"model": "resnet18", "stage": "dev"})
tracking.set_tag("stage", "prod")  # the last value wins
for step in range(2000):
    tracking.log_metrics({"loss": 1.0 / (step + 1), "acc": step / 2000.0}, step=step)
tracking.log_metric("odd", float("nan"), step=0)
tracking.log_metric("odd", float("inf"), step=1)
tracking.log_metric("odd", float("-inf"), step=2)
tracking.log_metric("explicit", 2.5, step=7, timestamp=1764130000000)
tracking.log_artifact("notes.txt")
tracking.log_artifact("model", artifact_path="checkpoints")
print("LOGGING_S=%.3f" % (time.monotonic() - started))
print("RUN=%s" % tracking.active_run_id())
print("ENDED=%s" % tracking.end_run())
`,
      work,
      envFor({ MLFLOW_RUN_ID: runId }),
    );

    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result.stderr), result.stderr).toEqual([]);
    expect(printed(result, 'RUN')).toBe(runId);
    expect(printed(result, 'ENDED')).toBe('True');
    // Logging only queues: 4000+ calls take far less than a second, whatever the server does.
    expect(Number(printed(result, 'LOGGING_S'))).toBeLessThan(2);

    const run = await api.getRun(runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.end_time).toBeGreaterThanOrEqual(run.info.start_time);
    expect(paramsOf(run)).toMatchObject({ lr: '0.01', batch_size: '64', optimizer: 'adam' });
    expect(tagsOf(run)).toMatchObject({ model: 'resnet18', stage: 'prod' });

    const loss = await api.history(runId, 'loss');
    expect(loss).toHaveLength(2000);
    const bySteps = [...loss].sort((a, b) => a.step - b.step);
    expect(bySteps.map((m) => m.step)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    for (const point of [bySteps[0]!, bySteps[999]!, bySteps[1999]!]) expect(point.value).toBeCloseTo(1 / (point.step + 1), 12);
    expect(await api.history(runId, 'acc')).toHaveLength(2000);

    const odd = [...(await api.history(runId, 'odd'))].sort((a, b) => a.step - b.step);
    expect(odd.map((m) => m.step)).toEqual([0, 1, 2]);
    expect(odd[0]!.value).toBe('NaN');
    expect(isPlusInfinity(odd[1]!.value), String(odd[1]!.value)).toBe(true);
    expect(isMinusInfinity(odd[2]!.value), String(odd[2]!.value)).toBe(true);
    expect(await api.history(runId, 'explicit')).toEqual([{ key: 'explicit', value: 2.5, timestamp: 1764130000000, step: 7 }]);

    const root = await api.listArtifacts(runId);
    expect(root.files).toEqual(
      expect.arrayContaining([
        { path: 'notes.txt', is_dir: false, file_size: 18 },
        { path: 'checkpoints', is_dir: true },
      ]),
    );
    const files = await api.allArtifactFiles(runId);
    expect(Object.fromEntries(files)).toEqual({
      'notes.txt': 18,
      'checkpoints/model/weights.bin': weights.length,
      'checkpoints/model/config.json': 13,
      'checkpoints/model/sub dir/odd name%.txt': 3,
    });
    expect((await api.download(experimentId, runId, 'checkpoints/model/weights.bin')).equals(weights)).toBe(true);
    expect((await api.download(experimentId, runId, 'checkpoints/model/sub dir/odd name%.txt')).toString()).toBe('odd');
  }, 90_000);

  it('creates its own run from MLFLOW_EXPERIMENT_NAME (creating the experiment) and ends it FINISHED at exit', async () => {
    const name = `made-by-python-${Date.now()}`;
    const result = await runPython(
      `
import orrery_tracking as tracking
tracking.log_metric("loss", 0.5, step=1)
tracking.log_param("seed", 7)
print("RUN=%s" % tracking.active_run_id(timeout=20))
`,
      tempDir(),
      envFor({ MLFLOW_EXPERIMENT_NAME: name }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result.stderr), result.stderr).toEqual([]);
    const run = await api.getRun(printed(result, 'RUN'));
    expect(run.info.status).toBe('FINISHED');
    expect(paramsOf(run)).toMatchObject({ seed: '7' });
    expect(tagsOf(run)).toMatchObject({ 'mlflow.source.type': 'LOCAL' });
    expect(await api.history(run.info.run_id, 'loss')).toHaveLength(1);
  }, 60_000);

  it('(a) with nobody listening: warns, finishes its own work and exits 0 in bounded time', async () => {
    const port = await freePort();
    const result = await runPython(
      `
import time
import orrery_tracking as tracking

started = time.monotonic()
tracking.log_params({"lr": 0.01})
for step in range(2000):
    tracking.log_metric("loss", 1.0 / (step + 1), step=step)
tracking.log_artifact(__file__)
print("LOGGING_S=%.3f" % (time.monotonic() - started))
total = sum(range(1000000))  # the script's own work goes on
print("WORK=%d" % total)
print("FLUSHED=%s" % tracking.flush())
print("ENDED=%s" % tracking.end_run())
print("LAST_LINE")
`,
      tempDir(),
      { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`, MLFLOW_TRACKING_TOKEN: TOKEN, MLFLOW_EXPERIMENT_ID: experimentId },
      45_000,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(Number(printed(result, 'LOGGING_S'))).toBeLessThan(2);
    expect(printed(result, 'WORK')).toBe(String((999999 * 1000000) / 2));
    expect(printed(result, 'FLUSHED')).toBe('False');
    expect(printed(result, 'ENDED')).toBe('False');
    expect(result.stdout).toContain('LAST_LINE');
    // Exit waits about 10 s in all (end_run's wait counts towards it), never for ever.
    expect(result.ms).toBeLessThan(30_000);
    const lines = warnings(result.stderr);
    expect(lines.filter((line) => line.includes(`cannot deliver to http://127.0.0.1:${port}`)).length).toBeGreaterThanOrEqual(1);
    // At most one outage warning per ~30 s, however many retries there were.
    expect(lines.filter((line) => line.includes('cannot deliver')).length).toBeLessThanOrEqual(2);
    expect(result.stderr).toMatch(/orrery_tracking: 2004 items \(2000 metric points, 1 param, 1 artifact upload, .*\) were not delivered/);
    expect(result.stderr).not.toContain('Traceback');
  }, 60_000);

  it('(b) buffers while the server is down and delivers everything once Orrery comes up on that port', async () => {
    const port = await freePort();
    const name = `late-server-${Date.now()}`;
    const python = startPython(
      `
import orrery_tracking as tracking
tracking.log_params({"lr": 0.01, "epochs": 3})
tracking.set_tag("arrived", "late")
for step in range(2000):
    tracking.log_metric("loss", 1.0 / (step + 1), step=step)
print("FLUSHED=%s" % tracking.flush(timeout=150))
print("RUN=%s" % tracking.active_run_id())
print("ENDED=%s" % tracking.end_run())
`,
      tempDir(),
      { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`, MLFLOW_TRACKING_TOKEN: TOKEN, MLFLOW_EXPERIMENT_NAME: name },
      200_000,
    );
    // The script is running and has noticed that nobody answers; then Orrery starts on that port.
    await expect.poll(() => python.stderr(), { timeout: 15_000 }).toContain('cannot deliver to');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const server = await startServe(['--port', String(port), '--data-dir', tempDir('orrery-py-late-')], { ORRERY_TOKEN: TOKEN });
    late.push(server);

    const result = await python.done;
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result, 'FLUSHED')).toBe('True');
    expect(printed(result, 'ENDED')).toBe('True');
    expect(result.stderr).toContain(`orrery_tracking: reached http://127.0.0.1:${port} again`);
    expect(result.stderr).not.toContain('not delivered');

    const lateApi = mlflowClient(new URL(server.openUrl).origin);
    const run = await lateApi.getRun(printed(result, 'RUN'));
    expect(run.info.status).toBe('FINISHED');
    expect(paramsOf(run)).toMatchObject({ lr: '0.01', epochs: '3' });
    expect(tagsOf(run)).toMatchObject({ arrived: 'late' });
    expect(await lateApi.history(run.info.run_id, 'loss')).toHaveLength(2000);
  }, 240_000);

  it('(c) marks the run it created FAILED when the script dies from an exception', async () => {
    const result = await runPython(
      `
import orrery_tracking as tracking
tracking.log_metric("loss", 0.9, step=0)
print("RUN=%s" % tracking.active_run_id(timeout=20))
raise RuntimeError("training diverged")
`,
      tempDir(),
      envFor({ MLFLOW_EXPERIMENT_ID: experimentId }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RuntimeError: training diverged');
    expect(warnings(result.stderr), result.stderr).toEqual([]);
    const run = await api.getRun(printed(result, 'RUN'));
    expect(run.info.status).toBe('FAILED');
    expect(run.info.end_time).toBeGreaterThanOrEqual(run.info.start_time);
    expect(await api.history(run.info.run_id, 'loss')).toHaveLength(1);
  }, 60_000);

  it('(c) also marks a run named by MLFLOW_RUN_ID FAILED on an exception, and leaves it RUNNING on a clean exit', async () => {
    const failing = await api.createRun(experimentId, 'attached-failing');
    const clean = await api.createRun(experimentId, 'attached-clean');
    const script = (fail: boolean) => `
import orrery_tracking as tracking
tracking.log_metric("loss", 0.1)
${fail ? 'raise ValueError("bad batch")' : ''}
`;
    const [failed, finished] = await Promise.all([
      runPython(script(true), tempDir(), envFor({ MLFLOW_RUN_ID: failing })),
      runPython(script(false), tempDir(), envFor({ MLFLOW_RUN_ID: clean })),
    ]);
    expect(failed.code).toBe(1);
    expect(finished.code, finished.stderr).toBe(0);
    expect((await api.getRun(failing)).info.status).toBe('FAILED');
    expect((await api.getRun(clean)).info.status).toBe('RUNNING');
    expect(await api.history(clean, 'loss')).toHaveLength(1);
  }, 60_000);

  it('(d) re-logging a param with a different value warns with the server message, drops it and exits 0', async () => {
    const runId = await api.createRun(experimentId, 'param-change');
    const result = await runPython(
      `
import orrery_tracking as tracking
tracking.log_param("lr", 0.01)
tracking.flush(timeout=20)
tracking.log_param("lr", 0.02)
tracking.log_param("lr", 0.03)
tracking.log_metric("after", 1.0, step=1)
tracking.log_param("momentum", 0.9)
print("ENDED=%s" % tracking.end_run())
`,
      tempDir(),
      envFor({ MLFLOW_RUN_ID: runId }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result, 'ENDED')).toBe('True');
    const lines = warnings(result.stderr);
    expect(lines.length, result.stderr).toBeGreaterThanOrEqual(1);
    expect(lines.join('\n')).toMatch(/param 'lr'='0\.02'.*HTTP 400 INVALID_PARAMETER_VALUE/);
    expect(result.stderr).not.toContain('Traceback');

    const run = await api.getRun(runId);
    expect(paramsOf(run)).toMatchObject({ lr: '0.01', momentum: '0.9' });
    expect(run.info.status).toBe('FINISHED');
    expect(await api.history(runId, 'after')).toHaveLength(1);
  }, 60_000);

  it('a wrong token is reported once; the script still exits 0', async () => {
    const runId = await api.createRun(experimentId, 'wrong-token');
    const result = await runPython(
      `
import orrery_tracking as tracking
for step in range(3000):
    tracking.log_metric("loss", 1.0, step=step)
print("ENDED=%s" % tracking.end_run())
`,
      tempDir(),
      { MLFLOW_TRACKING_URI: origin, MLFLOW_TRACKING_TOKEN: 'not-the-token', MLFLOW_RUN_ID: runId },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeLessThan(20_000);
    const lines = warnings(result.stderr);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/HTTP 401/);
    expect(await api.history(runId, 'loss')).toHaveLength(0);
  }, 60_000);
});
