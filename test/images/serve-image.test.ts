import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servableFlavor } from '../../electron/services/serving/model-flavors';
import { dockerAvailable } from '../helpers/requirements';

/**
 * The model-serving image that `npm run images` builds (resources/images/serve/), against real
 * containers: MLflow's scoring protocol case by case, each prediction checked against what
 * scikit-learn or xgboost itself predicts for the same rows (computed in the same image by
 * test/fixtures/serving/make_models.py). The sklearn model is the one the digits training example
 * (resources/examples/digits_sgd.py) saves. One container per model, reused across its cases.
 */
const IMAGE = 'orrery/serve:local';
const REQUIRED = process.env.ORRERY_REQUIRE_DOCKER === '1';
const ROOT = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);

async function docker(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string; code?: unknown };
    if (typeof e.code !== 'number') throw new Error(`docker ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function imageProblem(): Promise<string | null> {
  const result = await docker(['image', 'inspect', '--format', '{{.Id}}', IMAGE], 15_000).catch((e: Error) => ({ code: 1, stderr: e.message }));
  return result.code === 0 ? null : `the image ${IMAGE} does not exist: run npm run images`;
}

const haveDocker = await dockerAvailable();
const problem = haveDocker ? await imageProblem() : null;
if (haveDocker && problem !== null && !REQUIRED) {
  console.warn(`\n*** SKIPPING ${IMAGE} tests: ${problem}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request; `chunks` sends the body chunked (no Content-Length). Status 0: no connection. */
function request(port: number, method: string, urlPath: string, options: { body?: string; chunks?: string[]; contentType?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    if (options.body !== undefined) headers['Content-Length'] = Buffer.byteLength(options.body);
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', () => resolve({ status: 0, headers: {}, text: '' }));
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

const invoke = (port: number, body: unknown, contentType = 'application/json') =>
  request(port, 'POST', '/invocations', { body: typeof body === 'string' ? body : JSON.stringify(body), contentType });

const json = (answer: Answer) => JSON.parse(answer.text) as Record<string, unknown>;

interface Expected {
  pixels: string[];
  digit_rows: number[][];
  digits: number[];
  iris_rows: number[][];
  iris: number[];
  iris_columns: string[];
  xgboost: number[];
  digits_example: number[];
}

interface Served {
  name: string;
  port: number;
  /** /ping statuses seen from container start until the first 200. */
  pings: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!haveDocker || (problem !== null && !REQUIRED))(`the model-serving image ${IMAGE}`, () => {
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const containers: string[] = [];
  let work = '';
  let expected: Expected;
  const served: Record<string, Served> = {};
  let unsupported: { code: number; stderr: string };

  async function serve(model: string, env: Record<string, string> = {}, suffix = ''): Promise<Served> {
    const port = await freePort();
    const name = `orrery-test-serve-${runId}-${model.replaceAll('/', '-')}${suffix}`;
    const envArgs = Object.entries({ ORRERY_SERVE_PORT: String(port), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    containers.push(name);
    const started = await docker(['run', '-d', '--name', name, '--network', 'host', ...envArgs, '-v', `${path.join(work, model)}:/opt/ml/model:ro`, IMAGE]);
    if (started.code !== 0) throw new Error(`docker run ${model}: ${started.stderr}`);
    const pings: number[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const answer = await request(port, 'GET', '/ping');
      pings.push(answer.status);
      if (answer.status === 200) return { name, port, pings };
      await sleep(20);
    }
    const logs = await docker(['logs', name]);
    throw new Error(`${model} never answered /ping 200; statuses ${[...new Set(pings)].join(',')}; logs:\n${logs.stdout}${logs.stderr}`);
  }

  /** A container in the foreground: its exit status and log. */
  async function runToExit(model: string): Promise<{ code: number; stderr: string }> {
    const port = await freePort();
    const name = `orrery-test-serve-${runId}-${model}`;
    containers.push(name);
    return docker(['run', '--name', name, '--network', 'host', '-e', `ORRERY_SERVE_PORT=${port}`, '-v', `${path.join(work, model)}:/opt/ml/model:ro`, IMAGE], 60_000);
  }

  beforeAll(async () => {
    if (problem !== null) throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${problem}`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-serve-image-'));
    fs.chmodSync(work, 0o755);
    const uid = `${process.getuid?.() ?? 1000}:${process.getgid?.() ?? 1000}`;
    // The project's own training example writes its MLflow model folder (the sklearn model served
    // here); make_models.py writes the others and what scikit-learn and xgboost predict.
    const made = await docker([
      'run', '--rm', '--network', 'none', '--user', uid,
      '-e', 'ORRERY_PARAMS={"epochs": 3}', '-e', 'ORRERY_OUTPUTS_DIR=/out/digits_run',
      '-v', `${path.join(ROOT, 'test/fixtures/serving')}:/fixtures:ro`,
      '-v', `${path.join(ROOT, 'resources/examples')}:/examples:ro`,
      '-v', `${work}:/out`,
      IMAGE, 'sh', '-c', 'python3 /examples/digits_sgd.py > /dev/null && python3 /fixtures/make_models.py /out /out/digits_run/model',
    ]);
    if (made.code !== 0) throw new Error(`make_models.py failed:\n${made.stderr}`);
    expected = JSON.parse(fs.readFileSync(path.join(work, 'expected.json'), 'utf8')) as Expected;
    const [sklearn, pyfuncSklearn, xgboost, custom, refused] = await Promise.all([
      serve('digits_run/model'),
      serve('pyfunc_sklearn'),
      serve('xgboost'),
      serve('custom', { MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT: '1', ORRERY_SERVE_MAX_BODY_BYTES: '4096' }),
      runToExit('unsupported'),
    ]);
    Object.assign(served, { sklearn, pyfuncSklearn, xgboost, custom });
    unsupported = refused;
  }, 180_000);

  afterAll(async () => {
    if (containers.length > 0) await docker(['rm', '-f', ...containers]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('answers /ping 404 while the model loads and 200 once it has; /health, /version, other paths 404 {}', async () => {
    const { port, pings } = served.sklearn!;
    expect(pings).toContain(404);
    expect(pings.indexOf(404)).toBeLessThan(pings.indexOf(200));
    expect(await request(port, 'GET', '/health')).toMatchObject({ status: 200, text: '\n' });
    const version = await request(port, 'GET', '/version');
    expect(version.status).toBe(200);
    expect(version.text).toMatch(/MLflow scoring protocol/);
    expect(await request(port, 'GET', '/nope')).toMatchObject({ status: 404, text: '{}' });
    expect((await request(port, 'GET', '/invocations')).status).toBe(405);
    const logs = await docker(['logs', served.sklearn!.name]);
    expect(logs.stderr).toMatch(/loaded sklearn model SGDClassifier from \/opt\/ml\/model in [\d.]+ s/);
  });

  it("predicts what scikit-learn predicts, in each of MLflow's four JSON forms and CSV", async () => {
    const { port } = served.sklearn!;
    const { pixels, digit_rows: rows, digits } = expected;
    const records = rows.map((row) => Object.fromEntries(pixels.map((p, i) => [p, row[i]])));
    const bodies: Array<[unknown, string?]> = [
      [{ dataframe_split: { columns: pixels, data: rows } }],
      [{ dataframe_records: records }],
      [{ instances: rows }],
      [{ inputs: Object.fromEntries(pixels.map((p, i) => [p, rows.map((r) => r[i])])) }],
      [[pixels.join(','), ...rows.map((r) => r.join(','))].join('\n'), 'text/csv'],
      [{ dataframe_split: { columns: pixels, data: rows } }, 'application/json; charset=UTF-8'],
    ];
    for (const [body, type] of bodies) {
      const answer = await invoke(port, body, type);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(json(answer)).toEqual({ predictions: digits });
    }
    // The signature orders the columns and drops extra ones.
    const shuffled = rows.map((row) => ({ extra: 'ignored', ...Object.fromEntries([...pixels].reverse().map((p) => [p, row[pixels.indexOf(p)]])) }));
    expect(json(await invoke(port, { dataframe_records: shuffled }))).toEqual({ predictions: digits });
  });

  it('answers 400 with BAD_REQUEST for zero or several input keys, a top-level list or bad JSON', async () => {
    const { port } = served.sklearn!;
    const cases: Array<[unknown, RegExp]> = [
      [{}, /exactly one of the input fields .*Received dictionary with input fields: \[\]/],
      [{ instances: [[1]], inputs: [[1]] }, /exactly one of the input fields .*\['instances', 'inputs'\]/],
      [{ columns: ['a'], data: [[1]] }, /exactly one of the input fields/],
      [[[1, 2]], /exactly one of the input fields .*Received a list/],
      ['{"instances": [', /Failed to parse input from JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await invoke(port, body);
      expect(answer.status, answer.text).toBe(400);
      expect(json(answer).error_code).toBe('BAD_REQUEST');
      expect(json(answer).message).toMatch(message);
      expect(answer.headers['x-orrery-model-error']).toBeUndefined();
    }
  });

  it('answers 415 for another content type, a charset other than utf-8, or another parameter', async () => {
    const { port } = served.sklearn!;
    const body = { instances: expected.digit_rows };
    for (const [type, message] of [
      ['text/plain', /only supports the following content types/],
      ['application/x-www-form-urlencoded', /only supports the following content types/],
      ['application/json; charset=latin-1', /only supports UTF-8/],
      ['application/json; format=pandas-split', /Unrecognized content type parameters: format/],
    ] as const) {
      const answer = await invoke(port, body, type);
      expect(answer.status, type).toBe(415);
      expect(answer.text).toMatch(message);
    }
    expect((await request(port, 'POST', '/invocations', { body: JSON.stringify(body) })).status).toBe(415);
  });

  it('enforces the signature: a missing column or an uncastable value is a 400 naming the column', async () => {
    const { port } = served.sklearn!;
    const { pixels, digit_rows: rows } = expected;
    const without = pixels.filter((p) => p !== 'pixel_3_4');
    const missing = await invoke(port, { dataframe_split: { columns: without, data: rows.map((r) => r.filter((_, i) => pixels[i] !== 'pixel_3_4')) } });
    expect(missing.status).toBe(400);
    expect(json(missing).message).toMatch(/Model is missing inputs \['pixel_3_4'\]/);
    const records: Array<Record<string, unknown>> = rows.map((row) => Object.fromEntries(pixels.map((p, i) => [p, row[i]])));
    records[1]!.pixel_0_2 = 'abc';
    const uncastable = await invoke(port, { dataframe_records: records });
    expect(uncastable.status).toBe(400);
    expect(json(uncastable).message).toMatch(/column pixel_0_2\b.*'abc'/);
    const csv = await invoke(port, [pixels.join(','), rows[0]!.map((v, i) => (i === 5 ? 'x' : v)).join(',')].join('\n'), 'text/csv');
    expect(csv.status).toBe(400);
    expect(json(csv).message).toMatch(/column pixel_0_5\b/);
    for (const answer of [missing, uncastable, csv]) expect(answer.headers['x-orrery-model-error']).toBeUndefined();
  });

  it('serves python_function with loader_module mlflow.sklearn (cloudpickle, no signature) and xgboost', async () => {
    const { iris_rows: rows, iris, iris_columns: columns, xgboost } = expected;
    expect(json(await invoke(served.pyfuncSklearn!.port, { instances: rows }))).toEqual({ predictions: iris });
    const csv = [columns.join(','), ...rows.map((r) => r.join(','))].join('\n');
    expect(json(await invoke(served.pyfuncSklearn!.port, csv, 'text/csv'))).toEqual({ predictions: iris });
    expect(json(await invoke(served.xgboost!.port, { dataframe_split: { columns, data: rows } }))).toEqual({ predictions: xgboost });
    expect(json(await invoke(served.xgboost!.port, { inputs: rows }))).toEqual({ predictions: xgboost });
  });

  it("serves the digits training example's model folder with its own input example", async () => {
    const example = servableFlavor(path.join(work, 'digits_run/model'));
    expect(example.flavor).toBe('sklearn');
    const answer = await invoke(served.sklearn!.port, example.inputExample);
    expect(answer.status, answer.text).toBe(200);
    expect(json(answer)).toEqual({ predictions: expected.digits_example });
  });

  it('a custom python_function: params reach predict; an exception in predict is a 400 marked X-Orrery-Model-Error', async () => {
    const { port } = served.custom!;
    expect(json(await invoke(port, { inputs: { x: [1, 2.5] } }))).toEqual({ predictions: [2, 5] });
    expect(json(await invoke(port, { dataframe_records: [{ x: 1 }, { x: 2.5 }], params: { offset: 10 } }))).toEqual({ predictions: [12, 15] });
    const raised = await invoke(port, { dataframe_records: [{ x: 1 }, { x: -1 }] });
    expect(raised.status).toBe(400);
    expect(raised.headers['x-orrery-model-error']).toBe('1');
    expect(json(raised)).toMatchObject({ error_code: 'BAD_REQUEST', message: expect.stringMatching(/negative x is not allowed/) as unknown });
    expect(json(raised)).not.toHaveProperty('stack_trace');
  });

  it('answers 504 when predict runs past the timeout, and keeps serving', async () => {
    const { port } = served.custom!;
    const started = Date.now();
    const slow = await invoke(port, { dataframe_records: [{ x: 5000 }] });
    const took = Date.now() - started;
    expect(slow.status).toBe(504);
    expect(json(slow).message).toBe('Request processing time exceeded limit');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2800);
    expect(json(await invoke(port, { inputs: { x: [3] } }))).toEqual({ predictions: [6] });
  });

  it('exits once every prediction thread is stuck past the timeout, so that the replica is restarted', async () => {
    const stuck = await serve('custom', { MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT: '1', ORRERY_SERVE_THREADS: '2' }, '-stuck');
    const answers = await Promise.all([invoke(stuck.port, { dataframe_records: [{ x: 5000 }] }), invoke(stuck.port, { dataframe_records: [{ x: 5000 }] })]);
    expect(answers.map((a) => a.status)).toEqual([504, 504]);
    const exited = await docker(['wait', stuck.name], 20_000);
    expect(exited.stdout.trim()).toBe('3');
    const logs = await docker(['logs', stuck.name]);
    expect(logs.stderr).toContain('all 2 prediction threads are stuck past the timeout; exiting so the replica is restarted');
  });

  it('answers 413 for a body over the limit, by Content-Length or chunked, and keeps serving', async () => {
    const { port } = served.custom!;
    const big = JSON.stringify({ dataframe_records: Array.from({ length: 600 }, (_, i) => ({ x: i })) });
    expect(big.length).toBeGreaterThan(4096);
    const declared = await invoke(port, big);
    expect(declared.status).toBe(413);
    expect(json(declared).message).toMatch(/over the limit of 4096 bytes/);
    const chunked = await request(port, 'POST', '/invocations', { chunks: [big.slice(0, 3000), big.slice(3000)], contentType: 'application/json' });
    expect(chunked.status).toBe(413);
    expect(json(await invoke(port, { inputs: { x: [1] } }))).toEqual({ predictions: [2] });
  });

  it('exits 1 with one log line naming the flavors for a model it cannot serve', () => {
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toMatch(/cannot load the model at \/opt\/ml\/model: the model's flavors are pytorch; Orrery serves sklearn/);
  });
});
