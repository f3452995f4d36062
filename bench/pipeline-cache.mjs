// Pipeline cache: the keys of a 20-stage dvc-style pipeline whose deps hold 100,000 files (1 GiB),
// computed by the app's own ContentHasher and stageKey (bundled from source, npm packages from
// node_modules) with the stat cache in a real store. The first run hashes everything (its bytes
// read, by the hasher's own counter, must equal the tree's size: each byte read once); a no-change
// re-run, by a fresh hasher on the same store as after a restart, must decide all 20 stages cached
// (same keys, outs present) in under 1 s. Its baseline is a bare stat walk of the same tree (readdir
// + stat of every file), the least any stat-cache check can do, run alternately with it; the first
// run's is a plain read + sha256 of every file.
// The tree is seeded once (a minute or so) and kept under $ORRERY_BENCH_CACHE.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { importTsModule } from './app-bundle.mjs';
import { cachedStore } from './bench-cache.mjs';
import { fmt, median } from './report.mjs';

const MODULE = `
export { ContentHasher } from './electron/services/pipelines/cache/content-hasher';
export { outputsPresent, stageKey } from './electron/services/pipelines/cache/stage-key';
export { openDatabase } from './electron/services/store/database';
`;

const STAGES = 20;
const FILES = 100_000;
const TOTAL_BYTES = 1024 ** 3;
const PER_FOLDER = 250;
/** Bumped when the tree's shape changes, so a kept tree of the old shape is seeded again. */
const TREE_KEY = `tree-v1-${STAGES}-${FILES}-${TOTAL_BYTES}`;

function loadCacheModule() {
  return importTsModule('pipeline-cache-module', MODULE);
}

/** File sizes from a seeded generator, between half and one and a half times the mean, summing to TOTAL_BYTES exactly. */
function fileSizes() {
  let x = 0x9e3779b9;
  const raw = Array.from({ length: FILES }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return 0.5 + (x >>> 0) / 4294967296;
  });
  const scale = TOTAL_BYTES / raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((r) => Math.floor(r * scale));
  let short = TOTAL_BYTES - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; short > 0; i++, short--) sizes[i]++;
  return sizes;
}

/** stage-NN/part-MM/file-KKKK.bin: 5,000 files per stage, 250 per folder, random bytes, mtimes a day old. */
async function seedTree(dir, log) {
  const sizes = fileSizes();
  const pool = crypto.randomBytes(64 * 1024 * 1024);
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
  const perStage = FILES / STAGES;
  const started = performance.now();
  for (let i = 0; i < FILES; i++) {
    const stage = Math.floor(i / perStage);
    const within = i % perStage;
    const folder = path.join(dir, `stage-${String(stage).padStart(2, '0')}`, `part-${String(Math.floor(within / PER_FOLDER)).padStart(2, '0')}`);
    if (within % PER_FOLDER === 0) fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `file-${String(within).padStart(4, '0')}.bin`);
    const offset = (i * 7919 * 64) % (pool.length - sizes[i]);
    fs.writeFileSync(file, pool.subarray(offset, offset + sizes[i]));
    // Old mtimes: the cache does not trust entries hashed within 2 s of their mtime (racy files).
    fs.utimesSync(file, dayAgo, dayAgo);
    if (i % 20_000 === 19_999) log(`seeded ${i + 1} files in ${fmt.ms(performance.now() - started)}`);
  }
  return { files: FILES, bytes: TOTAL_BYTES };
}

/** readdir + stat of every file under `dir`, nothing else. */
function statWalk(dir) {
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files += statWalk(full);
    else {
      fs.statSync(full, { bigint: true });
      files++;
    }
  }
  return files;
}

/** Read + sha256 of every file under `dir`, one at a time. */
function readAndHashAll(dir) {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += readAndHashAll(full);
    else {
      const content = fs.readFileSync(full);
      crypto.createHash('sha256').update(content).digest();
      bytes += content.length;
    }
  }
  return bytes;
}

/** 20 dvc stages, each over one stage folder; every fifth starts a new chain, the rest need the one before. */
function pipelineStages(tree) {
  return Array.from({ length: STAGES }, (_, i) => {
    const name = `stage-${String(i).padStart(2, '0')}`;
    return {
      kind: 'cmd',
      name,
      needs: i % 5 === 0 ? [] : [`stage-${String(i - 1).padStart(2, '0')}`],
      deps: [path.join(tree, name)],
      outs: [path.join(tree, 'outs', name)],
      params: {},
      line: 1 + i * 6,
      cmd: [`python ${name}.py`],
      wdir: tree,
      frozen: false,
      alwaysChanged: false,
      image: 'orrery/python:local',
      paramFiles: [],
    };
  });
}

/** All 20 keys in order, upstream first, as the runner makes them. */
async function allKeys(app, hasher, tree, stages) {
  const keys = {};
  for (const stage of stages) {
    const upstreamKeys = Object.fromEntries(stage.needs.map((need) => [need, keys[need]]));
    keys[stage.name] = await app.stageKey({ stage, folder: tree, outs: stages.flatMap((s) => s.outs), imageDigest: 'sha256:bench', upstreamKeys, hasher });
  }
  return keys;
}

