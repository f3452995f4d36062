import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { call, closeServer, deployment, eventually, FakeRoutes, startGateway, upstream } from './gateway-fixture';

describe('gateway routing', () => {
  it('splits traffic exactly by weight (smooth round robin) and round-robins the replicas of a version', async () => {
    const stable = [await upstream('s1', 1), await upstream('s2', 1)];
    const canary = [await upstream('c1', 2)];
    const source = new FakeRoutes();
    const routes = await deployment('iris', [
      { version: 1, weight: 90, replicas: stable },
      { version: 2, weight: 10, replicas: canary },
    ]);
    source.table = [routes];
    await startGateway(source);
    const agent = new http.Agent({ keepAlive: true });
    const versions: string[] = [];
    for (let i = 0; i < 100; i++) versions.push(String((await call(routes.port, { agent })).headers['x-orrery-version']));
    agent.destroy();
    expect(versions.filter((v) => v === '2')).toHaveLength(10);
    expect(versions.filter((v) => v === '1')).toHaveLength(90);
    // Spread evenly, not in a block: every window of 10 has exactly one canary request.
    for (let i = 0; i < 100; i += 10) expect(versions.slice(i, i + 10).filter((v) => v === '2')).toHaveLength(1);
    expect(stable[0]!.received).toHaveLength(45);
    expect(stable[1]!.received).toHaveLength(45);
    expect(canary[0]!.received).toHaveLength(10);
  });

  it('lets a caller pin a version, and names the served versions when the pin is unknown', async () => {
    const source = new FakeRoutes();
    const routes = await deployment('iris', [
      { version: 1, weight: 100, replicas: [await upstream('s1', 1)] },
      { version: 2, weight: 0, replicas: [await upstream('c1', 2)] },
    ]);
    source.table = [routes];
    await startGateway(source);
    for (let i = 0; i < 3; i++) {
      const pinned = await call(routes.port, { headers: { 'x-orrery-version': '2' } });
      expect(pinned.status).toBe(200);
      expect(pinned.json()).toMatchObject({ predictions: [2] });
      expect(pinned.headers['x-orrery-version']).toBe('2');
    }
    const unknown = await call(routes.port, { headers: { 'x-orrery-version': '7' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('served: 1, 2') });
    expect((await call(routes.port)).headers['x-orrery-version']).toBe('1');
  });

  it("adds X-Request-Id (keeping a sane one of the caller's) and forwards it to the replica", async () => {
    const replica = await upstream('s1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }]);
    source.table = [routes];
    await startGateway(source);
    const own = await call(routes.port, { headers: { 'x-request-id': 'trace-42' } });
    expect(own.headers['x-request-id']).toBe('trace-42');
    expect(replica.received[0]!.headers['x-request-id']).toBe('trace-42');
    const generated = await call(routes.port, { headers: { 'x-request-id': 'bad id with spaces ' + 'x'.repeat(200) } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replica.received[1]!.headers['x-request-id']).toBe(generated.headers['x-request-id']);
    expect(replica.received[1]!.headers.host).toBe(`127.0.0.1:${replica.replica.port}`);
    await eventually(() => source.observed.length === 2);
    expect(source.observed[0]).toMatchObject({ deployment: 'iris', version: 1, replicaId: 's1', requestId: 'trace-42', status: 200, modelError: false, upstreamFailure: false });
    expect(source.observed[0]!.request).toBeUndefined();
  });

  it('takes changed routes on the next request and closes the port of a removed deployment', async () => {
    const source = new FakeRoutes();
    const v1 = await upstream('s1', 1);
    const v2 = await upstream('c1', 2);
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [v1] }]);
    const other = await deployment('digits', [{ version: 1, weight: 100, replicas: [v1] }]);
    source.table = [routes, other];
    const host = await startGateway(source);
    expect((await call(routes.port)).headers['x-orrery-version']).toBe('1');
    source.set([{ ...routes, versions: [{ version: 2, weight: 100, replicas: [v2.replica] }] }, other]);
    expect((await call(routes.port)).headers['x-orrery-version']).toBe('2');

    source.set([other]);
    await eventually(() => host.listeners().length === 1);
    await expect(call(routes.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await call(other.port)).status).toBe(200);
  });

  it('answers 503 with a JSON error when no replica is ready or the deployment is stopped', async () => {
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [] }]);
    source.table = [routes];
    await startGateway(source);
    const none = await call(routes.port);
    expect(none.status).toBe(503);
    expect(none.json()).toEqual({ error_code: 'TEMPORARILY_UNAVAILABLE', message: "Deployment 'iris' has no ready replica yet." });

    source.set([{ ...routes, serving: false }]);
    const stopped = await call(routes.port);
    expect(stopped.status).toBe(503);
    expect(stopped.json().message).toMatch(/'iris' is stopped/);
  });

  it('refuses a port already in use with a message naming the port, and serves the others', async () => {
    const busy = await upstream('x', 1);
    const source = new FakeRoutes();
    const model = await upstream('m', 1);
    const taken = await deployment('taken', [{ version: 1, weight: 100, replicas: [model] }], { port: busy.replica.port });
    const free = await deployment('free', [{ version: 1, weight: 100, replicas: [busy] }]);
    source.table = [taken, free];
    const errors: string[] = [];
    const { GatewayHost } = await import('../../../electron/server/gateway/gateway-host');
    const host = new GatewayHost(source, { onListenError: (name) => errors.push(name) });
    try {
      const failures = await host.start();
      expect(failures.map((f) => f.deployment)).toEqual(['taken']);
      expect(errors).toEqual(['taken']);
      await expect(host.ensureListening('taken')).rejects.toThrow(`Port ${busy.replica.port} is already in use`);
      source.set([taken, free]);
      await expect(host.ensureListening('taken')).rejects.toThrow('already in use');
      expect(errors).toEqual(['taken']);
      await expect(host.ensureListening('nope')).rejects.toThrow("No deployment named 'nope'");
      await host.ensureListening('free');
      expect((await call(free.port)).status).toBe(200);

      // Once the other program lets the port go, the next try opens it.
      await closeServer(busy.server);
      await host.ensureListening('taken');
      expect((await call(taken.port)).json()).toMatchObject({ replica: 'm' });
    } finally {
      await host.close();
    }
  });
});
