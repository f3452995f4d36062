import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { eventStream, type FakeStream } from '../../fakes/fake-event-server';

/**
 * A page reads its data and subscribes to the events that change it at the same moment; the
 * server only sends what is published once it has subscribed the stream. A read that answered
 * before then may have missed an event, so the subscription says when it became live.
 */
function heldServer() {
  const streams: FakeStream[] = [];
  const held: (() => void)[] = [];
  const urls: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    urls.push(String(input));
    await new Promise<void>((resolve) => held.push(resolve));
    const stream = eventStream(init?.signal);
    streams.push(stream);
    return stream.response;
  };
  const transport = createHttpTransport({ token: 't', fetch: fetch as typeof globalThis.fetch, backoff: { baseMs: 10, maxMs: 40 }, random: () => 0 });
  return { streams, urls, transport, answer: () => held.shift()?.() };
}

const frame = (topic: string, id: number, data: unknown) => `event: ${topic}\ndata: ${JSON.stringify(data)}\nid: ${id}\n\n`;

describe('event stream client: when a subscription becomes live', () => {
  it('tells a subscription made before the stream answered, once, when it answers', async () => {
    const server = heldServer();
    const live = vi.fn();
    server.transport.subscribe('registry.model', () => undefined, live);
    await vi.waitFor(() => expect(server.urls).toHaveLength(1));
    expect(live).not.toHaveBeenCalled(); // asked for, not answered: an event now would be lost

    server.answer();
    await vi.waitFor(() => expect(live).toHaveBeenCalledTimes(1));
    server.streams[0]!.write(frame('registry.model', 1, 'x'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(live).toHaveBeenCalledTimes(1);
  });

  it('does not tell a subscription to a topic the open stream already carries', async () => {
    const server = heldServer();
    const got: unknown[] = [];
    server.transport.subscribe('training.job', () => undefined);
    await vi.waitFor(() => expect(server.urls).toHaveLength(1));
    server.answer();
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 0));

    const live = vi.fn();
    server.transport.subscribe('training.job', (p) => got.push(p), live);
    server.streams[0]!.write(frame('training.job', 1, 'running'));
    await vi.waitFor(() => expect(got).toEqual(['running']));
    expect(server.urls).toHaveLength(1);
    expect(live).not.toHaveBeenCalled();
  });

  it('tells a new topic added to an open stream when its replacement answers, not before', async () => {
    const server = heldServer();
    const jobLive = vi.fn();
    server.transport.subscribe('training.job', () => undefined, jobLive);
    await vi.waitFor(() => expect(server.urls).toHaveLength(1));
    server.answer();
    await vi.waitFor(() => expect(jobLive).toHaveBeenCalledTimes(1));

    const runLive = vi.fn();
    server.transport.subscribe('tracking.run', () => undefined, runLive);
    await vi.waitFor(() => expect(server.urls).toHaveLength(2));
    expect(server.urls[1]).toBe('/api/events?topics=tracking.run,training.job');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runLive).not.toHaveBeenCalled(); // the old stream does not carry it

    server.answer();
    await vi.waitFor(() => expect(runLive).toHaveBeenCalledTimes(1));
    expect(jobLive).toHaveBeenCalledTimes(1); // carried throughout: nothing was missed
  });
});
