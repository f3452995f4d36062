// Gateway: requests through the serving gateway (GatewayHost with request logging on, writing the
// request log and 10 s metrics to a real store) against the same requests sent straight to the
// replica, 1 KB JSON bodies; concurrency 1 alternates target per request, concurrency 8 per
// round, so drift hits both alike.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { importTsModule } from './app-bundle.mjs';
import { COLUMNS, freePort, startReplica } from './gateway-replica.mjs';
import { fmt } from './report.mjs';

// The gateway as the app runs it: the app's own modules, bundled (npm packages load from
// node_modules), with the request log and the 10 s metrics written to a real store.
const GATEWAY_MODULE = `
import { GatewayHost } from './electron/server/gateway/gateway-host';
import { openDatabase } from './electron/services/store/database';
import { LiveMetrics } from './electron/services/serving/live-metrics';
import { MetricsRepository } from './electron/services/serving/metrics-repository';
import { RequestLogRepository } from './electron/services/serving/request-log-repository';
import { RequestLogWriter } from './electron/services/serving/request-log-writer';

export async function startGateway({ dataDir, port, replicaPort }) {
  const { db } = openDatabase({ dataDir });
  const live = new LiveMetrics();
  const metrics = new MetricsRepository(db);
  const log = new RequestLogRepository(db);
  const writer = new RequestLogWriter(log);
  const routes = [{
    name: 'bench', port, serving: true, token: null, timeoutMs: 60_000, maxBodyBytes: 100 * 1024 * 1024, logRequests: true, shadow: null,
    versions: [{ version: 1, weight: 100, replicas: [{ replicaId: 'r1', version: 1, host: '127.0.0.1', port: replicaPort }] }],
  }];
  const source = {
    routes: () => routes,
    onRoutesChanged: () => () => {},
    observe: (o) => { live.record(o); writer.enqueue(o); },
    observeShadow() {},
  };
  const host = new GatewayHost(source);
  const failures = await host.start();
  if (failures.length > 0) throw failures[0].error;
  const timer = setInterval(() => metrics.insert(live.drain(Date.now())), 1000);
  return {
    async stop() {
      clearInterval(timer);
      writer.close();
      metrics.insert(live.drain(Date.now() + 60_000));
      const logged = log.count('bench');
      const withInputs = db.prepare('SELECT count(*) FROM request_log WHERE inputs IS NOT NULL AND predictions IS NOT NULL').pluck().get();
      const windows = db.prepare('SELECT count(*) FROM serving_metrics').pluck().get();
      await host.close();
      db.close();
      return { logged, withInputs, windows, dropped: writer.dropped };
    },
  };
}
`;

/**
 * The gateway runs in this process, beside the load client (as the brief for this benchmark
 * allows): its CPU work lands on the same thread as the client's, so it is all counted, while the
 * scheduling delay of waking a third process, which on a busy 2-core machine swamps what is
 * measured, is not.
 */
