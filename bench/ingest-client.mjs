// One ingest client (forked by ingest.mjs): pre-builds its log-batch bodies, waits for "go",
// then sends them one after another over its own keep-alive connection.
import { HttpClient } from './server-process.mjs';

const { baseUrl, token, runId, requests, perRequest, keys } = JSON.parse(process.argv[2]);
const stepsPerRequest = perRequest / keys.length;
const timestamp0 = 1_750_000_000_000;

const bodies = [];
// What was sent, per key: ingest.mjs checks the store holds exactly this.
const sent = Object.fromEntries(keys.map((key) => [key, { count: 0, valueSum: 0, stepSum: 0 }]));
for (let r = 0; r < requests; r++) {
  const metrics = [];
  for (const key of keys) {
    for (let i = 0; i < stepsPerRequest; i++) {
      const step = r * stepsPerRequest + i;
      const value = Math.exp(-step / 50_000) + Math.random() * 0.01;
      metrics.push({ key, value, timestamp: timestamp0 + step * 10, step });
      sent[key].count++;
      sent[key].valueSum += value;
      sent[key].stepSum += step;
    }
  }
  bodies.push(Buffer.from(JSON.stringify({ run_id: runId, metrics })));
}
const client = new HttpClient(baseUrl, token);
process.send({ type: 'ready', runId, sent, bytes: bodies.reduce((n, b) => n + b.length, 0) });
process.once('message', async () => {
  const started = performance.now();
  let failures = 0;
  let firstFailure = null;
  for (const body of bodies) {
    const { status, body: answer } = await client.post('/api/2.0/mlflow/runs/log-batch', body);
    if (status !== 200) {
      failures++;
      firstFailure ??= `${status} ${answer.toString('utf8').slice(0, 300)}`;
    }
  }
  const ms = performance.now() - started;
  client.close();
  process.send({ type: 'done', ms, failures, firstFailure }, () => process.exit(0));
});
