import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { GatewayHost, type GatewayHostOptions } from '../../../electron/server/gateway/gateway-host';
import type { DeploymentRoutes, RequestObservation, RouteSource, ShadowObservation, UpstreamReplica } from '../../../electron/services/serving/serving-routes';

/** A route source a test edits by hand, recording what the gateway reports. */
export class FakeRoutes implements RouteSource {
  table: DeploymentRoutes[] = [];
  readonly observed: RequestObservation[] = [];
  readonly shadows: ShadowObservation[] = [];
  private readonly listeners = new Set<() => void>();

  routes(): DeploymentRoutes[] {
    return this.table;
  }
  onRoutesChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  observe(observation: RequestObservation): void {
    this.observed.push(observation);
  }
  observeShadow(observation: ShadowObservation): void {
    this.shadows.push(observation);
  }
  set(table: DeploymentRoutes[]): void {
    this.table = table;
    for (const listener of this.listeners) listener();
  }
}

export interface Upstream {
  replica: UpstreamReplica;
  server: http.Server;
  /** Bodies it received, in order. */
  received: Array<{ headers: http.IncomingHttpHeaders; body: Buffer; url: string }>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

const opened: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

/** A plain Node HTTP server standing in for a model replica; by default it echoes predictions. */
export async function upstream(replicaId: string, version: number, handler?: Handler): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: req.headers, body, url: req.url ?? '' });
      if (handler) return handler(req, res, body);
      const text = JSON.stringify({ predictions: [version], replica: replicaId });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({ close: () => closeServer(server) });
  const port = (server.address() as AddressInfo).port;
  return { replica: { replicaId, version, host: '127.0.0.1', port }, server, received };
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A free loopback port (bound, then let go). */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  return port;
}

export async function deployment(name: string, versions: Array<{ version: number; weight: number; replicas: Upstream[] }>, more: Partial<DeploymentRoutes> = {}): Promise<DeploymentRoutes> {
  return {
    name,
    port: more.port ?? (await freePort()),
    serving: true,
    token: null,
    timeoutMs: 5_000,
    maxBodyBytes: 100 * 1024 * 1024,
    logRequests: false,
    shadow: null,
    ...more,
    versions: versions.map((v) => ({ version: v.version, weight: v.weight, replicas: v.replicas.map((u) => u.replica) })),
  };
}

export async function startGateway(source: FakeRoutes, options?: GatewayHostOptions): Promise<GatewayHost> {
  const host = new GatewayHost(source, options);
  opened.push(host);
  const failures = await host.start();
  if (failures.length > 0) throw failures[0]!.error;
  return host;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => Record<string, unknown>;
}

/** One request to the gateway over a fresh connection with full control of the headers. */
export function call(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/invocations',
        agent: options.agent ?? false,
        headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '{"inputs": [[1, 2]]}');
  });
}

/** Waits until `check` is true (observations arrive after the response, on setImmediate). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
