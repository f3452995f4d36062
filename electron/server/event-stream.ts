import type { IncomingMessage, ServerResponse } from 'node:http';
import { isEventTopic, type AppEventTopic } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import { BoundedSink, defaultSinkLimits, type SinkLimits } from '../services/events/bounded-sink';
import type { EventBus } from '../services/events/event-bus';
import { fellBehindFrame, sseComment, sseEvent } from '../services/events/sse-frame';
import { sendError } from './responses';

const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events: GET /api/events?topics=a,b. Subscriptions live exactly as long as the
 * connection, so the sampler stops when the last browser tab goes away. Each connection may
 * queue only so much unsent data: a reader that stops reading is dropped with a final "resync"
 * event and unsubscribed at once, and its client reconnects and re-reads.
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
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // A stream is the last response on its connection: when it ends (a dropped subscriber) the
    // connection closes at once rather than idling for another request, so the reader sees the
    // end right after the resync.
    connection: 'close',
  });

  const unsubscribers: (() => void)[] = [];
  // Its first tick is KEEPALIVE_MS away, long after `sink` below exists.
  const keepalive = setInterval(() => sink.send(sseComment('keepalive')), KEEPALIVE_MS);
  keepalive.unref();
  // Ends every subscription at once: on disconnect, and when the subscriber is dropped (nothing
  // more is produced for it, and a sampler with no other listener stops).
  const close = () => {
    clearInterval(keepalive);
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
  };
  const sink = new BoundedSink(
    res,
    fellBehindFrame,
    () => {
      console.warn(`[events] a subscriber to ${requested.join(',')} stopped reading (over ${limits.maxQueuedBytes} bytes unsent); dropped it with a resync`);
      close();
    },
    limits,
  );
  sink.send(sseComment('connected'));
  for (const topic of requested as AppEventTopic[]) {
    unsubscribers.push(bus.subscribe(topic, (payload) => void sink.send(sseEvent(topic, payload))));
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);
}