async function startGatewayInProcess(replicaPort) {
  const { startGateway } = await importTsModule('gateway-module', GATEWAY_MODULE);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-gateway-'));
  const port = await freePort();
  const gateway = await startGateway({ dataDir, port, replicaPort });
  return {
    port,
    async stop() {
      try {
        return await gateway.stop();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A dataframe_split body of about 1 KB. */
function oneKilobyteBody() {
  const data = [];
  let body = '';
  for (let i = 0; Buffer.byteLength(body) < 1000; i++) {
    data.push(COLUMNS.map((_, j) => Number((Math.sin(i * 7 + j) * 3).toFixed(6))));
    body = JSON.stringify({ dataframe_split: { columns: COLUMNS, data } });
  }
  return Buffer.from(body);
}

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/invocations', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` callers, each sending one request after another until `count` are done (or `ms` passed). */
async function load(port, body, { concurrency, count = Infinity, ms = Infinity }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const started = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < count && performance.now() - started < ms) {
      sent++;
      latencies.push(await post(agent, port, body));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();
  return { latencies, elapsed };
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

/** Concurrency 1, one request to each target in turn (order alternating), so both see the same moments. */
async function paired(targets, body, count) {
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const out = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < targets.length; k++) {
      const j = i % 2 ? targets.length - 1 - k : k;
      out[targets[j].name].push(await post(agents[j], targets[j].port, body));
    }
  }
  for (const agent of agents) agent.destroy();
  return out;
}

/** Rounds alternate which target goes first. */
async function interleaved(rounds, targets, once) {
  const out = Object.fromEntries(targets.map((t) => [t.name, { latencies: [], elapsed: 0 }]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const target of order) {
      const { latencies, elapsed } = await once(target.port);
      out[target.name].latencies.push(...latencies);
      out[target.name].elapsed += elapsed;
    }
  }
  return out;
}

export async function benchGateway({ log = () => {}, rounds = 6, serialRequests = 1000 } = {}) {
  const replica = await startReplica();
  let gateway;
  try {
    log(`gateway: replica is ${replica.kind}`);
    gateway = await startGatewayInProcess(replica.port);
    const idle = process.memoryUsage().rss / 1024 / 1024;
    const body = oneKilobyteBody();
    const targets = [
      { name: 'direct', port: replica.port },
      { name: 'gateway', port: gateway.port },
    ];
    await interleaved(1, targets, (port) => load(port, body, { concurrency: 8, count: 400 }));

    const serial = await paired(targets, body, serialRequests);
    const parallel = await interleaved(rounds, targets, (port) => load(port, body, { concurrency: 8, ms: 1000 }));
    const peak = process.resourceUsage().maxRSS / 1024;
    const stopped = await gateway.stop();
    gateway = null;

    const p50 = { direct: quantile(serial.direct, 0.5), gateway: quantile(serial.gateway, 0.5) };
    const p99 = { direct: quantile(parallel.direct.latencies, 0.99), gateway: quantile(parallel.gateway.latencies, 0.99) };
    const rate = (r) => r.latencies.length / (r.elapsed / 1000);
    const throughput = { direct: rate(parallel.direct), gateway: rate(parallel.gateway) };
    const addedP50 = p50.gateway - p50.direct;
    const addedP99 = p99.gateway - p99.direct;
    const ratio = throughput.gateway / throughput.direct;
    const requests = serial.gateway.length + parallel.gateway.latencies.length + 400;
    const logNote = `request log: ${stopped.logged} of ${requests} gateway requests stored (${stopped.withInputs} with inputs and predictions, ${stopped.dropped} dropped); ${stopped.windows} 10 s metric rows`;
    return {
      rows: [
        {
          name: 'gateway: added p50, concurrency 1',
          value: fmt.ms(addedP50),
          baseline: `direct p50 ${fmt.ms(p50.direct)}`,
          ratio: fmt.x(p50.gateway / p50.direct),
          target: '<= 0.3 ms added',
          status: addedP50 <= 0.3 ? 'PASS' : 'MISS',
          note: `gateway p50 ${fmt.ms(p50.gateway)}; ${serial.gateway.length} requests each, alternating, 1 KB JSON bodies, replica: ${replica.kind}`,
        },
        {
          name: 'gateway: added p99, concurrency 8',
          value: fmt.ms(addedP99),
          baseline: `direct p99 ${fmt.ms(p99.direct)}`,
          ratio: fmt.x(p99.gateway / p99.direct),
          target: '<= 1 ms added',
          status: addedP99 <= 1 ? 'PASS' : 'MISS',
          note: `gateway p99 ${fmt.ms(p99.gateway)}; ${logNote}`,
        },
        {
          name: 'gateway: throughput, concurrency 8',
          value: `${throughput.gateway.toFixed(0)} req/s`,
          baseline: `direct ${throughput.direct.toFixed(0)} req/s`,
          ratio: fmt.x(ratio),
          target: '>= 0.9x direct',
          status: ratio >= 0.9 ? 'PASS' : 'MISS',
        },
      ],
      memory: { phase: 'gateway', idleMb: idle, peakMb: peak },
    };
  } finally {
    if (gateway) await gateway.stop().catch(() => {});
    await replica.stop();
  }
}
