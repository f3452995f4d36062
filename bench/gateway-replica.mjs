// The replica the gateway benchmark calls: a real orrery/serve:local container serving a small
// scikit-learn model (trained in the image itself, written as an MLflow model folder), or, when
// that image is not built, a small Node server in a child process answering the same shape.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IMAGE = 'orrery/serve:local';
export const COLUMNS = ['a', 'b', 'c', 'd'];

const TRAIN = `
import pickle, json, numpy as np
from sklearn.linear_model import LogisticRegression
rng = np.random.default_rng(0)
X = rng.normal(size=(500, 4))
y = (X[:, 0] + X[:, 1] - X[:, 3] > 0).astype(int)
with open('/out/model.pkl', 'wb') as f:
    pickle.dump(LogisticRegression().fit(X, y), f)
inputs = json.dumps([{"name": c, "type": "double"} for c in ${JSON.stringify(COLUMNS)}])
with open('/out/MLmodel', 'w') as f:
    f.write("flavors:\\n  python_function:\\n    loader_module: mlflow.sklearn\\n    model_path: model.pkl\\n"
            "  sklearn:\\n    pickled_model: model.pkl\\n    serialization_format: pickle\\n"
            "signature:\\n  inputs: '" + inputs + "'\\n")
`;

async function imageBuilt() {
  try {
    await run('docker', ['image', 'inspect', IMAGE]);
    return true;
  } catch {
    return false;
  }
}

export async function freePort() {
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitReady(port, what, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer /ping within ${timeoutMs / 1000} s`);
}

/**
 * ORRERY_BENCH_REPLICA=node uses the Node stand-in even when the image is built (to see the
 * gateway's own cost apart from the model server's noise).
 * @returns {Promise<{ port: number, kind: string, stop: () => Promise<void> }>}
 */
export async function startReplica() {
  const port = await freePort();
  const forceNode = process.env.ORRERY_BENCH_REPLICA === 'node';
  if (!forceNode && (await imageBuilt())) {
    const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-model-'));
    fs.chmodSync(modelDir, 0o755);
    const user = `${process.getuid()}:${process.getgid()}`;
    await run('docker', ['run', '--rm', '--network', 'none', '--user', user, '-v', `${modelDir}:/out`, IMAGE, 'python3', '-c', TRAIN]);
    for (const file of fs.readdirSync(modelDir)) fs.chmodSync(path.join(modelDir, file), 0o644);
    const { stdout } = await run('docker', [
      'run', '-d', '--rm', '--network', 'host', '--label', 'orrery.bench=gateway',
      '-e', `ORRERY_SERVE_PORT=${port}`, '-v', `${modelDir}:/opt/ml/model:ro`, IMAGE,
    ]);
    const id = stdout.trim();
    const stop = async () => {
      await run('docker', ['rm', '-f', id]).catch(() => {});
      fs.rmSync(modelDir, { recursive: true, force: true });
    };
    try {
      await waitReady(port, `the ${IMAGE} replica`);
    } catch (error) {
      const logs = await run('docker', ['logs', '--tail', '20', id]).catch(() => ({ stdout: '', stderr: '' }));
      await stop();
      throw new Error(`${error.message}\n${logs.stdout}${logs.stderr}`);
    }
    return { port, kind: `${IMAGE} (sklearn LogisticRegression)`, stop };
  }
  // Stand-in: a Node server in its own process that answers {"predictions": [...]} per row.
  const child = spawn(process.execPath, ['-e', NODE_REPLICA, String(port)], { stdio: 'ignore' });
  await waitReady(port, 'the Node stand-in replica', 10_000);
  return {
    port,
    kind: forceNode ? 'Node stand-in (ORRERY_BENCH_REPLICA=node)' : `Node stand-in (${IMAGE} not built: run npm run images)`,
    stop: async () => {
      child.kill();
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

const NODE_REPLICA = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/ping') { res.writeHead(200); return res.end('\\n'); }
    const rows = JSON.parse(Buffer.concat(chunks).toString()).dataframe_split.data;
    const body = JSON.stringify({ predictions: rows.map((r) => (r[0] + r[1] > 0 ? 1 : 0)) });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[1]), '127.0.0.1');
`;
