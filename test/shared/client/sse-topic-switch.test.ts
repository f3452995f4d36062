import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { eventStream, type FakeStream, type FetchCall } from '../../fakes/fake-event-server';

/**
 * A fake server whose answers the test releases one by one, so it can act in the window between
 * a new stream being asked for and being answered (where the server has already subscribed it).
 */
function gatedServer(answer: (n: number, call: FetchCall) => Response | 'stream' | { startsAfter: number } = () => 'stream') {
  const calls: FetchCall[] = [];
  const streams: FakeStream[] = [];
  const gates: (() => void)[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { url: String(input), init };
    const n = calls.push(call);
    if (n > 1) await new Promise<void>((resolve) => gates.push(resolve)); // the first stream opens at once
    const reply = answer(n, call);
    if (reply instanceof Response) return reply;
    const stream = eventStream(init?.signal);
    streams.push(stream);
    if (reply === 'stream') return stream.response;
    // As the real server answers: the number of the last event published before it subscribed.
    return new Response(stream.response.body, { status: 200, headers: { 'Content-Type': 'text/event-stream', 'x-orrery-event-seq': String(reply.startsAfter) } });
  };
  const transport = createHttpTransport({ token: 't', fetch: fetch as typeof globalThis.fetch, backoff: { baseMs: 10, maxMs: 40 }, random: () => 0 });
  return { calls, streams, transport, release: () => gates.shift()?.() };
}

