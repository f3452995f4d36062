import { describe, expect, it } from 'vitest';
import { call, deployment, eventually, FakeRoutes, startGateway, upstream } from './gateway-fixture';

describe('gateway shadow copies and request-log copies', () => {
  it("sends a copy to the shadow only after the caller's answer finished, and reports both answers", async () => {
    const order: string[] = [];
    const stable = await upstream('s1', 1, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"predictions": [1, 0]}', () => order.push('stable answered'));
    });
    const shadow = await upstream('sh1', 2, (_req, res) => {
      order.push('shadow asked');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"predictions": [1, 1]}');
    });
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [stable] }], {
      shadow: { version: 2, share: 50, replicas: [shadow.replica] },
    });
    source.table = [routes];
    const host = await startGateway(source);
    for (let i = 0; i < 4; i++) {
      const answer = await call(routes.port, { body: `{"inputs": [[${i}]]}` });
      expect(answer.json()).toEqual({ predictions: [1, 0] });
      expect(answer.headers['x-orrery-version']).toBe('1');
    }
    await eventually(() => source.shadows.length === 2);
    // Half the requests (share 50), every second one, each copied after the caller was answered.
    expect(shadow.received.map((r) => r.body.toString())).toEqual(['{"inputs": [[1]]}', '{"inputs": [[3]]}']);
    expect(order.indexOf('shadow asked')).toBeGreaterThan(order.indexOf('stable answered'));
    const seen = source.shadows[0]!;
    expect(seen).toMatchObject({ deployment: 'iris', version: 2, status: 200, primaryStatus: 200, modelError: false });
    expect(seen.primaryBody.toString()).toBe('{"predictions": [1, 0]}');
    expect(seen.shadowBody.toString()).toBe('{"predictions": [1, 1]}');
    expect(seen.requestId).toBe(source.observed.find((o) => o.requestId === seen.requestId)?.requestId);
    expect(seen.latencyMs).toBeGreaterThan(0);
    expect(seen.primaryLatencyMs).toBeGreaterThan(0);
    // No caller answer ever came from the shadow.
    expect(source.observed.every((o) => o.version === 1)).toBe(true);
    expect(host.counters('iris')).toEqual({ shadowSent: 2, shadowSkipped: 0 });

    // A request pinned to a version is a test by hand: never copied.
    for (let i = 0; i < 4; i++) await call(routes.port, { headers: { 'x-orrery-version': '1' } });
    await call(routes.port, { headers: { 'x-orrery-version': '2' } });
    await eventually(() => source.observed.length === 9);
    await new Promise((r) => setTimeout(r, 50));
    expect(shadow.received).toHaveLength(3);
    expect(source.shadows).toHaveLength(2);
  });

  it('skips and counts shadow copies of bodies over the hold limit', async () => {
    const stable = await upstream('s1', 1);
    const shadow = await upstream('sh1', 2);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [stable] }], {
      shadow: { version: 2, share: 100, replicas: [shadow.replica] },
    });
    source.table = [routes];
    const host = await startGateway(source, { retainBodyBytes: 1000 });
    expect((await call(routes.port, { body: Buffer.alloc(2000, 0x20) })).status).toBe(200);
    expect((await call(routes.port, { body: '{"inputs": [[1]]}' })).status).toBe(200);
    await eventually(() => source.shadows.length === 1);
    expect(host.counters('iris')).toEqual({ shadowSent: 1, shadowSkipped: 1 });
    expect(shadow.received).toHaveLength(1);
  });

  it('hands capped copies of both bodies to the request log only when the deployment logs requests', async () => {
    const big = JSON.stringify({ predictions: Array.from({ length: 5000 }, (_, i) => i) });
    const replica = await upstream('s1', 1, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
    });
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }], { logRequests: true });
    source.table = [routes];
    await startGateway(source, { logBodyBytes: 100 });
    const body = JSON.stringify({ dataframe_records: Array.from({ length: 100 }, (_, i) => ({ a: i })) });
    await call(routes.port, { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    await eventually(() => source.observed.length === 1);
    const logged = source.observed[0]!;
    expect(logged.request).toEqual({ contentType: 'application/json; charset=utf-8', body: Buffer.from(body).subarray(0, 100), bytes: Buffer.byteLength(body) });
    expect(logged.response).toEqual({ body: Buffer.from(big).subarray(0, 100), bytes: Buffer.byteLength(big) });

    source.set([{ ...routes, logRequests: false }]);
    await call(routes.port, { body });
    await eventually(() => source.observed.length === 2);
    expect(source.observed[1]!.request).toBeUndefined();
    expect(source.observed[1]!.response).toBeUndefined();
  });
});
