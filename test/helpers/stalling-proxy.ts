import http from 'node:http';

/**
 * A reverse proxy on 127.0.0.1 in front of a real registry (docker-registry.ts) that forwards
 * everything as is, except one blob download: after `stallAfter` bytes of it the proxy stops
 * sending (the connection stays open), as a stalled network does. A test can then inspect what a
 * pull in progress has on disk, kill the puller, or `release()` the rest of the blob.
 */
export interface StallingProxy {
  /** `127.0.0.1:PORT`, to use in references. */
  host: string;
  /** The blob digest to stall (`sha256:…`); null passes everything through. */
  stallDigest: string | null;
  stallAfter: number;
  /** Resolves once a download of the blob has stalled (since the last release()). */
  stalled(): Promise<void>;
  /** Sends the rest of every stalled download. */
  release(): void;
  stop(): Promise<void>;
}

export async function startStallingProxy(upstream: string): Promise<StallingProxy> {
  const target = new URL(upstream);
  let onStall: Array<() => void> = [];
  let stalledOnce = false;
  let releases: Array<() => void> = [];
  const sockets = new Set<import('node:net').Socket>();

  const proxy: StallingProxy = {
    host: '',
    stallDigest: null,
    stallAfter: 0,
    stalled: () => (stalledOnce ? Promise.resolve() : new Promise((resolve) => onStall.push(resolve))),
    release() {
      // The next stalled() waits for a new stall.
      stalledOnce = false;
      for (const r of releases.splice(0)) r();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((req, res) => {
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upstreamRes) => {
        const headers = { ...upstreamRes.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(target.host, proxy.host);
        res.writeHead(upstreamRes.statusCode ?? 502, headers);
        const stallHere = req.method === 'GET' && proxy.stallDigest !== null && req.url?.endsWith(`/blobs/${proxy.stallDigest}`) === true;
        if (!stallHere) {
          upstreamRes.pipe(res);
          return;
        }
        let sent = 0;
        let holding = false;
        let ended = false;
        const held: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => {
          if (holding) {
            held.push(chunk);
            return;
          }
          const room = proxy.stallAfter - sent;
          if (chunk.length < room) {
            res.write(chunk);
            sent += chunk.length;
            return;
          }
          // Stall at the boundary even when a chunk ends exactly on it (64 KiB chunks, 1 MiB limit).
          if (room > 0) res.write(chunk.subarray(0, room));
          sent = Number.NEGATIVE_INFINITY; // one stall per download
          holding = true;
          held.push(chunk.subarray(Math.max(0, room)));
          upstreamRes.pause();
          releases.push(() => {
            holding = false;
            for (const c of held.splice(0)) res.write(c);
            if (ended) res.end();
            else upstreamRes.resume();
          });
          stalledOnce = true;
          for (const r of onStall.splice(0)) r();
        });
        upstreamRes.on('end', () => {
          ended = true;
          if (!holding) res.end();
        });
      },
    );
    upstreamReq.on('error', () => res.destroy());
    req.pipe(upstreamReq);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  proxy.host = `127.0.0.1:${port}`;
  onStall = [];
  releases = [];
  return proxy;
}
