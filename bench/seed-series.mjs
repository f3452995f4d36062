// Writes metric series straight through the app's MetricStore, in chunks of one transaction each:
// how the benches seed millions of points in seconds.
const CHUNK = 50_000;

/** One series per key for `runId`, steps 0 … steps-1, each point's value from `valueOf(k, step)`. */
export function seedSeries({ db, metrics }, runId, keys, steps, valueOf, t0 = 1_750_000_000_000) {
  const points = new Array(CHUNK);
  for (const [k, key] of keys.entries()) {
    for (let from = 0; from < steps; from += CHUNK) {
      const n = Math.min(CHUNK, steps - from);
      points.length = n;
      for (let i = 0; i < n; i++) {
        const step = from + i;
        points[i] = { key, step, timestamp: t0 + step * 10, value: valueOf(k, step) };
      }
      db.transaction(() => metrics.append(runId, points))();
    }
  }
}
