// How fast a bad canary is rolled back, on evidence only, through the built server with real
// orrery/serve:local replicas: a candidate failing 20% of its requests at 10% weight, with the
// step's minimum lowered to 20 requests, should be rolled back within 50 candidate requests (the
// baseline: Flagger and Argo decide per interval, a minute by default, however many requests came).
// Then a canary at a trickle of traffic, with a 1 s step time, must still be waiting for evidence
// after several step times: deciding on time alone would be the known failure.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer } from './server-process.mjs';

const run = promisify(execFile);
const IMAGE = 'orrery/serve:local';

/** A stable sklearn model, and a python_function model whose every fifth predict call raises. */
const MAKE_MODELS = `
import os, pickle, numpy as np
from sklearn.linear_model import LogisticRegression
rng = np.random.default_rng(0)
X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
os.makedirs('/out/stable', exist_ok=True)
pickle.dump(LogisticRegression().fit(X, y), open('/out/stable/model.pkl', 'wb'))
open('/out/stable/MLmodel', 'w').write('flavors:\\n  sklearn:\\n    pickled_model: model.pkl\\n    serialization_format: pickle\\n')
os.makedirs('/out/flaky/code', exist_ok=True)
open('/out/flaky/code/flaky_model.py', 'w').write('''
class Flaky:
    calls = 0
    def predict(self, frame):
        Flaky.calls += 1
        if Flaky.calls % 5 == 0:
            raise ValueError("every fifth request fails")
        return [0] * len(frame)
def _load_pyfunc(path):
    return Flaky()
''')
os.makedirs('/out/flaky/data', exist_ok=True); open('/out/flaky/data/params.json', 'w').write('{}')
open('/out/flaky/MLmodel', 'w').write('flavors:\\n  python_function:\\n    loader_module: flaky_model\\n    code: code\\n    data: data\\n')
os.system('chmod -R a+rX /out')
`;

function post(port, body) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = http.request(
      { host: '127.0.0.1', port, path: '/invocations', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, version: Number(res.headers['x-orrery-version']) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Until the rollout is waiting for traffic; one that ended instead (its candidate did not start) throws with its reason. */
async function candidateReady(rpc) {
  return waitFor('the candidate to be ready', async () => {
    const rollout = (await rpc('serving.getDeployment', { name: 'bench-canary' })).rollout;
    if (rollout?.endedAt) throw new Error(`the rollout ended ${rollout.state}: ${rollout.lastDecision?.message}`);
    return rollout?.state === 'waiting-for-traffic';
  });
}

async function waitFor(what, check, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchCanaryRollback({ log }) {
  try {
    await run('docker', ['image', 'inspect', IMAGE]);
  } catch {
    log(`${IMAGE} is not built (npm run images): the canary benchmark needs it; skipped`);
    return { rows: [{ name: 'canary: rollback of a 20%-failing candidate', value: 'not run', baseline: '-', ratio: '-', target: `needs ${IMAGE}`, status: 'MISS' }], memory: { phase: 'canary', peakMb: 0, idleMb: 0 } };
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-canary-'));
  const models = path.join(work, 'models');
  fs.mkdirSync(models);
  const server = await startServer({ dataDir: path.join(work, 'data') });
  const rpc = async (method, input) => (await server.client.rpc(method, input)).result;
  try {
    await run('docker', ['run', '--rm', '--user', '0', '--network', 'none', '-v', `${models}:/out`, IMAGE, 'python3', '-c', MAKE_MODELS]);
    await rpc('registry.registerFromFolder', { name: 'bench-canary', folder: path.join(models, 'stable'), actor: 'bench' });
    await rpc('registry.registerFromFolder', { name: 'bench-canary', folder: path.join(models, 'flaky'), actor: 'bench' });
    const deployment = await rpc('serving.createDeployment', { name: 'bench-canary', model: 'bench-canary', version: 1 });
    const body = { dataframe_split: { columns: ['a', 'b'], data: [[0.1, 0.2]] } };

    // 1. A candidate failing 20% of its requests at 10% weight, minimum 20 requests per step.
    await rpc('serving.startRollout', { name: 'bench-canary', version: 2, strategy: 'canary', settings: { steps: [10, 25, 50, 100], minRequests: 20 } });
    await candidateReady(rpc);
    let candidateSeen = 0;
    let sent = 0;
    const trafficStarted = performance.now();
    let state = 'waiting-for-traffic';
    while (state !== 'rolled-back' && sent < 5000) {
      const answer = await post(deployment.port, body);
      sent++;
      if (answer.version === 2) candidateSeen++;
      if (sent % 10 === 0) state = (await rpc('serving.getDeployment', { name: 'bench-canary' })).rollout?.state;
    }
    const seconds = (performance.now() - trafficStarted) / 1000;
    // What one decision per 60 s interval (Flagger's default) would have let reach the candidate at this rate.
    const perInterval = (candidateSeen / seconds) * 60;
    const events = await rpc('serving.listEvents', { name: 'bench-canary', limit: 20 });
    const rollback = events.find((e) => e.kind === 'rollback');
    const decidedAt = rollback?.numbers.candidateRequests ?? null;
    log(`rolled back after ${decidedAt} candidate requests (${candidateSeen} reached the candidate of ${sent} sent): ${rollback?.message}`);

    // 2. A trickle: 5 candidate requests, then several step times with nothing.
    await rpc('serving.startRollout', { name: 'bench-canary', version: 2, strategy: 'canary', settings: { steps: [50, 100], minRequests: 20, intervalMs: 1000 } });
    await candidateReady(rpc);
    for (let i = 0; i < 10; i++) await post(deployment.port, body);
    await new Promise((r) => setTimeout(r, 5000));
    const trickle = (await rpc('serving.getDeployment', { name: 'bench-canary' })).rollout;
    log(`after 5 step times at a trickle: ${trickle.state} (${trickle.note})`);
    await rpc('serving.abortRollout', { name: 'bench-canary' });

    return {
      rows: [
        {
          name: 'canary: candidate requests until a 20%-failing candidate (10% weight, min 20) is rolled back',
          value: decidedAt === null ? 'not rolled back' : `${decidedAt} requests`,
          baseline: `${perInterval.toFixed(0)} requests in one 60 s interval at this rate`,
          ratio: decidedAt === null ? '-' : `${(decidedAt / perInterval).toFixed(3)}x`,
          target: '<= 50 requests',
          status: decidedAt !== null && decidedAt <= 50 ? 'PASS' : 'MISS',
          note: `${candidateSeen} of ${sent} requests reached the candidate before the rollback`,
        },
        {
          name: 'canary: at a trickle (10 requests, 5 step times) the rollout waits for evidence',
          value: trickle.state,
          baseline: 'deciding on time alone',
          ratio: '-',
          target: 'waiting-for-traffic',
          status: trickle.state === 'waiting-for-traffic' ? 'PASS' : 'MISS',
        },
      ],
      memory: { phase: 'canary', peakMb: server.memory().peakMb, idleMb: server.memory().rssMb },
    };
  } finally {
    await rpc('serving.deleteDeployment', { name: 'bench-canary' }).catch(() => undefined);
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