export async function benchPipelineCache({ log = () => {}, reruns = 5 } = {}) {
  const app = await loadCacheModule();
  const { dataDir: tree, reused, facts } = await cachedStore('pipeline-cache-tree', TREE_KEY, (dir) => seedTree(dir, log));
  log(`${reused ? 'reusing' : 'seeded'} ${facts.files} files (${fmt.mb(facts.bytes / 1024 / 1024)}) in ${tree}`);
  const stages = pipelineStages(tree);
  const idleMb = process.memoryUsage().rss / 1024 / 1024;

  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-pipeline-cache-'));
  const { db } = app.openDatabase({ dataDir: storeDir });
  try {
    // The read baseline first, which also brings the tree into the page cache for both sides alike.
    const readStarted = performance.now();
    const baselineBytes = readAndHashAll(tree);
    const readMs = performance.now() - readStarted;

    // The event loop's longest delay while idle: what the machine's load alone costs a timer.
    const idle = monitorEventLoopDelay({ resolution: 5 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    idle.disable();
    const idleStallMs = idle.max / 1e6;

    const firstLoop = monitorEventLoopDelay({ resolution: 5 });
    firstLoop.enable();
    const first = new app.ContentHasher(db);
    const firstStarted = performance.now();
    const firstKeys = await allKeys(app, first, tree, stages);
    const firstMs = performance.now() - firstStarted;
    firstLoop.disable();
    log(`first run ${fmt.ms(firstMs)}, ${first.bytesRead} bytes read`);

    // Each stage's outs exist, as after a successful run: a re-run decides "cached" only then.
    for (const stage of stages) fs.mkdirSync(stage.outs[0], { recursive: true });
    const rerunTimes = [];
    const walks = [];
    let stale = 0;
    let reread = 0;
    let uncached = 0;
    // One histogram per re-run: a re-enabled one counts the sync stat walk run while it was off.
    const loops = [];
    for (let i = 0; i < reruns; i++) {
      // The baseline alternates with the measured re-runs, so a change in the machine's load hits both.
      const walkStarted = performance.now();
      statWalk(tree);
      walks.push(performance.now() - walkStarted);

      // A fresh hasher on the same store: what a re-run after an app restart finds.
      const hasher = new app.ContentHasher(db);
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loops.push(loop);
      loop.enable();
      const started = performance.now();
      const keys = await allKeys(app, hasher, tree, stages);
      const outputs = await Promise.all(stages.map((stage) => app.outputsPresent(stage)));
      rerunTimes.push(performance.now() - started);
      loop.disable();
      reread += hasher.bytesRead;
      stale += stages.filter((s) => keys[s.name] !== firstKeys[s.name]).length;
      uncached += stages.filter((s, j) => keys[s.name] !== firstKeys[s.name] || !outputs[j].present).length;
    }
    const rerunMs = median(rerunTimes);
    const walkMs = median(walks);
    const rerunMax = Math.max(...loops.map((l) => l.max)) / 1e6;
    const stallMs = Math.max(rerunMax, firstLoop.max / 1e6);
    const stalls = `first run: max ${fmt.ms(firstLoop.max / 1e6)}, p99 ${fmt.ms(firstLoop.percentile(99) / 1e6)}; re-runs: max ${fmt.ms(rerunMax)}, p99 ${fmt.ms(median(loops.map((l) => l.percentile(99))) / 1e6)} (median); idle: p99 ${fmt.ms(idle.percentile(99) / 1e6)}`;

    return {
      rows: [
        {
          name: `pipeline cache: no-change re-run, ${STAGES} stage keys over ${FILES / 1000}k files`,
          value: fmt.ms(rerunMs),
          baseline: `bare stat walk ${fmt.ms(walkMs)}`,
          ratio: fmt.x(rerunMs / walkMs),
          target: '< 1 s',
          status: rerunMs < 1000 && uncached === 0 && reread === 0 ? 'PASS' : 'MISS',
          note: `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; median of ${reruns}, each by a fresh hasher on the stored stat cache (${rerunTimes.map(fmt.ms).join(', ')}); ${uncached === 0 ? 'all 20 decided cached (keys as in the first run, outs present)' : `${stale} keys differed from the first run, ${uncached} stage decisions not cached`}; ${reread} bytes re-read; stat walks ${walks.map(fmt.ms).join(', ')}`,
        },
        {
          name: `pipeline cache: first run, ${fmt.mb(facts.bytes / 1024 / 1024)} hashed`,
          value: fmt.ms(firstMs),
          baseline: `read + sha256, one file at a time ${fmt.ms(readMs)}`,
          ratio: fmt.x(firstMs / readMs),
          target: 'reported',
          status: 'info',
          note: `files in the page cache (the baselines read them first); baseline read ${baselineBytes} bytes`,
        },
        {
          name: 'pipeline cache: first run reads each byte once',
          value: `${first.bytesRead} bytes`,
          baseline: `tree ${facts.bytes} bytes`,
          ratio: fmt.x(first.bytesRead / facts.bytes),
          target: '= tree size',
          status: first.bytesRead === facts.bytes ? 'PASS' : 'MISS',
          note: `${first.filesRead} files read of ${facts.files}`,
        },
        {
          name: 'pipeline cache: longest event-loop stall while hashing',
          value: fmt.ms(stallMs),
          baseline: `idle for 3 s ${fmt.ms(idleStallMs)}`,
          ratio: fmt.x(stallMs / idleStallMs),
          target: '< 100 ms',
          status: stallMs < 100 ? 'PASS' : 'MISS',
          note: `monitorEventLoopDelay (${stalls}); the work is split into turns of about 10 ms`,
        },
      ],
      memory: { phase: 'pipeline-cache', idleMb, peakMb: process.resourceUsage().maxRSS / 1024 },
    };
  } finally {
    db.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}
