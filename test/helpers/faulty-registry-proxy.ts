import http from 'node:http';
import { Transform } from 'node:stream';

/**
 * A reverse proxy on 127.0.0.1 (node:http) in front of a real registry (see docker-registry.ts),
 * standing in for what sits in front of registries in the wild (nginx before Harbor, a policy
 * engine): it forwards every request and answer as is (bodies streamed, headers kept, `Location`
 * rewritten to the proxy's own host) unless one of its rules says otherwise:
 *
 * - `denyPush`: repositories whose writes (POST/PUT/PATCH/DELETE) get 403 with a registry-style
 *   `DENIED` error, as a registry answers a user with pull-only rights; reads go through.
 * - `maxUploadBytes`: blob upload PATCH/PUT bodies above this get nginx's HTML 413 page, as
 *   `client_max_body_size` in front of a registry does.
 * - `rejectManifests`: repositories whose manifest PUTs get 400 `MANIFEST_INVALID`, as a registry
 *   policy refusing an artifact type does.
 * - `corruptBlobs`: blob digests whose GET answer has one byte flipped (same length, same headers).
 *
 * Rules can be changed between requests (`proxy.rules = …`); `requests` records what went by.
 */
export interface FaultRules {
  denyPush?: string[];
  maxUploadBytes?: number;
  rejectManifests?: string[];
  corruptBlobs?: string[];
}

export interface ProxiedRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  status: number;
  /** Which rule answered, or null when the registry did. */
  fault: 'deny-push' | 'too-large' | 'reject-manifest' | 'corrupt-blob' | null;
}

export interface FaultyRegistryProxy {
  /** `127.0.0.1:PORT`, to use in references. */
  host: string;
  url: string;
  rules: FaultRules;
  requests: ProxiedRequest[];
  stop(): Promise<void>;
}

export const DENIED_BODY = { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] };
export const MANIFEST_INVALID_BODY = { errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: 'artifactType not allowed by policy' }] };
/** nginx's own page for client_max_body_size (its exact markup). */
export const NGINX_413_HTML =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** `/v2/<repository>/<blobs|manifests|tags>/…` → its parts; null for `/v2/` and anything else. */
function parseApiPath(pathname: string): { repository: string; kind: 'upload' | 'blob' | 'manifest' | 'other' } | null {
  const m = /^\/v2\/(.+?)\/(blobs\/uploads(?:\/.*)?|blobs\/[^/]+|manifests\/[^/]+|tags\/list)$/.exec(pathname);
  if (!m) return null;
  const rest = m[2]!;
  const kind = rest.startsWith('blobs/uploads') ? 'upload' : rest.startsWith('blobs/') ? 'blob' : rest.startsWith('manifests/') ? 'manifest' : 'other';
  return { repository: m[1]!, kind };
}

/** Flips the byte at `at` (or the last one, for shorter bodies) as it streams by. */
function flipOneByte(at: number, total: number): Transform {
  const target = total > 0 ? Math.min(at, total - 1) : at;
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (target >= offset && target < offset + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[target - offset] = copy[target - offset]! ^ 0x01;
        offset += chunk.length;
        cb(null, copy);
        return;
      }
      offset += chunk.length;
      cb(null, chunk);
    },
  });
}

export async function startFaultyRegistryProxy(upstreamUrl: string, rules: FaultRules = {}): Promise<FaultyRegistryProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: ProxiedRequest[] = [];
  let proxyUrl = '';

  const proxy: FaultyRegistryProxy = {
    host: '',
    url: '',
    rules,
    requests,
    stop: () => Promise.resolve(),
  };

  /** Answer from a rule; the request body is read to its end first, so the client sees the answer, not a reset. */
  const answer = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    fault: NonNullable<ProxiedRequest['fault']>,
    status: number,
    contentType: string,
    body: string,
  ): void => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', status, fault });
    const send = (): void => {
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Docker-Distribution-Api-Version': 'registry/2.0' });
      res.end(body);
    };
    if (req.readableEnded) send();
    else {
      req.on('end', send);
      req.resume();
    }
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', proxyUrl);
    const api = parseApiPath(url.pathname);
    const r = proxy.rules;

    if (api && r.denyPush?.includes(api.repository) && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      answer(req, res, 'deny-push', 403, 'application/json; charset=utf-8', JSON.stringify(DENIED_BODY));
      return;
    }
    if (api?.kind === 'upload' && (method === 'PATCH' || method === 'PUT') && r.maxUploadBytes !== undefined) {
      const length = Number(req.headers['content-length'] ?? NaN);
      // Like nginx, judge by Content-Length; a body without one is counted as it arrives.
      if (Number.isFinite(length) && length > r.maxUploadBytes) {
        answer(req, res, 'too-large', 413, 'text/html', NGINX_413_HTML);
        return;
      }
      if (!Number.isFinite(length)) {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= r.maxUploadBytes!) chunks.push(c);
        });
        req.on('end', () => {
          if (size > r.maxUploadBytes!) answer(req, res, 'too-large', 413, 'text/html', NGINX_413_HTML);
          else forward(req, res, url, api, Buffer.concat(chunks));
        });
        return;
      }
    }
    if (api?.kind === 'manifest' && method === 'PUT' && r.rejectManifests?.includes(api.repository)) {
      answer(req, res, 'reject-manifest', 400, 'application/json; charset=utf-8', JSON.stringify(MANIFEST_INVALID_BODY));
      return;
    }
    forward(req, res, url, api);
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, url: URL, api: ReturnType<typeof parseApiPath>, body?: Buffer): void {
    const method = req.method ?? 'GET';
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    // As nginx's default `proxy_set_header Host $proxy_host`: the registry sees its own host and
    // writes it into Location, which is rewritten on the way back.
    headers.host = upstream.host;
    if (body !== undefined) headers['content-length'] = String(body.length);
    const digest = api?.kind === 'blob' ? decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)) : null;
    const corrupt = method === 'GET' && digest !== null && (proxy.rules.corruptBlobs?.includes(digest) ?? false);

    const upstreamReq = http.request({ host: upstream.hostname, port: upstream.port, method, path: `${url.pathname}${url.search}`, headers }, (up) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      const location = up.headers.location;
      if (location) {
        const abs = new URL(location, upstream);
        if (abs.host === upstream.host) out.location = `${proxyUrl}${abs.pathname}${abs.search}`;
      }
      const status = up.statusCode ?? 502;
      const flip = corrupt && status === 200;
      requests.push({ method, url: req.url ?? '/', status, fault: flip ? 'corrupt-blob' : null });
      res.writeHead(status, out);
      if (flip) {
        const total = Number(up.headers['content-length'] ?? 0);
        up.pipe(flipOneByte(Math.floor(total / 2), total)).pipe(res);
      } else {
        up.pipe(res);
      }
    });
    upstreamReq.on('error', (error) => {
      requests.push({ method, url: req.url ?? '/', status: 502, fault: null });
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy: upstream failed: ${error.message}`);
    });
    if (body !== undefined) upstreamReq.end(body);
    else req.pipe(upstreamReq);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  proxyUrl = `http://127.0.0.1:${port}`;
  proxy.host = `127.0.0.1:${port}`;
  proxy.url = proxyUrl;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}
