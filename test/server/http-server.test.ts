import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../electron/services/events/event-bus';
import { HardwareSampler } from '../../electron/services/hardware/hardware-sampler';
import { RpcDispatcher } from '../../electron/services/rpc/dispatcher';
import { OrreryHttpServer } from '../../electron/server/http-server';
import { fakeHandlers, sampleAt } from '../fakes/fake-handlers';
import { request } from '../helpers/http';
import { tempDir } from '../helpers/temp-dir';

const TOKEN = 'test-token-123';
const auth = { authorization: `Bearer ${TOKEN}` };

let server: OrreryHttpServer;
let port: number;
let bus: EventBus;
let sampler: HardwareSampler;
let staticDir: string;
let samples = 0;

beforeEach(async () => {
  bus = new EventBus();
  samples = 0;
  sampler = new HardwareSampler(async () => sampleAt(++samples), bus, 50);
  staticDir = tempDir();
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Orrery</title>');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  server = new OrreryHttpServer({ dispatcher: new RpcDispatcher(fakeHandlers()), bus, token: TOKEN, version: '9.9.9', staticDir });
  ({ port } = await server.listen(0));
});

afterEach(async () => {
  sampler.dispose();
  await server.close();
});

const rpc = (method: string, body: unknown, headers: Record<string, string> = auth) =>
  request(port, { method: 'POST', path: `/api/rpc/${method}`, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('HTTP transport', () => {
  it('answers /api/health without a token', async () => {
    const res = await request(port, { path: '/api/health' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, version: '9.9.9' });
  });

  it('runs a contract method over POST /api/rpc/<method>', async () => {
    const res = await rpc('app.getInfo', {});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, result: { name: 'Orrery' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('401 without a token or with a wrong one', async () => {
    const none = await rpc('app.getInfo', {}, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const wrong = await rpc('app.getInfo', {}, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const events = await request(port, { path: '/api/events?topics=hardware.sample' });
    expect(events.status).toBe(401);
  });

  it('403 for a foreign Host header (DNS rebinding), even on /api/health and the UI', async () => {
    for (const host of ['evil.example:80', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1']) {
      for (const p of ['/api/health', '/', '/api/rpc/app.getInfo']) {
        const res = await request(port, { path: p, headers: { host, ...auth } });
        expect(res.status, `${host} ${p}`).toBe(403);
        expect(JSON.parse(res.body).error.code).toBe('FORBIDDEN');
      }
    }
    expect((await request(port, { path: '/api/health', headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses cross-origin browser requests and sends no CORS headers', async () => {
    const res = await rpc('app.getInfo', {}, { ...auth, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(port, { method: 'OPTIONS', path: '/api/rpc/app.getInfo', headers: { origin: 'https://evil.example' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect((await rpc('app.getInfo', {}, { ...auth, origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('404 with a code for an unknown method or route', async () => {
    const res = await rpc('nope.nothing', {});
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: "Unknown method 'nope.nothing'." } });
    expect((await request(port, { path: '/api/whatever', headers: auth })).status).toBe(404);
  });

  it('400 naming the field when input fails its schema, and for a body that is not JSON', async () => {
    const res = await rpc('hardware.getOverview', { fast: 1 });
    expect(res.status).toBe(400);
    const { error } = JSON.parse(res.body);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/fast/);
    const bad = await request(port, { method: 'POST', path: '/api/rpc/app.getInfo', headers: auth, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/not valid JSON/);
  });

  it('serves the built UI with a strict CSP, and never files outside its folder', async () => {
    const index = await request(port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Orrery</title>');
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(index.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    const js = await request(port, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toMatch(/text\/javascript/);
    const escape = await request(port, { path: '/%2e%2e/%2e%2e/etc/passwd' });
    expect(escape.body).not.toMatch(/root:/);
  });

  it('streams events as server-sent events, and sampling stops when the stream closes', async () => {
    const received: string[] = [];
    const closed = new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/api/events?topics=hardware.sample', headers: { ...auth, host: `127.0.0.1:${port}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received.push(...chunk.split('\n\n').filter((block) => block.startsWith('event:')));
            if (received.length >= 2) req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.on('close', () => resolve());
    });
    await closed;
    expect(received[0]).toMatch(/^event: hardware\.sample\ndata: \{"at":1,/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bus.listenerCount('hardware.sample')).toBe(0);
    expect(sampler.active).toBe(false);
    const after = samples;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(samples).toBe(after);
  });

  it('a topic named twice in one stream is one subscription: each event arrives once', async () => {
    let listeners = -1;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/api/events?topics=hardware.sample,hardware.sample,hardware.sample', headers: { ...auth, host: `127.0.0.1:${port}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            listeners = bus.listenerCount('hardware.sample');
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.on('close', () => resolve());
    });
    expect(listeners).toBe(1);
  });

  it('400 for an unknown event topic', async () => {
    const res = await request(port, { path: '/api/events?topics=hardware.sample,gossip', headers: auth });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(/gossip/);
  });

  it('binds to 127.0.0.1 only', () => {
    const address = (server as unknown as { server: http.Server }).server.address();
    expect(address).toMatchObject({ address: '127.0.0.1' });
  });
});
