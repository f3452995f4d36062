// The runs-table bench's store: `runs` runs × 30 params × 10 metrics × 3 tags in the app's schema,
// written with raw SQL in SQLite itself (INSERT … SELECT): 100k runs through TrackingService take
// half an hour on a busy 2-core machine, this takes seconds. The schema comes from the app's
// migrations (openTracking); rows are what the app writes for a run: its row, params, tags (user,
// name, team), one metric_series row per key with the latest value, and the experiment's keys.
// Metric points and rollups are left out: runs/search and the runs table never read them.
import path from 'node:path';
import Database from 'better-sqlite3';
import { openTracking } from './app-bundle.mjs';

const T0 = 1_750_000_000_000;
export const TEAMS = ['cv', 'nlp', 'rl', 'speech'];

export async function seedRunsTableStore(dataDir, { runs, params = 30, metrics = 10 }) {
  const started = performance.now();
  const { db: appDb, tracking } = await openTracking(dataDir);
  const experimentId = Number(tracking.createExperiment('runs-table'));
  appDb.close();

  const db = new Database(path.join(dataDir, 'orrery.db'));
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec('CREATE TEMP TABLE n (i INTEGER PRIMARY KEY)');
  db.prepare('WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?) INSERT INTO temp.n SELECT i FROM c').run(Math.max(runs, params, metrics));
  // Random run ids, as the app's UUIDs: their order has nothing to do with start times.
  db.prepare('CREATE TEMP TABLE ids AS SELECT i, lower(hex(randomblob(16))) AS run_id FROM temp.n WHERE i < ?').run(runs);
  const random = '(abs(random()) % 1000000) / 1000000.0';
  db.transaction(() => {
    db.prepare(
      `INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, environment, last_update_time)
       SELECT run_id, @e, 'run-' || i, 'bench', 'FINISHED', @t0 + i * 1000, @t0 + i * 1000 + 500,
              'mlflow-artifacts:/' || @e || '/' || run_id || '/artifacts', '{"hardware":null,"client":{}}', @t0 + i * 1000 + 500
       FROM temp.ids`,
    ).run({ e: experimentId, t0: T0 });
    // Every third param a choice among 5, the others a number as text (what sweeps log).
    db.prepare(
      `INSERT INTO run_params (run_id, key, value)
       SELECT r.run_id, 'p' || p.i, CASE WHEN p.i % 3 = 0 THEN 'choice-' || ((r.i * 7 + p.i) % 5) ELSE CAST(${random} AS TEXT) END
       FROM temp.ids r CROSS JOIN temp.n p WHERE p.i < @params`,
    ).run({ params });
    db.prepare(
      `INSERT INTO run_tags (run_id, key, value)
       SELECT run_id, 'mlflow.user', 'bench' FROM temp.ids
       UNION ALL SELECT run_id, 'mlflow.runName', 'run-' || i FROM temp.ids
       UNION ALL SELECT run_id, 'team', json_extract(@teams, '$[' || (i % ${TEAMS.length}) || ']') FROM temp.ids`,
    ).run({ teams: JSON.stringify(TEAMS) });
    db.prepare(
      `INSERT INTO metric_series (run_id, key, point_count, min_step, max_step, last_value, last_is_nan, last_step, last_timestamp)
       SELECT r.run_id, 'm' || k.i, 1, 100, 100, ${random}, 0, 100, @t0 + r.i * 1000 + 500
       FROM temp.ids r CROSS JOIN temp.n k WHERE k.i < @metrics`,
    ).run({ metrics, t0: T0 });
    const keys = db.prepare('INSERT INTO experiment_keys (experiment_id, kind, key) SELECT @e, @kind, @prefix || i FROM temp.n WHERE i < @count');
    keys.run({ e: experimentId, kind: 'param', prefix: 'p', count: params });
    keys.run({ e: experimentId, kind: 'metric', prefix: 'm', count: metrics });
    for (const tag of ['mlflow.user', 'mlflow.runName', 'team']) db.prepare("INSERT INTO experiment_keys (experiment_id, kind, key) VALUES (?, 'tag', ?)").run(experimentId, tag);
  })();
  db.close();
  return { experimentId: String(experimentId), seedMs: performance.now() - started };
}
