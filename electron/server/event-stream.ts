import type { IncomingMessage, ServerResponse } from 'node:http';
import { isEventTopic, type EventTopic } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import type { EventBus } from '../services/events/event-bus';
import { sendError } from './responses';

const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events: GET /api/events?topics=a,b. Subscriptions live exactly as long as the
 * connection, so the sampler stops when the last browser tab goes away.
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, url: URL, bus: EventBus): void {
  const requested = (url.searchParams.get('topics') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
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
    connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  const unsubscribers = (requested as EventTopic[]).map((topic) =>
    bus.subscribe(topic, (payload) => {
      res.write(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`);
    }),
  );
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const close = () => {
    clearInterval(keepalive);
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
  req.on('close', close);
  res.on('error', close);
}
