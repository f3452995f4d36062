import { createHash } from 'node:crypto';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { call, closeServer, deployment, eventually, FakeRoutes, freePort, startGateway, upstream } from './gateway-fixture';

describe('gateway failures', () => {
  it('answers 504 with an MLflow-style error when the replica is slower than the timeout, and reports it as an upstream failure', async () => {
    const slow = await upstream('s1', 1, (_req, res) => setTimeout(() => res.end('{"predictions": [1]}'), 1500));
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [slow] }], { timeoutMs: 200 });
    source.table = [routes];
    await startGateway(source);
    const started = performance.now();
    const answer = await call(routes.port);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answer.status).toBe(504);
    expect(answer.json()).toEqual({ error_code: 'DEADLINE_EXCEEDED', message: 'Request processing time exceeded limit (0.2 s).' });
    expect(answer.headers['x-orrery-version']).toBe('1');
    await eventually(() => source.observed.length === 1);
    expect(source.observed[0]).toMatchObject({ status: 504, upstreamFailure: true, version: 1 });
  });

  it('routes around a dead replica: retries once on another ready replica of the same version', async () => {
    const alive = await upstream('alive', 1);
    const dead = await upstream('dead', 1);
    await closeServer(dead.server);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [dead, alive] }]);
    source.table = [routes];
    await startGateway(source);
    for (let i = 0; i < 6; i++) {
      const answer = await call(routes.port, { body: `{"inputs": [[${i}]]}` });
      expect(answer.status).toBe(200);
    }
    expect(alive.received.map((r) => r.body.toString())).toEqual([0, 1, 2, 3, 4, 5].map((i) => `{"inputs": [[${i}]]}`));
    await eventually(() => source.observed.length === 6);
    expect(source.observed.every((o) => o.replicaId === 'alive' && !o.upstreamFailure)).toBe(true);
  });

  it('routes around a replica killed while the gateway holds kept-alive connections to it', async () => {
    const a = await upstream('a', 1);
    const b = await upstream('b', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [a, b] }]);
    source.table = [routes];
    await startGateway(source);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const burst = () => Promise.all(Array.from({ length: 8 }, (_, i) => call(routes.port, { agent, body: `{"inputs": [[${i}]]}` })));
    expect((await burst()).map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(a.received.length).toBeGreaterThan(0);
    // Killed: its sockets are cut and its port refuses, as after docker kill.
    await closeServer(a.server);
    const before = b.received.length;
    for (let round = 0; round < 3; round++) expect((await burst()).map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(b.received.length - before).toBe(24);
    agent.destroy();
  });

  it('tries a single replica again on a fresh socket when a kept-alive one was closed under it', async () => {
    let count = 0;
    const flaky = await upstream('only', 1, (req, res) => {
      // The second request arrives on a reused socket: close it unanswered, as an idle timeout would.
      if (++count === 2) return req.socket.destroy();
      res.end(`{"predictions": [${count}]}`);
    });
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [flaky] }]);
    source.table = [routes];
    await startGateway(source);
    expect((await call(routes.port)).json()).toEqual({ predictions: [1] });
    const again = await call(routes.port);
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ predictions: [3] });
  });

  it('answers 502 when no replica of the version can be reached', async () => {
    const source = new FakeRoutes();
    const port = await freePort();
    const routes = await deployment('iris', [{ version: 3, weight: 100, replicas: [] }]);
    routes.versions[0]!.replicas = [{ replicaId: 'gone', version: 3, host: '127.0.0.1', port }];
    source.table = [routes];
    await startGateway(source);
    const answer = await call(routes.port);
    expect(answer.status).toBe(502);
    expect(answer.json()).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE', message: expect.stringContaining('Replica gone of version 3 could not be reached (ECONNREFUSED)') });
    await eventually(() => source.observed.length === 1);
    expect(source.observed[0]).toMatchObject({ status: 502, upstreamFailure: true, replicaId: 'gone' });
  });

  it('passes a model error through with its status and reports it as one', async () => {
    const failing = await upstream('s1', 1, (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-orrery-model-error': '1' });
      res.end('{"error_code": "BAD_REQUEST", "message": "predict raised"}');
    });
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [failing] }]);
    source.table = [routes];
    await startGateway(source);
    const answer = await call(routes.port);
    expect(answer.status).toBe(400);
    expect(answer.json().message).toBe('predict raised');
    await eventually(() => source.observed.length === 1);
    expect(source.observed[0]).toMatchObject({ status: 400, modelError: true, upstreamFailure: false });
  });

  it('callers that never finish sending their body hold no replica connection from the others', async () => {
    const replica = await upstream('r1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }], { timeoutMs: 20_000 });
    source.table = [routes];
    await startGateway(source);
    // More stalled uploads than the gateway's upstream sockets (64 per deployment).
    const stalled = Array.from({ length: 80 }, () => {
      const request = http.request({ host: '127.0.0.1', port: routes.port, method: 'POST', path: '/invocations', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      request.on('error', () => undefined);
      request.write('{');
      return request;
    });
    try {
      const started = performance.now();
      const answer = await call(routes.port);
      expect(answer.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(replica.received).toHaveLength(1); // none of the stalled bodies reached the replica
    } finally {
      for (const request of stalled) request.destroy();
    }
  });

  it('streams a large body both ways without changing a byte', async () => {
    const echo = await upstream('s1', 1, (req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(body);
    });
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [echo] }], { logRequests: true });
    source.table = [routes];
    await startGateway(source, { logBodyBytes: 1024 });
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: routes.port, method: 'POST', path: '/invocations', headers: { 'content-type': 'application/json' } }, (res) => {
        const hash = createHash('sha256');
        let size = 0;
        res.on('data', (c: Buffer) => {
          hash.update(c);
          size += c.length;
        });
        res.on('end', () => resolve(Buffer.from(JSON.stringify({ size, sha: hash.digest('hex') }))));
      });
      req.on('error', reject);
      // Written in pieces: the gateway must pass them on as they come.
      for (let i = 0; i < body.length; i += 1024 * 1024) req.write(body.subarray(i, i + 1024 * 1024));
      req.end();
    });
    const sha = createHash('sha256').update(body).digest('hex');
    expect(JSON.parse(answer.toString())).toEqual({ size: body.length, sha });
    await eventually(() => source.observed.length === 1);
    const logged = source.observed[0]!;
    // The log keeps the first kilobyte of each body and counts them whole.
    expect(logged.request!.bytes).toBe(body.length);
    expect(logged.request!.body.equals(body.subarray(0, 1024))).toBe(true);
    expect(logged.response!.bytes).toBe(body.length);
    expect(logged.response!.body.length).toBe(1024);
  }, 60_000);
});
