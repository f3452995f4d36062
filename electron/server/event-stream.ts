import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_SEQ_HEADER, isEventTopic, type AppEventTopic } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import { BoundedSink, defaultSinkLimits, type SinkLimits } from '../services/events/bounded-sink';
import type { EventBus } from '../services/events/event-bus';
import { fellBehindFrame, sseComment, sseEvent, sseSeqMark } from '../services/events/sse-frame';
import { sendError } from './responses';

const KEEPALIVE_MS = 15_000;

/** The open streams of each bus, by the function that sends one a handover mark. */
const openStreams = new WeakMap<EventBus, Set<(seq: number) => void>>();

/**
 * Server-sent events: GET /api/events?topics=a,b. Subscriptions live exactly as long as the
 * connection, so the sampler stops when the last browser tab goes away. Each connection may
 * queue only so much unsent data: a reader that stops reading is dropped with a final "resync"
 * event and unsubscribed at once, and its client reconnects and re-reads. Each event carries the
 * bus's sequence number as its SSE id, and each new stream is marked on those already open (see
 * EVENT_SEQ_HEADER), so a client changing topics moves to a new stream without a gap or a double.
 */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bus: EventBus,
  limits: SinkLimits = defaultSinkLimits,
): void {
  // A topic named twice is one subscription: each event is sent once.
  const requested = [...new Set((url.searchParams.get('topics') ?? '').split(',').map((t) => t.trim()).filter(Boolean))];
  const unknown = requested.filter((t) => !isEventTopic(t));
  if (requested.length === 0 || unknown.length > 0) {
    const reason = requested.length === 0 ? 'is empty' : `has unknown topic(s): ${unknown.join(', ')}`;
    sendError(res, new OrreryError('INVALID_INPUT', `topics ${reason}.`));
    return;
  }
  // Subscribed before the headers go out: once the client sees the response, every later event
  // is on this stream, so a client moving here from an older stream can stop reading that one.
  // What arrives before the sink exists (a sampler's first value, sent as it starts) waits here.
  const early: string[] = [];
  let sink: BoundedSink | null = null;
  const send = (frame: string) => (sink ? void sink.send(frame) : void early.push(frame));
  const unsubscribers: (() => void)[] = [];
  for (const topic of requested as AppEventTopic[]) {
    unsubscribers.push(bus.subscribe(topic, (payload, seq) => send(sseEvent(topic, payload, seq))));
  }
  // Every event numbered above this is on this stream (some below it may be too).
  const startsAfter = bus.lastSeq;
  res.writeHead(200, {
    [EVENT_SEQ_HEADER]: String(startsAfter),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // A stream is the last response on its connection: when it ends (a dropped subscriber) the
    // connection closes at once rather than idling for another request, so the reader sees the
    // end right after the resync.
    connection: 'close',
  });

  const peers = openStreams.get(bus) ?? new Set();
  openStreams.set(bus, peers);
  const mark = (seq: number) => send(sseSeqMark(seq));
  const keepalive = setInterval(() => send(sseComment('keepalive')), KEEPALIVE_MS);
  keepalive.unref();
  // Ends every subscription at once: on disconnect, and when the subscriber is dropped (nothing
  // more is produced for it, and a sampler with no other listener stops).
  const close = () => {
    clearInterval(keepalive);
    peers.delete(mark);
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
  };
  sink = new BoundedSink(
    res,
    fellBehindFrame,
    () => {
      console.warn(`[events] a subscriber to ${requested.join(',')} stopped reading (over ${limits.maxQueuedBytes} bytes unsent); dropped it with a resync`);
      close();
    },
    limits,
  );
  sink.send(sseComment('connected'));
  for (const frame of early.splice(0)) sink.send(frame);
  // A client moving here from an older stream reads that one up to this mark before it switches:
  // every event it still had in flight there is then delivered, and none twice.
  for (const peer of peers) peer(startsAfter);
  if (!sink.closed) peers.add(mark);
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);
}
