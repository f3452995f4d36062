// Drift: the built monitoring worker (dist/workers/monitoring-worker.cjs, spoken to as the app does,
// one message per request) checks 1,000,000 current rows × 50 columns (35 numeric, 15 categorical,
// half of them shifted) against a stored 100,000-row reference profile; scipy runs the same tests on
// the same data in the local Python image (only its statistics timed, not its loading); and a
// 10,000,000-row × 50-column reference is streamed into a sketched profile in chunks, never written.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { root } from './app-bundle.mjs';
import { fmt, median } from './report.mjs';

const WORKER = path.join(root, 'dist', 'workers', 'monitoring-worker.cjs');
const NUMERIC = 35;
const CATEGORICAL = 15;
const PYTHON_IMAGE = 'orrery/python:local';

/** A standard normal's quantiles at 65,536 evenly spaced probabilities (Acklam's approximation). */
const NORMAL_TABLE = Float64Array.from({ length: 65536 }, (_, i) => normalQuantile((i + 0.5) / 65536));

function normalQuantile(p) {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Column j: a mix of shapes, scales and roundings (normal, log-normal, uniform, rounded to cents,
 * integers), even columns shifted in the current data. Values come from a seeded xorshift: a normal
 * is a table quantile plus a jitter below the table's spacing, so 10M rows generate in seconds.
 */
function numericColumn(rows, j, seed, shifted) {
  const numbers = new Float64Array(rows);
  const shift = shifted && j % 2 === 0 ? 0.25 : 0;
  const scale = 1 + (j % 3);
  let x = (seed * 7919 + j * 104729 + 1) >>> 0 || 1;
  for (let i = 0; i < rows; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const bits = x >>> 0;
    const u = bits / 4294967296;
    const z = NORMAL_TABLE[bits >>> 16] + ((bits & 0xffff) / 65536 - 0.5) * 4e-5;
    switch (j % 5) {
      case 0:
        numbers[i] = (z + shift) * scale + j;
        break;
      case 1:
        numbers[i] = Math.exp(0.5 * z + shift);
        break;
      case 2:
        numbers[i] = u * 100 + shift * 30;
        break;
      case 3:
        numbers[i] = Math.round((z + shift) * 100) / 100;
        break;
      default:
        numbers[i] = Math.floor(u * 60 + shift * 20);
    }
  }
  // A few missing cells in some columns, so data quality has something to count.
  if (j % 7 === 0) for (let i = j; i < rows; i += 97) numbers[i] = Number.NaN;
  return numbers;
}

function categoryCount(j) {
  return 5 + 5 * (j % 6);
}

/** Skewed towards low codes; shifted columns more so (a 1,024-step table of the skewed quantiles). */
function categoricalColumn(rows, j, seed, shifted) {
  const k = categoryCount(j);
  const power = 1.5 * (shifted && j % 2 === 0 ? 1.6 : 1);
  const table = Int32Array.from({ length: 1024 }, (_, i) => Math.min(k - 1, Math.floor(k * ((i + 0.5) / 1024) ** power)));
  const codes = new Int32Array(rows);
  let x = (seed * 15485863 + j * 32452843 + 7) >>> 0 || 1;
  for (let i = 0; i < rows; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    codes[i] = table[(x >>> 0) >>> 22];
  }
  if (j % 5 === 0) for (let i = j; i < rows; i += 113) codes[i] = -1;
  return { codes, categories: Array.from({ length: k }, (_, c) => `c${j}_${c}`) };
}

/** Rows of the bench's table as typed columns (the worker's 'check-table' / 'profile-chunk' form). */
export function generateTable(rows, seed, shifted) {
  const columns = [];
  for (let j = 0; j < NUMERIC; j++) columns.push({ name: `n${j}`, kind: 'numeric', numbers: numericColumn(rows, j, seed, shifted) });
  for (let j = 0; j < CATEGORICAL; j++) columns.push({ name: `c${j}`, kind: 'categorical', ...categoricalColumn(rows, j, seed, shifted) });
  return { rows, columns };
}

/** A copy whose arrays own their buffers, so they can be transferred (the original stays usable). */
function transferableCopy(table) {
  const columns = table.columns.map((c) => (c.kind === 'numeric' ? { ...c, numbers: c.numbers.slice() } : { ...c, codes: c.codes.slice() }));
  return { table: { rows: table.rows, columns }, transfer: columns.map((c) => (c.kind === 'numeric' ? c.numbers.buffer : c.codes.buffer)) };
}

/** The worker as the app starts it (it may start a second thread for half the columns). */
function startWorker(script) {
  const worker = new Worker(script, { workerData: { script, role: 'main' } });
  const pending = new Map();
  let nextId = 1;
  worker.on('message', (answer) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.ok) waiting.resolve(answer.result);
    else waiting.reject(new Error(`${answer.error.code}: ${answer.error.message}`));
  });
  const fail = (error) => {
    for (const w of pending.values()) w.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the monitoring worker exited (code ${code})`)));
  return {
    run(request, transfer = []) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, request }, transfer);
      });
    },
    close: () => worker.terminate(),
  };
}

const SETTINGS = { driftShare: 0.5, minRows: 30, methods: {} };

async function timedChecks(worker, profile, current, times) {
  const samples = [];
  let last;
  for (let i = 0; i < times + 1; i++) {
    const { table, transfer } = transferableCopy(current);
    const started = performance.now();
    last = await worker.run({ type: 'check-table', profileKey: 'bench', profile: i === 0 ? profile : null, table, settings: SETTINGS }, transfer);
    // The first run decodes and caches the profile and warms the code: not counted.
    if (i > 0) samples.push({ wall: performance.now() - started, inside: last.report.tookMs });
  }
  return { samples, report: last.report };
}

const PYTHON = String.raw`
import json, sys, time
import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance
meta = json.load(open('/data/meta.json'))
n_num, n_cat, ref_rows, cur_rows = meta['numeric'], meta['categorical'], meta['referenceRows'], meta['currentRows']
ref_num = np.fromfile('/data/ref_num.f64', dtype='<f8').reshape(n_num, ref_rows)
cur_num = np.fromfile('/data/cur_num.f64', dtype='<f8').reshape(n_num, cur_rows)
ref_cat = np.fromfile('/data/ref_cat.i32', dtype='<i4').reshape(n_cat, ref_rows)
cur_cat = np.fromfile('/data/cur_cat.i32', dtype='<i4').reshape(n_cat, cur_rows)
def run():
    numeric, categorical = [], []
    for j in range(n_num):
        r = ref_num[j][np.isfinite(ref_num[j])]
        c = cur_num[j][np.isfinite(cur_num[j])]
        numeric.append(wasserstein_distance(r, c) / max(np.std(r), 0.001))
    for j in range(n_cat):
        k = meta['categories'][j]
        r = np.bincount(ref_cat[j][ref_cat[j] >= 0], minlength=k).astype(float)
        c = np.bincount(cur_cat[j][cur_cat[j] >= 0], minlength=k).astype(float)
        keep = (r + c) > 0
        categorical.append(float(jensenshannon(r[keep] / r.sum(), c[keep] / c.sum())))
    return numeric, categorical
times = []
for i in range(3):
    started = time.perf_counter()
    numeric, categorical = run()
    times.append(time.perf_counter() - started)
print(json.dumps({'seconds': sorted(times)[1], 'numeric': numeric, 'categorical': categorical}))
`;

/** The same tests in scipy on the same data, written once as raw little-endian arrays. */
function scipyTimes(reference, current) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-drift-'));
  try {
    const write = (file, tables, kind) => {
      const fd = fs.openSync(path.join(dir, file), 'w');
      for (const c of tables.columns.filter((col) => col.kind === kind)) {
        const array = kind === 'numeric' ? c.numbers : c.codes;
        fs.writeSync(fd, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      }
      fs.closeSync(fd);
    };
    write('ref_num.f64', reference, 'numeric');
    write('cur_num.f64', current, 'numeric');
    write('ref_cat.i32', reference, 'categorical');
    write('cur_cat.i32', current, 'categorical');
    const meta = { numeric: NUMERIC, categorical: CATEGORICAL, referenceRows: reference.rows, currentRows: current.rows, categories: Array.from({ length: CATEGORICAL }, (_, j) => categoryCount(j)) };
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
    fs.chmodSync(dir, 0o755);
    const out = execFileSync('docker', ['run', '--rm', '--network', 'none', '-i', '-v', `${dir}:/data:ro`, PYTHON_IMAGE, 'python3', '-'], {
      input: PYTHON,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(out.toString());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A 10M-row reference streamed to the worker in chunks; at most two chunks in flight. */
async function streamProfile(worker, rows, chunkRows, log) {
  const started = performance.now();
  let generating = 0;
  let inFlight = [];
  for (let offset = 0, chunk = 0; offset < rows; offset += chunkRows, chunk++) {
    const generatedAt = performance.now();
    const table = generateTable(Math.min(chunkRows, rows - offset), 1000 + chunk, false);
    generating += performance.now() - generatedAt;
    const transfer = table.columns.map((c) => (c.kind === 'numeric' ? c.numbers.buffer : c.codes.buffer));
    inFlight.push(worker.run({ type: 'profile-chunk', stream: 'bench-10m', table, kinds: {}, finish: false }, transfer));
    if (inFlight.length >= 2) await inFlight.shift();
    if (chunk % 10 === 9) log(`drift: ${((offset + chunkRows) / 1e6).toFixed(1)}M reference rows streamed`);
  }
  await Promise.all(inFlight);
  const result = await worker.run({ type: 'profile-chunk', stream: 'bench-10m', table: null, kinds: {}, finish: true });
  return { ms: performance.now() - started, generatingMs: generating, bytes: result.profile.byteLength, form: result.summary.form };
}

export async function benchMonitoringDrift({ log = () => {}, script = WORKER, currentRows = 1_000_000, referenceRows = 100_000, bigRows = 10_000_000, times = 3 } = {}) {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  const idleMb = process.memoryUsage().rss / 1024 / 1024;
  const reference = generateTable(referenceRows, 1, false);
  const current = generateTable(currentRows, 2, true);
  const worker = startWorker(script);
  try {
    const { profile } = await worker.run({ type: 'profile-chunk', stream: 'bench-ref', table: transferableCopy(reference).table, kinds: {}, finish: true });
    log(`drift: ${referenceRows} × 50 reference profile is ${fmt.mb(profile.byteLength / 1024 / 1024)}; checking ${currentRows} rows…`);
    const { samples, report } = await timedChecks(worker, profile, current, times);
    const checkMs = median(samples.map((s) => s.wall));
    log(`drift: checks took ${samples.map((s) => fmt.ms(s.wall)).join(', ')}`);
    const insideMs = median(samples.map((s) => s.inside));
    log('drift: scipy on the same data…');
    const scipy = scipyTimes(reference, current);
    const scipyMs = scipy.seconds * 1000;
    log(`drift: scipy took ${fmt.ms(scipyMs)}`);
    const expected = [...scipy.numeric, ...scipy.categorical];
    const statistics = report.columns.map((c) => c.statistic);
    const worst = Math.max(...expected.map((e, i) => Math.abs(e - statistics[i]) / Math.max(Math.abs(e), 1e-12)));
    const methods = [...new Set(report.columns.map((c) => c.method))].join(', ');
    log(`drift: a ${bigRows / 1e6}M × 50 reference, streamed…`);
    const big = await streamProfile(worker, bigRows, 250_000, log);
    const bigMb = big.bytes / 1024 / 1024;
    const rawMb = (bigRows * (NUMERIC * 8 + CATEGORICAL * 4)) / 1024 / 1024;
    const ratio = checkMs / scipyMs;
    return {
      rows: [
        {
          name: `drift: full check, ${currentRows / 1e6}M × 50 vs ${referenceRows / 1e3}k-row profile`,
          value: fmt.ms(checkMs),
          baseline: `scipy ${fmt.ms(scipyMs)}`,
          ratio: fmt.x(ratio),
          target: '< 2 s',
          status: checkMs < 2000 ? 'PASS' : 'MISS',
          note: `median of ${times} (${samples.map((s) => fmt.ms(s.wall)).join(', ')}), wall time of the request incl. moving the columns to the worker; ${fmt.ms(insideMs)} inside the check; ${NUMERIC} numeric + ${CATEGORICAL} categorical columns, ${report.driftedColumns} of ${report.testedColumns} drifted (${methods})`,
        },
        {
          name: 'drift: Orrery / scipy, same tests, same data',
          value: fmt.x(ratio),
          baseline: `scipy ${fmt.ms(scipyMs)}`,
          ratio: fmt.x(ratio),
          target: '< 1x',
          status: ratio < 1 ? 'PASS' : 'MISS',
          note: `scipy 1.10 in ${PYTHON_IMAGE}: wasserstein_distance / np.std and jensenshannon of bincounts, statistics only (loading not timed), median of 3; Orrery does more (distributions, effect sizes, data quality); largest relative difference of the ${expected.length} statistics ${worst.toExponential(1)}`,
        },
        {
          name: `drift: ${bigRows / 1e6}M × 50 reference profile size (${big.form})`,
          value: fmt.mb(bigMb),
          baseline: `raw data ${fmt.mb(rawMb)}`,
          ratio: fmt.x(bigMb / rawMb),
          target: '< 100 MB',
          status: bigMb < 100 ? 'PASS' : 'MISS',
        },
        {
          name: `drift: ${bigRows / 1e6}M × 50 reference profile build`,
          value: fmt.ms(big.ms),
          baseline: `generating the data ${fmt.ms(big.generatingMs)}`,
          ratio: fmt.x(big.ms / big.generatingMs),
          target: 'info',
          status: 'info',
          note: `250k-row chunks streamed to the worker (two in flight) while the next is generated; ${fmt.rate((bigRows * 50) / (big.ms / 1000)).replace('pts', 'cells')}`,
        },
      ],
      // The bench process with its worker threads (they share its RSS).
      memory: { phase: 'drift', idleMb, peakMb: process.resourceUsage().maxRSS / 1024 },
    };
  } finally {
    await worker.close();
  }
}
