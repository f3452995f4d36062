import { EVENT_SEQ_HEADER, RESYNC_TOPIC, SEQ_MARK_EVENT, type ResyncEvent } from '../contract/index';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff';
import { describeError } from './rpc-envelope';
import { SseParser } from './sse-parser';

type Listener = (payload: unknown) => void;

interface Entry {
  listener: Listener;
  /** Called once when a stream carrying the topic is answered, if none was when it subscribed. */
  onLive: (() => void) | undefined;
  live: boolean;
}

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
  /** Comma-separated, encoded: the URL's topic list. */
  topics: string;
  /** The same topics, decoded. */
  topicSet: ReadonlySet<string>;
  controller: AbortController;
  /** The server answered and the body is being read. */
  open: boolean;
  /** The id of the last event read from this connection; null before one carried an id. */
  lastId: number | null;
  /** Events already delivered by the stream this one replaced: same topic, id up to `lastId`. */
  replaced: { topicSet: ReadonlySet<string>; lastId: number } | null;
}

/** Statuses that a retry cannot fix (bad token, unknown topic): stop until the topic set changes. */
const fatalStatuses = new Set([400, 401, 403, 404]);

/** How long a new stream waits for the old one to catch up before it takes over regardless. */
const HANDOVER_TIMEOUT_MS = 2_000;

/**
 * One shared server-sent-event stream for all subscribed topics, read with fetch() because
 * EventSource cannot send an Authorization header. The stream is reopened when the topic set
 * changes, aborted when the last listener leaves (so the server stops producing), and
 * reconnected with backoff when it drops.
 *
 * A topic change is make-before-break: the old stream keeps delivering until the new one is
 * answered (the server subscribes before it answers, so from then on the new stream carries
 * everything) and the old one has caught up to the number the answer names (the server marks
 * that point on every open stream: events still in flight on the old one are not cut off). The
 * new stream then skips events of the old topics up to the last id the old one delivered (ids
 * are the server's publication order). So no event of a topic that stays is lost or doubled.
 *
 * Events sent while a stream was down are lost, so once a stream is back after a drop its
 * `resync` listeners are told, and re-read what they show. The server drops a stream whose
 * reader fell behind and says so with a last `resync` event; that one is held back until the
 * new stream is open, since a re-read any earlier could miss what happens in between.
 */
export class SseStream {
  private readonly listeners = new Map<string, Set<Entry>>();
  private current: Connection | null = null;
  /** The stream for a new topic set, waiting for its answer while `current` still delivers. */
  private pending: Connection | null = null;
  /** While an answered replacement waits for the current stream to reach id `until`. */
  private handover: { until: number; done: () => void } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private syncQueued = false;
  /** Why events may have been missed since the last stream that was open; null when none were. */
  private lost: ResyncEvent['reason'] | null = null;

  constructor(private readonly options: SseStreamOptions) {}

