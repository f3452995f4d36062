import { describe, expect, it } from 'vitest';
import { call, deployment, FakeRoutes, startGateway, upstream } from './gateway-fixture';

describe('gateway refusals', () => {
  it('answers only our own loopback Host names with the port', async () => {
    const replica = await upstream('s1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }]);
    source.table = [routes];
    await startGateway(source);
    for (const host of [`127.0.0.1:${routes.port}`, `localhost:${routes.port}`, `LOCALHOST:${routes.port}`, `[::1]:${routes.port}`]) {
      expect((await call(routes.port, { headers: { host } })).status).toBe(200);
    }
    for (const host of ['evil.example:80', `attacker.test:${routes.port}`, '127.0.0.1', `127.0.0.1:${routes.port + 1}`]) {
      const refused = await call(routes.port, { headers: { host } });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ error_code: 'PERMISSION_DENIED', message: expect.stringContaining('is not allowed') });
    }
    expect(replica.received).toHaveLength(4);
  });

  it('refuses cross-origin browser requests', async () => {
    const replica = await upstream('s1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }]);
    source.table = [routes];
    await startGateway(source);
    for (const headers of [{ origin: 'https://evil.example' } as Record<string, string>, { origin: `http://127.0.0.1:${routes.port}` }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
      const refused = await call(routes.port, { headers });
      expect(refused.status).toBe(403);
      expect(refused.json().message).toBe('Cross-origin browser requests are refused.');
    }
    expect(replica.received).toHaveLength(0);
  });

  it('requires the bearer token when the deployment has one, and does not pass it on', async () => {
    const replica = await upstream('s1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }], { token: 's3cret-token' });
    source.table = [routes];
    await startGateway(source);
    const missing = await call(routes.port);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="orrery"/);
    expect(missing.json().error_code).toBe('UNAUTHENTICATED');
    const wrong = await call(routes.port, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json().message).toBe('Wrong token.');
    const right = await call(routes.port, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(right.status).toBe(200);
    expect(replica.received).toHaveLength(1);
    expect(replica.received[0]!.headers.authorization).toBeUndefined();

    source.set([{ ...routes, token: null }]);
    expect((await call(routes.port)).status).toBe(200);
  });

  it('answers 413 for a body over the limit, from Content-Length or counted while streaming, without reaching the replica', async () => {
    const replica = await upstream('s1', 1);
    const source = new FakeRoutes();
    const routes = await deployment('iris', [{ version: 1, weight: 100, replicas: [replica] }], { maxBodyBytes: 1000 });
    source.table = [routes];
    await startGateway(source);
    const declared = await call(routes.port, { body: Buffer.alloc(1001, 0x20) });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED', message: expect.stringContaining('limit of 1000 bytes') });
    const streamed = await call(routes.port, { body: Buffer.alloc(5000, 0x20), headers: { 'transfer-encoding': 'chunked' } });
    expect(streamed.status).toBe(413);
    expect(replica.received.every((r) => r.body.length <= 1000)).toBe(true);
    expect((await call(routes.port, { body: Buffer.alloc(1000, 0x20) })).status).toBe(200);
  });
});
