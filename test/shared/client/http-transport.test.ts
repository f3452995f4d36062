import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { eventStream, fakeServer } from '../../fakes/fake-event-server';

function transportFor(server: ReturnType<typeof fakeServer>) {
  return createHttpTransport({
    token: 'secret',
    fetch: server.fetch,
    backoff: { baseMs: 5, maxMs: 20 },
    random: () => 0,
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('HTTP transport: invoke', () => {
  it('posts JSON to /api/rpc/<method> with the bearer token and returns the envelope', async () => {
    const server = fakeServer(() => Response.json({ ok: true, result: { version: '0.1.0' } }));
    const envelope = await transportFor(server).invoke('app.getInfo', {});
    expect(envelope).toEqual({ ok: true, result: { version: '0.1.0' } });
    const [call] = server.calls;
    expect(call?.url).toBe('/api/rpc/app.getInfo');
    expect(call?.init?.method).toBe('POST');
    expect(new Headers(call?.init?.headers).get('Authorization')).toBe('Bearer secret');
    expect(new Headers(call?.init?.headers).get('Content-Type')).toBe('application/json');
    expect(call?.init?.body).toBe('{}');
  });

  it('passes an error envelope through, also on 4xx', async () => {
    const body = { ok: false, error: { code: 'INVALID_INPUT', message: 'bad' } };
    const server = fakeServer(() => Response.json(body, { status: 400 }));
    expect(await transportFor(server).invoke('app.getInfo', { x: 1 })).toEqual(body);
  });

  it('maps an unknown error code to INTERNAL', async () => {
    const server = fakeServer(() => Response.json({ ok: false, error: { code: 'WEIRD', message: 'm' } }, { status: 500 }));
    expect(await transportFor(server).invoke('app.getInfo', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'm' } });
  });

  it('turns a network failure into UNAVAILABLE', async () => {
    const server = fakeServer(() => Promise.reject(new TypeError('Failed to fetch')));
    const envelope = await transportFor(server).invoke('app.getInfo', {});
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) expect(envelope.error.code).toBe('UNAVAILABLE');
  });

  it('reads a status without an envelope by its code', async () => {
    const bad = fakeServer(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const unauthorized = fakeServer(() => new Response('nope', { status: 401 }));
    const garbled = fakeServer(() => new Response('not json', { status: 200 }));
    const codeOf = async (s: ReturnType<typeof fakeServer>) => {
      const e = await transportFor(s).invoke('app.getInfo', {});
      return e.ok ? 'ok' : e.error.code;
    };
    expect(await codeOf(bad)).toBe('UNAVAILABLE');
    expect(await codeOf(unauthorized)).toBe('UNAUTHORIZED');
    expect(await codeOf(garbled)).toBe('INTERNAL');
  });

  it("words failures for the page by default: the server isn't named, the status is", async () => {
    const messageOf = async (s: ReturnType<typeof fakeServer>) => {
      const e = await transportFor(s).invoke('app.getInfo', {});
      return e.ok ? 'ok' : e.error.message;
    };
    expect(await messageOf(fakeServer(() => Promise.reject(new TypeError('Failed to fetch'))))).toBe('Cannot reach the Orrery server: Failed to fetch');
    expect(await messageOf(fakeServer(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })))).toBe('HTTP 502 Bad Gateway');
    expect(await messageOf(fakeServer(() => new Response('not json', { status: 200 })))).toMatch(/^The server's answer to app\.getInfo was not JSON: /);
    expect(await messageOf(fakeServer(() => Response.json({ ok: 'maybe' }, { status: 500 })))).toBe('Malformed answer to app.getInfo (HTTP 500)');
  });
});

describe('HTTP transport: events', () => {
  it('opens one stream with the bearer token and delivers events by topic, skipping keepalives', async () => {
    const server = fakeServer();
    const transport = transportFor(server);
    const a: unknown[] = [];
    const b: unknown[] = [];
    transport.subscribe('hardware.sample', (p) => a.push(p));
    transport.subscribe('job.status', (p) => b.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    expect(server.calls[0]?.url).toBe('/api/events?topics=hardware.sample,job.status');
    expect(new Headers(server.calls[0]?.init?.headers).get('Authorization')).toBe('Bearer secret');

    const stream = server.streams[0]!;
    stream.write(': keepalive\n\nevent: hardware.sample\nda');
    stream.write('ta: {"at":1}\n\nevent: job.status\ndata: {"id":"j"}\n\n');
    await vi.waitFor(() => expect(b).toHaveLength(1));
    expect(a).toEqual([{ at: 1 }]);
    expect(b).toEqual([{ id: 'j' }]);
  });

  it('reopens with the new topic set when subscriptions change', async () => {
    const server = fakeServer();
    const transport = transportFor(server);
    transport.subscribe('a', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    const firstSignal = server.calls[0]?.init?.signal;
    const offB = transport.subscribe('b', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    await vi.waitFor(() => expect(firstSignal?.aborted).toBe(true)); // once the new stream answered
    expect(server.calls[1]?.url).toBe('/api/events?topics=a,b');
    offB();
    await vi.waitFor(() => expect(server.streams).toHaveLength(3));
    expect(server.calls[2]?.url).toBe('/api/events?topics=a');
  });

  it('aborts the stream when the last listener leaves, and does not reconnect', async () => {
    const server = fakeServer();
    const off = transportFor(server).subscribe('a', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    off();
    off(); // a second call is harmless
    await tick();
    expect(server.calls[0]?.init?.signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.calls).toHaveLength(1);
  });

  it('keeps the stream when a listener leaves and another joins in the same tick (remount)', async () => {
    const server = fakeServer();
    const transport = transportFor(server);
    const off = transport.subscribe('a', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    off();
    transport.subscribe('a', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.init?.signal?.aborted).toBe(false);
  });

  it('reconnects after the stream drops and keeps delivering', async () => {
    const server = fakeServer();
    const got: unknown[] = [];
    transportFor(server).subscribe('a', (p) => got.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    server.streams[0]!.end();
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    expect(server.calls[1]?.url).toBe('/api/events?topics=a');
    server.streams[1]!.write('event: a\ndata: 2\n\n');
    await vi.waitFor(() => expect(got).toEqual([2]));
  });

  it('retries after a network error and a 503, but not after a 401', async () => {
    let n = 0;
    const server = fakeServer((call) => {
      n++;
      if (n === 1) return Promise.reject(new TypeError('Failed to fetch'));
      if (n === 2) return new Response('busy', { status: 503 });
      if (n === 3) return new Response('no', { status: 401 });
      return eventStream(call.init?.signal).response;
    });
    transportFor(server).subscribe('a', () => undefined);
    await vi.waitFor(() => expect(server.calls).toHaveLength(3));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.calls).toHaveLength(3);
  });

  it('keeps other listeners going when one throws, and drops non-JSON data', async () => {
    const server = fakeServer();
    const logs: string[] = [];
    const transport = createHttpTransport({ token: 't', fetch: server.fetch, log: (m) => logs.push(m) });
    const got: unknown[] = [];
    transport.subscribe('a', () => {
      throw new Error('boom');
    });
    transport.subscribe('a', (p) => got.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    server.streams[0]!.write('event: a\ndata: not json\n\nevent: a\ndata: 1\n\n');
    await vi.waitFor(() => expect(got).toEqual([1]));
    expect(logs.some((m) => m.includes('boom'))).toBe(true);
    expect(logs.some((m) => m.includes('not JSON'))).toBe(true);
  });
});