  /**
   * `onLive` is for data read alongside the subscription: the server only sends what is
   * published after it has subscribed the stream, so a read that answers before then can miss an
   * event. It is called once that moment comes, when it had not come yet at subscription; a
   * re-read from then on misses nothing.
   */
  subscribe(topic: string, listener: Listener, onLive?: () => void): () => void {
    // Its own entry, so the same function subscribed twice needs two unsubscribes.
    const carried = this.current?.open === true && this.current.topicSet.has(topic);
    const entry: Entry = { listener, onLive, live: carried };
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

  /** Topics of a stream being opened to replace the current one, or null (for tests and diagnostics). */
  get pendingTopics(): string | null {
    return this.pending?.topics ?? null;
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
    if ((this.pending ?? this.current)?.topics === wanted) return;
    this.dropPending();
    if (this.current?.topics === wanted) return; // back to what the current stream carries
    if (this.current?.open && wanted) {
      // The current stream delivers until the new one is answered: nothing falls in between.
      this.pending = this.connect(wanted);
      return;
    }
    // Nothing is being delivered (not answered yet, or down and waiting to reconnect): a plain
    // reopen, and a drop already recorded still gets its resync.
    this.close();
    this.attempt = 0;
    if (wanted) this.open(wanted);
    else this.lost = null; // nobody is showing live data any more; whoever comes next reads afresh
  }

  private close(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.dropPending();
    this.current?.controller.abort();
    this.current = null;
  }

  private dropPending(): void {
    this.pending?.controller.abort();
    this.pending = null;
    this.handover?.done();
  }

  /**
   * Waits until the current stream has delivered every event up to `header`'s number, or left;
   * false when it did not get there in time.
   */
  private catchUp(header: string | null): Promise<boolean> {
    const until = header !== null && /^\d+$/.test(header) ? Number(header) : null;
    const old = this.current;
    if (until === null || !old?.open || (old.lastId ?? 0) >= until) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (caughtUp: boolean) => {
        clearTimeout(timer);
        if (this.handover === handover) this.handover = null;
        resolve(caughtUp);
      };
      const handover = { until, done: () => finish(true) };
      // A stalled old stream must not hold the switch; what it still owed is then re-read.
      const timer = setTimeout(() => finish(false), HANDOVER_TIMEOUT_MS);
      this.handover = handover;
    });
  }

  private open(topics: string): void {
    this.current = this.connect(topics);
  }

  private connect(topics: string): Connection {
    const topicSet = new Set(topics.split(',').map(decodeURIComponent));
    const connection: Connection = { topics, topicSet, controller: new AbortController(), open: false, lastId: null, replaced: null };
    void this.run(connection);
    return connection;
  }

  /**
   * `next` replaces the current stream: the old one is aborted, and what it delivered is not
   * delivered again. Runs when `next` is answered, or earlier when the old stream drops.
   */
  private takeOver(next: Connection): void {
    const old = this.current;
    this.pending = null;
    this.current = next;
    this.attempt = 0;
    if (old?.lastId != null) next.replaced = { topicSet: old.topicSet, lastId: old.lastId };
    old?.controller.abort();
    this.handover?.done();
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
        // A replacement that failed ends the old stream too: from here on it is a plain reconnect.
        if (this.pending === connection) this.takeOver(connection);
        if (fatalStatuses.has(response.status)) {
          this.options.log?.(`event stream refused (HTTP ${response.status}); not retrying`);
          return; // stays current: no reconnect until the topic set changes
        }
        throw new Error(`HTTP ${response.status}`);
      }
      if (this.pending === connection) {
        const caughtUp = await this.catchUp(response.headers.get(EVENT_SEQ_HEADER));
        if (signal.aborted) throw new Error('replaced before it took over');
        if (!caughtUp) this.lost ??= 'reconnected';
        if (this.pending === connection) this.takeOver(connection);
      }
      connection.open = true;
      // Subscribed again: now a re-read misses nothing.
      if (this.lost !== null && this.current === connection) this.announceResync();
      if (this.current === connection) this.announceLive(connection);
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
          this.deliver(connection, event.event, event.data, event.id);
        }
        const handover = this.handover;
        if (handover && this.current === connection && (connection.lastId ?? 0) >= handover.until) handover.done();
      }
    } catch (err) {
      reason = describeError(err);
      // The replacement failed before it was answered: the old stream goes, and it reconnects.
      if (this.pending === connection && !signal.aborted) this.takeOver(connection);
    }
    connection.open = false;
    if (signal.aborted || this.current !== connection) return;
    this.lost ??= 'reconnected';
    if (this.pending) {
      // The old stream dropped while its replacement was being opened: that one takes over now,
      // and its answer brings the resync for what fell in between.
      this.options.log?.(`event stream dropped (${reason}) while its replacement was opening`);
      this.takeOver(this.pending);
      return;
    }
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

  /** Tells the listeners whose topic this answered stream carries for the first time. */
  private announceLive(connection: Connection): void {
    for (const topic of connection.topicSet) {
      for (const entry of [...(this.listeners.get(topic) ?? [])]) {
        if (entry.live) continue;
        entry.live = true;
        if (!entry.onLive) continue;
        try {
          entry.onLive();
        } catch (err) {
          this.options.log?.(`live signal for "${topic}" threw: ${describeError(err)}`);
        }
      }
    }
  }

  private deliver(connection: Connection, topic: string, data: string, rawId: string | null): void {
    if (this.current !== connection) return;
    const id = rawId !== null && /^\d+$/.test(rawId) ? Number(rawId) : null;
    if (id !== null) connection.lastId = Math.max(id, connection.lastId ?? 0);
    if (topic === SEQ_MARK_EVENT) return; // only its id counts
    const replaced = connection.replaced;
    // The stream this one replaced already delivered it.
    if (replaced && id !== null && id <= replaced.lastId && replaced.topicSet.has(topic)) return;
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
    for (const { listener } of [...(this.listeners.get(topic) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // One broken listener must not tear down the stream for the others.
        this.options.log?.(`listener for "${topic}" threw: ${describeError(err)}`);
      }
    }
  }
}
