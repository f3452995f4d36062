// A store of `runs` runs × `keys` metrics × `steps` points (100k × 10 × 100 = 100M points) in the
// app's schema, written with raw SQL in SQLite itself (INSERT … SELECT), about 1M points a second
// where the app's own write path would take an hour. The schema comes from the app's migrations
// (openTracking); rows follow what the app writes: runs with params and a tag, a metric_series
// row per (run, key) with its latest value, points, and every rollup level's buckets. Values fall
// with the step (value = a / (1 + step)), so each bucket's min, max and last are known in closed form.
import Database from 'better-sqlite3';
import path from 'node:path';
import { openTracking } from './app-bundle.mjs';

const T0 = 1_750_000_000_000;
/** The app's rollup bucket widths by level (metric-store.ts); level 0 is the points themselves. */
const WIDTHS = [32, 128, 512, 2048, 8192, 32768, 131072, 524288, 2 ** 21, 2 ** 25, 2 ** 29, 2 ** 33];
const SERIES_PER_TRANSACTION = 20_000;

export async function seedBigStore(dataDir, { runs = 100_000, keys = 10, steps = 100, params = 5, log = () => {} } = {}) {
  const started = performance.now();
  const { db: appDb, tracking } = await openTracking(dataDir);
  const experimentId = Number(tracking.createExperiment('big-store'));
  appDb.close();

  const db = new Database(path.join(dataDir, 'orrery.db'));
  // A bench seed, not user data: no journal while it loads; the app turns WAL back on when it opens.
  db.pragma('journal_mode = DELETE'); // out of WAL first: SQLite goes from WAL to OFF only by way of it
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec('CREATE TEMP TABLE n (i INTEGER PRIMARY KEY)');
  db.prepare('WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?) INSERT INTO temp.n SELECT i FROM c').run(Math.max(runs, steps, keys, params));
  const runId = "printf('%032x', r.i)";
  // a: each series' scale; value(step) = a / (1 + step).
  const scale = '(0.5 + ((s.series_id * 7919) % 1000) / 1000.0)';
  db.transaction(() => {
    db.prepare(
      `INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, last_update_time)
       SELECT ${runId}, @e, 'run-' || r.i, 'bench', 'FINISHED', @t0 + r.i * 1000, @t0 + r.i * 1000 + 500,
              'mlflow-artifacts:/' || @e || '/' || ${runId} || '/artifacts', @t0 + r.i * 1000 + 500
       FROM temp.n r WHERE r.i < @runs`,
    ).run({ e: experimentId, t0: T0, runs });
    db.prepare(
      `INSERT INTO run_params (run_id, key, value) SELECT ${runId}, 'p' || p.i, CAST((r.i * 31 + p.i * 7) % 97 AS TEXT)
       FROM temp.n r CROSS JOIN temp.n p WHERE r.i < @runs AND p.i < @params`,
    ).run({ runs, params });
    db.prepare(`INSERT INTO run_tags (run_id, key, value) SELECT ${runId}, 'mlflow.user', 'bench' FROM temp.n r WHERE r.i < @runs`).run({ runs });
    const keyRows = (kind, prefix, count) =>
      db.prepare(`INSERT INTO experiment_keys (experiment_id, kind, key) SELECT @e, '${kind}', '${prefix}' || i FROM temp.n WHERE i < @count`).run({ e: experimentId, count });
    keyRows('param', 'p', params);
    keyRows('metric', 'm', keys);
    db.prepare("INSERT INTO experiment_keys (experiment_id, kind, key) VALUES (?, 'tag', 'mlflow.user')").run(experimentId);
    // series_id = run * keys + key + 1, so a range of ids is a range of runs.
    db.prepare(
      `INSERT INTO metric_series (series_id, run_id, key, point_count, min_step, max_step, last_value, last_is_nan, last_step, last_timestamp)
       SELECT r.i * @keys + k.i + 1, ${runId}, 'm' || k.i, @steps, 0, @steps - 1, 0, 0, @steps - 1, @t0 + (@steps - 1) * 10
       FROM temp.n r CROSS JOIN temp.n k WHERE r.i < @runs AND k.i < @keys`,
    ).run({ keys, steps, runs, t0: T0 });
    db.prepare(`UPDATE metric_series AS s SET last_value = ${scale} / @steps`).run({ steps });
  })();
  log(`big store: ${runs.toLocaleString('en')} runs and ${(runs * keys).toLocaleString('en')} series written; points next`);

  const totalSeries = runs * keys;
  const points = db.prepare(
    `INSERT INTO metric_points (series_id, step, timestamp, is_nan, value)
     SELECT s.series_id, t.i, @t0 + t.i * 10, 0, ${scale} / (1 + t.i)
     FROM metric_series s CROSS JOIN temp.n t WHERE s.series_id BETWEEN @from AND @to AND t.i < @steps`,
  );
  // One bucket per (series, level, bucket index); values fall, so max is at the first step, min and last at the last.
  const rollups = db.prepare(
    `INSERT INTO metric_rollups (series_id, level, bucket, count, first_step, last_step, min_value, min_step, max_value, max_step, last_value, last_is_nan, last_timestamp)
     SELECT series_id, @level, b, hi - lo + 1, lo, hi, a / (1 + hi), hi, a / (1 + lo), lo, a / (1 + hi), 0, @t0 + hi * 10
     FROM (SELECT s.series_id, ${scale} AS a, t.i AS b, t.i * @width AS lo, min(t.i * @width + @width - 1, @steps - 1) AS hi
           FROM metric_series s CROSS JOIN temp.n t WHERE s.series_id BETWEEN @from AND @to AND t.i < @steps AND t.i * @width < @steps)`,
  );
  for (let from = 1; from <= totalSeries; from += SERIES_PER_TRANSACTION) {
    const to = Math.min(totalSeries, from + SERIES_PER_TRANSACTION - 1);
    db.transaction(() => {
      points.run({ from, to, steps, t0: T0 });
      for (const [i, width] of WIDTHS.entries()) rollups.run({ from, to, steps, t0: T0, level: i + 1, width });
    })();
    if ((to / SERIES_PER_TRANSACTION) % 10 === 0) log(`big store: ${((to * steps) / 1e6).toFixed(0)}M of ${((totalSeries * steps) / 1e6).toFixed(0)}M points`);
  }
  db.pragma('journal_mode = WAL');
  db.close();
  return { experimentId: String(experimentId), runs, points: totalSeries * steps, seedMs: performance.now() - started };
}
