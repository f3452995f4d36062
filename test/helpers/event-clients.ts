import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SEQ_MARK_EVENT } from '../../shared/contract/index';

export const MiB = 1024 * 1024;

/** What a test keeps of one server-sent event: its name, the sequence number the test put in its run id (`"runId":"seq-12"`), and its first 200 characters. */
export interface SeenEvent {
  name: string;
  seq: number | null;
  head: string;
}

/**
 * Splits server-sent text into events while keeping only the first characters of each: the
 * payloads are large, and holding them (even through a regex match, which V8 keeps as a slice of
 * the whole frame) would blur the memory figures the tests measure.
 */
class EventScanner {
  readonly events: SeenEvent[] = [];
  private head = '';
  private lastChar = '';

  push(text: string): void {
    let from = 0;
    if (this.lastChar === '\n' && text.startsWith('\n')) {
      this.finish();
      from = 1;
    }
    for (;;) {
      const end = text.indexOf('\n\n', from);
      this.take(text, from, end === -1 ? text.length : end);
      if (end === -1) break;
      this.finish();
      from = end + 2;
    }
    this.lastChar = text.at(-1) ?? this.lastChar;
  }

  private take(text: string, from: number, to: number): void {
    if (this.head.length < 200) this.head += text.slice(from, Math.min(to, from + 200 - this.head.length));
  }

  private finish(): void {
    const head = Buffer.from(this.head).toString('utf8'); // a flat copy, not a slice of a chunk
    this.head = '';
    const name = /^event: (.+)$/m.exec(head)?.[1];
    if (!name || name === SEQ_MARK_EVENT) return; // a comment (": keepalive"), or a mark for clients moving between streams
    const seq = /"runId":"seq-(\d+)"/.exec(head)?.[1];
    this.events.push({ name: Buffer.from(name).toString('utf8'), seq: seq === undefined ? null : Number(seq), head });
  }
}

/** Removes HTTP/1.1 chunked framing from a response body as it arrives. */
class ChunkedDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private left = 0; // bytes of chunk data still to come, then its CRLF
  private done = false;

  constructor(private readonly out: (text: string) => void) {}

  push(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (!this.done && this.pending.length > 0) {
      if (this.left > 0) {
        const take = Math.min(this.left, this.pending.length);
        this.out(this.pending.subarray(0, take).toString('utf8'));
        this.pending = this.pending.subarray(take);
        this.left -= take;
        if (this.left === 0) this.left = -2; // the CRLF after the data
        continue;
      }
      if (this.left < 0) {
        const skip = Math.min(-this.left, this.pending.length);
        this.pending = this.pending.subarray(skip);
        this.left += skip;
        continue;
      }
      const lineEnd = this.pending.indexOf('\r\n');
      if (lineEnd === -1) return;
      const size = parseInt(this.pending.subarray(0, lineEnd).toString('latin1'), 16);
      this.pending = this.pending.subarray(lineEnd + 2);
      if (!(size > 0)) this.done = true;
      else this.left = size;
    }
    this.pending = Buffer.from(this.pending); // keep no view into a large read
  }
}

/**
 * A subscriber that sends its request and then reads nothing: the socket is paused before it
 * connects, so once the kernel's buffers are full every further byte waits in the server.
 * `readAll` starts reading late, as a stalled tunnel that comes back would.
 */
export function stalledEventClient(port: number, token: string, topics: string) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.pause();
  socket.write(
    `GET /api/events?topics=${topics} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return {
    socket,
    /** Reads everything the server still has for this client, until it closes the connection. */
    readAll(timeoutMs: number): Promise<{ status: string; events: SeenEvent[]; ended: boolean }> {
      return new Promise((resolve) => {
        const scanner = new EventScanner();
        let head: Buffer | null = Buffer.alloc(0);
        let status = '';
        let body: ((data: Buffer) => void) | null = null;
        const finish = (ended: boolean) => {
          clearTimeout(timer);
          socket.destroy();
          resolve({ status, events: scanner.events, ended });
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        socket.on('data', (data: Buffer) => {
          if (body) return body(data);
          head = Buffer.concat([head!, data]);
          const split = head.indexOf('\r\n\r\n');
          if (split === -1) return;
          const headers = head.subarray(0, split).toString('latin1');
          status = headers.split('\r\n')[0] ?? '';
          const chunked = /transfer-encoding: chunked/i.test(headers);
          const decoder = new ChunkedDecoder((text) => scanner.push(text));
          body = chunked ? (d) => decoder.push(d) : (d) => scanner.push(d.toString('utf8'));
          const rest = head.subarray(split + 4);
          head = null;
          body(rest);
        });
        socket.on('end', () => finish(true));
        socket.on('close', () => finish(true));
        if (closed) finish(true);
        socket.resume();
      });
    },
  };
}

/** A subscriber that reads promptly, noting each event as an EventScanner does. */
export function readingEventClient(port: number, token: string, topics: string) {
  const scanner = new EventScanner();
  let waiter: { count: number; resolve: () => void } | null = null;
  let status = 0;
  let ended = false;
  const req = http.get({
    host: '127.0.0.1',
    port,
    path: `/api/events?topics=${topics}`,
    headers: { authorization: `Bearer ${token}`, host: `127.0.0.1:${port}` },
  });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        scanner.push(text);
        if (waiter && scanner.events.length >= waiter.count) {
          waiter.resolve();
          waiter = null;
        }
      });
      res.on('end', () => (ended = true));
      resolve();
    });
  });
  return {
    opened,
    events: scanner.events,
    /** The sequence numbers of the events so far, in arrival order. */
    seqs: () => scanner.events.map((e) => e.seq),
    get status() {
      return status;
    },
    get ended() {
      return ended;
    },
    /** Resolves once `count` events have arrived. */
    waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      if (scanner.events.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${scanner.events.length} of ${count} events arrived`)), timeoutMs);
        waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    close: () => void req.destroy(),
  };
}

let collect: (() => void) | null = null;

/** A full garbage collection, so heap figures show what is retained rather than what is not yet swept. */
export function fullGc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}
