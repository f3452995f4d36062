// Seeds a comparison store fast: a few template runs are written through the app's MetricStore
// (points and rollups alike), every other run copies a template's rows with raw SQL, its values
// scaled by a per-run factor (> 0, so every bucket's min, max and last stay what they were, only
// larger) and its metric series registered through TrackingService.logBatch (its last point), so
// the run, its latest values and the keys index look exactly as a logged run's do. 100 runs × 1M
// steps then take a few minutes instead of an hour.
import { openTracking } from './app-bundle.mjs';
import { seedSeries } from './seed-series.mjs';

const T0 = 1_750_000_000_000;
/** Columns holding metric values: scaled in the copy. */
const VALUE_COLUMNS = new Set(['value', 'min_value', 'max_value', 'last_value']);

/** A template's value at a step: a decaying curve with noise and one spike per run. */
function valueOf(template, steps) {
  return (k, step) => (k + 1) * Math.exp(-step / (steps / (2 + (template % 7)))) + Math.random() * 0.05 + (step === 31_337 + template ? 5 : 0);
}

/** `INSERT … SELECT` copying a series' rows of `table` to another series, values times a factor. */
function copyStatement(db, table) {
  const columns = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .all(table)
    .map((c) => c.name);
  if (!columns.includes('series_id')) throw new Error(`${table}: no series_id column; the seeder does not know this schema`);
  const select = columns.map((c) => (c === 'series_id' ? '@to' : VALUE_COLUMNS.has(c) ? `${c} * @factor` : c));
  return db.prepare(`INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM ${table} WHERE series_id = @from`);
}

/**
 * Fills the empty `dataDir` with one experiment of `runs` runs × `steps` steps × `keys`, `templates`
 * of them written point by point. Returns the run ids and the seed time.
 */
export async function seedCompareStore(dataDir, { runs, steps, keys, templates = 4 }) {
  const started = performance.now();
  const { db, tracking, metrics } = await openTracking(dataDir);
  const experimentId = tracking.createExperiment('compare-paint');
  const seriesId = db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?');
  const seriesRow = db.prepare('SELECT point_count, min_step, max_step, last_value, last_step, last_timestamp FROM metric_series WHERE series_id = ?');
  const setSeries = db.prepare('UPDATE metric_series SET point_count = @point_count, min_step = @min_step, max_step = @max_step WHERE series_id = @to');
  const copyPoints = copyStatement(db, 'metric_points');
  const copyRollups = copyStatement(db, 'metric_rollups');
  const runIds = [];
  const sources = [];
  for (let r = 0; r < runs; r++) {
    const runId = tracking.createRun({ experimentId, name: `run-${r}`, startTime: T0, tags: [] }).runId;
    runIds.push(runId);
    const lr = 10 ** -(1 + (r % 4));
    const params = [
      { key: 'lr', value: String(lr) },
      { key: 'batch', value: String(32 << r % 3) },
      { key: 'seed', value: String(r) },
      { key: 'epochs', value: '10' },
    ];
    if (r < templates) {
      tracking.logBatch(runId, { params, metrics: [], tags: [] });
      seedSeries({ db, metrics }, runId, keys, steps, valueOf(r, steps), T0);
      sources.push(keys.map((key) => seriesId.get(runId, key).series_id));
      continue;
    }
    const from = sources[r % templates];
    const factor = 1 + r / runs;
    // The last point through the service: the series row, latest values and key index as logged.
    const last = keys.map((key, k) => {
      const row = seriesRow.get(from[k]);
      return { key, value: row.last_value * factor, step: row.last_step, timestamp: row.last_timestamp };
    });
    tracking.logBatch(runId, { params, metrics: last, tags: [] });
    db.transaction(() => {
      keys.forEach((key, k) => {
        const to = seriesId.get(runId, key).series_id;
        copyPoints.run({ from: from[k], to, factor });
        copyRollups.run({ from: from[k], to, factor });
        setSeries.run({ ...seriesRow.get(from[k]), to });
      });
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { runIds, seedMs: performance.now() - started };
}
