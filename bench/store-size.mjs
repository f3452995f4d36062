// Store size: bytes per stored point after loading 10M points through the app's own writer
// (MetricStore.append, the code every log-batch ends in), in the order a fleet of runs logs them:
// 10 runs × 5 keys, 200 steps per key a batch, the runs taking turns, a transaction per round.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openTracking } from './app-bundle.mjs';
import { fmt } from './report.mjs';

const KEYS = ['loss', 'accuracy', 'lr', 'grad_norm', 'throughput'];
const TARGET = 40;

export async function benchStoreSize({ runs = 10, steps = 200_000, perBatch = 200, log = () => {} } = {}) {
  const totalPoints = runs * KEYS.length * steps;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-size-'));
  try {
    const { db, tracking, metrics } = await openTracking(dataDir);
    const experimentId = tracking.createExperiment('store-size');
    const runIds = Array.from({ length: runs }, (_, i) => tracking.createRun({ experimentId, name: `size-${i}`, tags: [] }).runId);
    log(`store-size: loading ${totalPoints.toLocaleString('en')} points…`);
    const started = performance.now();
    const t0 = 1_750_000_000_000;
    for (let from = 0; from < steps; from += perBatch) {
      db.transaction(() => {
        for (const runId of runIds) {
          const points = [];
          for (const key of KEYS) {
            for (let step = from; step < Math.min(steps, from + perBatch); step++) {
              points.push({ key, step, timestamp: t0 + step * 10, value: Math.exp(-step / 50_000) + Math.random() * 0.01 });
            }
          }
          metrics.append(runId, points);
        }
      })();
      metrics.committed();
    }
    const loadMs = performance.now() - started;
    db.close();

    const file = path.join(dataDir, 'orrery.db');
    const bytes = sizeOf(file) + sizeOf(`${file}-wal`);
    const byTable = tableSizes(file);
    const perPoint = bytes / totalPoints;
    const pointsPerPoint = (byTable.get('metric_points') ?? 0) / totalPoints;
    const share = (name) => ((byTable.get(name) ?? 0) / totalPoints).toFixed(1);
    return {
      rows: [
        {
          name: `store size: ${(totalPoints / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })}M points`,
          value: `${perPoint.toFixed(1)} B/point`,
          baseline: `metric_points alone ${pointsPerPoint.toFixed(1)} B/point`,
          ratio: fmt.x(perPoint / pointsPerPoint),
          target: `<= ${TARGET} B/point`,
          status: perPoint <= TARGET ? 'PASS' : 'MISS',
          note:
            `orrery.db + WAL after close ${(bytes / 2 ** 20).toFixed(0)} MiB (rollups ${share('metric_rollups')}, series ${share('metric_series')} B/point); ` +
            `loaded in ${(loadMs / 1000).toFixed(1)} s; per point it is flat in the point count (B-tree leaves), so 100M points take about the same per point`,
        },
      ],
      memory: { phase: 'store-size', idleMb: 0, peakMb: 0 },
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function sizeOf(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Bytes of pages per table, its indexes included (SQLite's dbstat). */
function tableSizes(file) {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT coalesce(m.tbl_name, s.name) AS name, sum(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1')
      .all();
    return new Map(rows.map((row) => [row.name, row.bytes]));
  } finally {
    db.close();
  }
}