const frame = (topic: string, id: number, data: unknown) => `event: ${topic}\ndata: ${JSON.stringify(data)}\nid: ${id}\n\n`;
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('event stream client: a topic change while a stream is open', () => {
  it('keeps delivering from the old stream until the new one answers, then delivers every event exactly once', async () => {
    const server = gatedServer();
    const jobs: unknown[] = [];
    const runs: unknown[] = [];
    server.transport.subscribe('training.job', (p) => jobs.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    const old = server.streams[0]!;
    old.write(frame('training.job', 1, 'queued'));
    await vi.waitFor(() => expect(jobs).toEqual(['queued']));

    server.transport.subscribe('tracking.run', (p) => runs.push(p)); // another card mounts
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    expect(server.calls[1]?.url).toBe('/api/events?topics=tracking.run,training.job');
    // Asked for, not answered: the server has subscribed it at seq 1. The old stream still delivers.
    old.write(frame('training.job', 2, 'running'));
    old.write(frame('training.job', 4, 'finished'));
    await vi.waitFor(() => expect(jobs).toEqual(['queued', 'running', 'finished']));
    expect(server.calls[0]?.init?.signal?.aborted).toBe(false);

    server.release();
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    await vi.waitFor(() => expect(server.calls[0]?.init?.signal?.aborted).toBe(true)); // the old one goes once the new one answers
    const next = server.streams[1]!;
    // The new stream carries all it was subscribed to: the job events the old one delivered are
    // skipped; the new topic's event passes although its id is lower than the last one delivered.
    next.write(frame('training.job', 2, 'running'));
    next.write(frame('tracking.run', 3, 'r1'));
    next.write(frame('training.job', 4, 'finished'));
    next.write(frame('training.job', 5, 'archived'));
    next.write(frame('tracking.run', 6, 'r2'));
    await vi.waitFor(() => expect(runs).toEqual(['r1', 'r2']));
    expect(jobs).toEqual(['queued', 'running', 'finished', 'archived']);
    expect(server.calls).toHaveLength(2);
  });

  it('keeps the old stream when the topic set goes back before the new one answers', async () => {
    const server = gatedServer();
    const jobs: unknown[] = [];
    server.transport.subscribe('training.job', (p) => jobs.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    const off = server.transport.subscribe('tracking.run', () => undefined);
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    off(); // the card unmounted again
    await vi.waitFor(() => expect(server.calls[1]?.init?.signal?.aborted).toBe(true));
    expect(server.calls[0]?.init?.signal?.aborted).toBe(false);
    server.streams[0]!.write(frame('training.job', 1, 'done'));
    await vi.waitFor(() => expect(jobs).toEqual(['done']));
    server.release();
    await later(30);
    expect(server.calls).toHaveLength(2);
  });

  it('when the new stream is refused, closes the old one, reconnects, and has views re-read once', async () => {
    const server = gatedServer((n) => (n === 2 ? new Response('busy', { status: 503 }) : 'stream'));
    const { jobs, resyncs } = await switchingWithJobSeen(server);

    server.release(); // 503
    await vi.waitFor(() => expect(server.calls[0]?.init?.signal?.aborted).toBe(true));
    expect(resyncs).toEqual([]); // not before a stream is back: a re-read now could miss events
    await vi.waitFor(() => expect(server.calls).toHaveLength(3));
    expect(server.calls[2]?.url).toBe('/api/events?topics=tracking.run,training.job');
    server.release();
    await vi.waitFor(() => expect(resyncs).toEqual([{ reason: 'reconnected' }]));
    server.streams[1]!.write(frame('training.job', 7, 'finished'));
    await vi.waitFor(() => expect(jobs).toEqual(['running', 'finished']));
    await later(30);
    expect(resyncs).toHaveLength(1);
    expect(server.calls).toHaveLength(3);
  });

  it('when the old stream drops while the new one is opening, the new one takes over and views re-read', async () => {
    const server = gatedServer();
    const { jobs, resyncs } = await switchingWithJobSeen(server);
    server.streams[0]!.end(); // a network blip: what follows may be missed
    await later(30);
    expect(server.calls).toHaveLength(2); // no reconnect of the old topic set
    server.release();
    await vi.waitFor(() => expect(resyncs).toEqual([{ reason: 'reconnected' }]));
    server.streams[1]!.write(frame('training.job', 1, 'running'));
    server.streams[1]!.write(frame('training.job', 2, 'finished'));
    await vi.waitFor(() => expect(jobs).toEqual(['running', 'finished']));
  });

  it('switches only once the old stream caught up to where the new one starts, so events in flight there still arrive', async () => {
    const server = gatedServer((n) => (n === 2 ? { startsAfter: 3 } : 'stream'));
    const jobs: unknown[] = [];
    const runs: unknown[] = [];
    const resyncs: unknown[] = [];
    server.transport.subscribe('resync', (p) => resyncs.push(p));
    server.transport.subscribe('training.job', (p) => jobs.push(p));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    const old = server.streams[0]!;
    old.write(frame('training.job', 1, 'queued'));
    await vi.waitFor(() => expect(jobs).toEqual(['queued']));
    server.transport.subscribe('tracking.run', (p) => runs.push(p));
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    server.release(); // answered: everything after event 3 is on the new stream
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    const next = server.streams[1]!;
    next.write(frame('tracking.run', 4, 'r1'));
    next.write(frame('training.job', 5, 'finished'));
    await later(30);
    expect(server.calls[0]?.init?.signal?.aborted).toBe(false); // event 2 may still be on its way
    expect(runs).toEqual([]); // and nothing overtakes it

    old.write(frame('training.job', 2, 'running')); // published before the new stream subscribed
    old.write('event: seq\ndata: {}\nid: 3\n\n'); // the server's mark: the old stream has all up to 3
    await vi.waitFor(() => expect(server.calls[0]?.init?.signal?.aborted).toBe(true));
    await vi.waitFor(() => expect(jobs).toEqual(['queued', 'running', 'finished']));
    expect(runs).toEqual(['r1']);
    expect(resyncs).toEqual([]); // a planned switch that lost nothing: no re-read
  });

  it('takes over after a while when the old stream never reaches the mark, and has views re-read what it owed', async () => {
    const server = gatedServer((n) => (n === 2 ? { startsAfter: 9 } : 'stream'));
    const runs: unknown[] = [];
    const resyncs: unknown[] = [];
    server.transport.subscribe('resync', (p) => resyncs.push(p));
    server.transport.subscribe('training.job', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    server.streams[0]!.write(frame('training.job', 1, 'queued'));
    server.transport.subscribe('tracking.run', (p) => runs.push(p));
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    server.release();
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    server.streams[1]!.write(frame('tracking.run', 10, 'r1'));
    await later(500);
    expect(runs).toEqual([]);
    await vi.waitFor(() => expect(runs).toEqual(['r1']), { timeout: 4_000 });
    expect(server.calls[0]?.init?.signal?.aborted).toBe(true);
    expect(resyncs).toEqual([{ reason: 'reconnected' }]);
  });
});

/**
 * Subscribes 'training.job' (and resync), then 'tracking.run', so a second stream is opening, and
 * delivers one job event on the first: the moment both switch-failure tests start from.
 */
async function switchingWithJobSeen(server: ReturnType<typeof gatedServer>): Promise<{ jobs: unknown[]; resyncs: unknown[] }> {
  const jobs: unknown[] = [];
  const resyncs: unknown[] = [];
  server.transport.subscribe('training.job', (p) => jobs.push(p));
  server.transport.subscribe('resync', (p) => resyncs.push(p));
  await vi.waitFor(() => expect(server.streams).toHaveLength(1));
  server.transport.subscribe('tracking.run', () => undefined);
  await vi.waitFor(() => expect(server.calls).toHaveLength(2));
  server.streams[0]!.write(frame('training.job', 1, 'running'));
  await vi.waitFor(() => expect(jobs).toEqual(['running']));
  return { jobs, resyncs };
}
