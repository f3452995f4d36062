import { RESYNC_TOPIC, type ResyncEvent } from '../contract/index';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff';
import { describeError } from './rpc-envelope';
import { SseParser } from './sse-parser';

type Listener = (payload: unknown) => void;

export interface SseStreamOptions {
  /** Builds the events URL for a comma-separated, already encoded topic list. */
  url: (topics: string) => string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  backoff?: BackoffOptions;
  random?: () => number;
  log?: (message: string) => void;
}

interface Connection {
  topics: string;
  controller: AbortController;
}

/** Statuses that a retry cannot fix (bad token, unknown topic): stop until the topic set changes. */
const fatalStatuses = new Set([400, 401, 403, 404]);

/**
 * One shared server-sent-event stream for all subscribed topics, read with fetch() because
 * EventSource cannot send an Authorization header. The stream is reopened when the topic set
 * changes, aborted when the last listener leaves (so the server stops producing), and
 * reconnected with backoff when it drops.
 *
 * Events sent while a stream was down are lost, so once a stream is back after a drop its
 * `resync` listeners are told, and re-read what they show. The server drops a stream whose
 * reader fell behind and says so with a last `resync` event; that one is held back until the
 * new stream is open, since a re-read any earlier could miss what happens in between.
 */
export class SseStream {
  private readonly listeners = new Map<string, Set<Listener>>();
  private current: Connection | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private syncQueued = false;
  /** Why events may have been missed since the last stream that was open; null when none were. */
  private lost: ResyncEvent['reason'] | null = null;

  constructor(private readonly options: SseStreamOptions) {}

  subscribe(topic: string, listener: Listener): () => void {
    // Wrap so the same function subscribed twice needs two unsubscribes.
    const entry: Listener = (payload) => listener(payload);
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(entry);
    this.queueSync();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const owner = this.listeners.get(topic);
      owner?.delete(entry);
      if (owner?.size === 0) this.listeners.delete(topic);
      this.queueSync();
    };
  }

  /** Topics being streamed now (for tests and diagnostics). */
  get openTopics(): string | null {
    return this.current?.topics ?? null;
  }

  // Batched to the end of the tick: an unmount+remount (or several cards subscribing at once)
  // ends in one reopen at most instead of a burst of them.
  private queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    queueMicrotask(() => {
      this.syncQueued = false;
      this.sync();
    });
  }

  private sync(): void {
    // `resync` is this client's own signal: the server is never asked for it.
    const topics = [...this.listeners.keys()].filter((topic) => topic !== RESYNC_TOPIC);
    const wanted = topics.sort().map(encodeURIComponent).join(',');
    if (this.current?.topics === wanted) return;
    this.close();
    this.attempt = 0;
    if (wanted) this.open(wanted);
    else this.lost = null; // nobody is showing live data any more; whoever comes next reads afresh
  }

  private close(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.current?.controller.abort();
    this.current = null;
  }

  private open(topics: string): void {
    const connection: Connection = { topics, controller: new AbortController() };
    this.current = connection;
    void this.run(connection);
  }

  private async run(connection: Connection): Promise<void> {
    const { signal } = connection.controller;
    const parser = new SseParser();
    let reason: string;
    try {
      const response = await this.options.fetch(this.options.url(connection.topics), {
        headers: { ...this.options.headers, Accept: 'text/event-stream' },
        signal,
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        if (fatalStatuses.has(response.status)) {
          this.options.log?.(`event stream refused (HTTP ${response.status}); not retrying`);
          return; // stays current: no reconnect until the topic set changes
        }
        throw new Error(`HTTP ${response.status}`);
      }
      // Subscribed again: now a re-read misses nothing.
      if (this.lost !== null && this.current === connection) this.announceResync();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      reason = 'stream ended';
      reading: for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const events = parser.push(decoder.decode(value, { stream: true }));
        if (events.length > 0) this.attempt = 0; // the server is producing: a later drop starts backoff afresh
        for (const event of events) {
          if (event.event === RESYNC_TOPIC) {
            // The server dropped this stream (it ends it next): reconnect, then tell listeners.
            if (this.current === connection) this.lost = 'fell-behind';
            await reader.cancel().catch(() => undefined);
            reason = 'the server dropped it: this page fell behind';
            break reading;
          }
          this.deliver(connection, event.event, event.data);
        }
      }
    } catch (err) {
      reason = describeError(err);
    }
    if (signal.aborted || this.current !== connection) return;
    this.lost ??= 'reconnected';
    this.scheduleReconnect(connection, reason, parser.retryMs);
  }

  private scheduleReconnect(connection: Connection, reason: string, retryMs: number | null): void {
    const base = this.options.backoff ?? defaultBackoff;
    const options = retryMs === null ? base : { ...base, baseMs: retryMs };
    const delay = backoffDelay(this.attempt++, options, this.options.random);
    this.options.log?.(`event stream dropped (${reason}); reconnecting in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.current === connection) this.open(connection.topics);
    }, delay);
  }

  private announceResync(): void {
    const resync: ResyncEvent = { reason: this.lost ?? 'reconnected' };
    this.lost = null;
    this.options.log?.(`event stream back after a drop (${resync.reason}); views re-read`);
    this.notify(RESYNC_TOPIC, resync);
  }

  private deliver(connection: Connection, topic: string, data: string): void {
    if (this.current !== connection) return;
    if (!this.listeners.get(topic)?.size) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      this.options.log?.(`event "${topic}" carried data that is not JSON; dropped`);
      return;
    }
    this.notify(topic, payload);
  }

  private notify(topic: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(topic) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // One broken listener must not tear down the stream for the others.
        this.options.log?.(`listener for "${topic}" threw: ${describeError(err)}`);
      }
    }
  }
}
