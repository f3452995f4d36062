import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * A hostile OCI registry on 127.0.0.1 (node:http): it answers the paths a test routes with whatever
 * the test says, true or not: a manifest of a gigabyte, a config longer than its descriptor, a
 * Content-Length that lies, an error page that never ends. Big bodies are generated lazily, chunk
 * by chunk as the client reads them, so the test process itself never holds them; `sent` counts
 * what was generated, so a test can tell that the client hung up early.
 *
 * Unrouted paths answer 404 with a registry-style error; `/v2/` answers 200 (no auth).
 */

/** A body made on demand: `head`, then `fill` bytes (a space by default) up to `total` bytes. */
export interface LazyBody {
  total: number;
  head?: Buffer | string;
  fill?: number;
}

export interface HostileAnswer {
  status?: number;
  /** Sent as is; no Content-Length is added for lazy bodies (they go chunked) unless given here. */
  headers?: Record<string, string>;
  body?: Buffer | string | LazyBody;
}

export interface HostileRegistry {
  /** `127.0.0.1:PORT`, to use in references. */
  host: string;
  url: string;
  /** Answer GET and HEAD of `path`, e.g. `/v2/big/manifests/v1` or `/v2/m/blobs/sha256:…`. */
  route(path: string, answer: HostileAnswer): void;
  /** Route a blob by its own digest: `/v2/<repository>/blobs/<digest>`, with a true Content-Length. */
  blob(repository: string, bytes: Buffer | string): string;
  /** Bytes generated for `path`'s bodies so far, over all requests. */
  sent(path: string): number;
  /** Method and path of every request, in order. */
  requests: Array<{ method: string; path: string }>;
  stop(): Promise<void>;
}

const CHUNK = 64 * 1024;

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function lazyStream(body: LazyBody, count: (n: number) => void): Readable {
  const head = Buffer.from(body.head ?? '');
  const filler = Buffer.alloc(CHUNK, body.fill ?? 0x20);
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= body.total) {
        this.push(null);
        return;
      }
      let chunk: Buffer;
      if (produced < head.length) chunk = head.subarray(produced, Math.min(head.length, produced + CHUNK, body.total));
      else chunk = filler.subarray(0, Math.min(CHUNK, body.total - produced));
      produced += chunk.length;
      count(chunk.length);
      this.push(chunk);
    },
  });
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const routes = new Map<string, HostileAnswer>();
  const sent = new Map<string, number>();
  const requests: HostileRegistry['requests'] = [];
  const count = (path: string) => (n: number) => sent.set(path, (sent.get(path) ?? 0) + n);

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path });
    req.resume();
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    const answer = routes.get(path);
    if (!answer || (method !== 'GET' && method !== 'HEAD')) {
      const body = JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: `nothing routed at ${method} ${path}` }] });
      res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(answer.status ?? 200, answer.headers ?? {});
    const body = answer.body ?? '';
    if (method === 'HEAD') {
      res.end();
      return;
    }
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      count(path)(Buffer.byteLength(body));
      res.end(body);
      return;
    }
    const stream = lazyStream(body, count(path));
    // The client hanging up ends the generation: nothing more is made for a reader that left.
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    route: (path, answer) => void routes.set(path, answer),
    blob: (repository, bytes) => {
      const digest = sha256Digest(bytes);
      routes.set(`/v2/${repository}/blobs/${digest}`, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(Buffer.byteLength(bytes)), 'Docker-Content-Digest': digest },
        body: bytes,
      });
      return digest;
    },
    sent: (path) => sent.get(path) ?? 0,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
