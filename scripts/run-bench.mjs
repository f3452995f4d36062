// `npm run bench`: performance benchmarks against the built headless server (dist/cli/serve.js)
// over real HTTP, each next to a baseline measured in the same run. Benchmarks are not tests: a
// missed target is printed as MISS and the exit code stays 0.
//
//   npm run bench                          all of them (about 2 minutes on 2 cores, ~1.2 GB in $TMPDIR)
//   npm run bench -- --only=history,runs   some of them: ingest, history, runs, compare, gateway, canary, drift, runs-ui, cold-start, store-size, pipeline-cache
//   npm run bench -- --cpu-prof=DIR        each server writes a .cpuprofile into DIR when it stops
//   node bench/cpuprofile-summary.mjs FILE  where that profile's time went
// runs-ui and cold-start seed big stores once (minutes; cold-start's is ~4 GB), pipeline-cache a
// 1 GiB tree of 100k files, and keep them in
// $ORRERY_BENCH_CACHE (default $TMPDIR/orrery-bench-cache) for later runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchCanaryRollback } from '../bench/canary-rollback.mjs';
import { benchColdStart } from '../bench/cold-start.mjs';
import { benchComparePaint } from '../bench/compare-paint.mjs';
import { benchGateway } from '../bench/gateway.mjs';
import { benchHistory } from '../bench/history.mjs';
import { benchIngest } from '../bench/ingest.mjs';
import { benchMonitoringDrift } from '../bench/monitoring-drift.mjs';
import { benchPipelineCache } from '../bench/pipeline-cache.mjs';
import { fmt, printTable } from '../bench/report.mjs';
import { benchRunsTable } from '../bench/runs-table.mjs';
import { benchRunsTableUi } from '../bench/runs-table-ui.mjs';
import { benchStoreSize } from '../bench/store-size.mjs';

const ALL = ['ingest', 'history', 'runs', 'compare', 'gateway', 'canary', 'drift', 'runs-ui', 'cold-start', 'store-size', 'pipeline-cache'];
const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [name, value = 'true'] = arg.replace(/^--/, '').split('=');
    return [name, value];
  }),
);
const only = args.only ? args.only.split(',') : ALL;
const unknown = only.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}.`);
  process.exit(2);
}
const cpuProfDir = args['cpu-prof'] && args['cpu-prof'] !== 'true' ? path.resolve(args['cpu-prof']) : undefined;
if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });

const log = (line) => console.error(`  · ${line}`);
const started = performance.now();
console.error(`Orrery benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);

const rows = [];
const memory = [];
const phases = { ingest: benchIngest, history: benchHistory, runs: benchRunsTable, compare: benchComparePaint, gateway: benchGateway, canary: benchCanaryRollback, drift: benchMonitoringDrift, 'runs-ui': benchRunsTableUi, 'cold-start': benchColdStart, 'store-size': benchStoreSize, 'pipeline-cache': benchPipelineCache };
for (const name of only) {
  log(`${name}…`);
  const result = await phases[name]({ cpuProfDir, log });
  rows.push(...result.rows);
  memory.push(result.memory);
}

const watched = memory.filter((m) => m.phase === 'ingest' || m.phase === 'history');
if (watched.length > 0) {
  const peak = Math.max(...watched.map((m) => m.peakMb));
  const idle = Math.min(...watched.map((m) => m.idleMb));
  rows.push({
    name: `memory: server peak RSS (${watched.map((m) => m.phase).join(' + ')})`,
    value: fmt.mb(peak),
    baseline: `idle after start ${fmt.mb(idle)}`,
    ratio: fmt.x(peak / idle),
    target: '< 400 MB',
    status: peak < 400 ? 'PASS' : 'MISS',
    note: memory.map((m) => `${m.phase} ${fmt.mb(m.peakMb)}`).join(', ') + ' (VmHWM of each server process)',
  });
}

console.log('');
printTable(rows);
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s in all${cpuProfDir ? `; CPU profiles in ${cpuProfDir}` : ''}`);
