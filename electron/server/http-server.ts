import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrreryError } from '../../shared/errors';
import type { EventBus } from '../services/events/event-bus';
import type { RpcDispatcher } from '../services/rpc/dispatcher';
import { openEventStream } from './event-stream';
import { readJsonBody } from './http/read-json-body';
import { knownError } from '../services/store/storage-errors';
import { authenticate, checkHost, checkOrigin } from './request-guard';
import type { Caller } from '../services/auth/caller';
import type { JobTokens } from '../services/auth/job-tokens';
import { sendEnvelope, sendError, sendJson } from './responses';
import { serveStatic } from './static-files';

/** Another API served beside the RPC one (the MLflow REST API), behind the same guards. */
export interface HttpMount {
  handles(rawPathname: string): boolean;
  /** `caller` is who the token belongs to: a job's token reaches only what its run may touch. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, rawPathname: string, caller: Caller): Promise<void>;
  /** How this API words a refused request (MLflow clients expect their own error shape). */
  sendError(res: ServerResponse, error: OrreryError): void;
}

export interface HttpServerOptions {
  dispatcher: RpcDispatcher;
  bus: EventBus;
  token: string;
  /** Verifies the run-scoped tokens training jobs get; without it only the user's token is accepted. */
  jobTokens?: JobTokens;
  version: string;
  /** The built renderer; served at / so the UI opens in any browser. */
  staticDir: string;
  mounts?: HttpMount[];
}

export interface Listening {
  port: number;
  /** Base URL of the API and UI. */
  url: string;
}

const RPC_PREFIX = '/api/rpc/';

/**
 * The app's one HTTP listener, in desktop and headless mode: loopback only, bearer token,
 * Host and Origin checks, no CORS. Later areas (the MLflow REST API) mount here too.
 */
export class OrreryHttpServer {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private port = 0;

  constructor(private readonly options: HttpServerOptions) {
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port = 0): Promise<Listening> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new OrreryError('CONFLICT', `Port ${port} on 127.0.0.1 is already in use; pass another --port.`)
            : error,
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return { port: this.port, url: `http://127.0.0.1:${this.port}` };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Event streams never end on their own; cut them so close() returns.
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const hostError = checkHost(req, this.port);
      if (hostError) return sendError(res, hostError);
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
      const method = req.method ?? 'GET';
      // Routing uses the path as sent: URL parsing would already have resolved "..".
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const mount = this.options.mounts?.find((m) => m.handles(rawPath));
      if (mount) {
        const originError = checkOrigin(req, this.port);
        if (originError) return mount.sendError(res, originError);
        const caller = authenticate(req, this.options.token, this.options.jobTokens);
        if (caller instanceof OrreryError) return mount.sendError(res, caller);
        return await mount.handle(req, res, url, rawPath, caller);
      }

      if (!url.pathname.startsWith('/api/')) {
        if (method !== 'GET' && method !== 'HEAD') return sendError(res, new OrreryError('NOT_FOUND', `${method} ${url.pathname} is not a route.`));
        return serveStatic(res, this.options.staticDir, url.pathname, method);
      }
      const originError = checkOrigin(req, this.port);
      if (originError) return sendError(res, originError);

      if (url.pathname === '/api/health' && method === 'GET') {
        return sendJson(res, 200, { ok: true, version: this.options.version });
      }
      const caller = authenticate(req, this.options.token, this.options.jobTokens);
      if (caller instanceof OrreryError) return sendError(res, caller);
      if (caller.kind === 'job') {
        // Submitting jobs, the registry, settings, events: none of it is a job's business.
        return sendError(res, new OrreryError('FORBIDDEN', `A training job's token reaches only the MLflow API of its own run, not ${url.pathname}.`));
      }

      if (url.pathname.startsWith(RPC_PREFIX) && method === 'POST') {
        const name = decodedMethodName(url.pathname.slice(RPC_PREFIX.length));
        const input = await readJsonBody(req);
        return sendEnvelope(res, await this.options.dispatcher.dispatch(name, input));
      }
      if (url.pathname === '/api/events' && method === 'GET') {
        return openEventStream(req, res, url, this.options.bus);
      }
      return sendError(res, new OrreryError('NOT_FOUND', `${method} ${url.pathname} is not a route.`));
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      const known = knownError(error);
      if (known) return sendError(res, known);
      console.error('[http] request failed:', error);
      return sendError(res, new OrreryError('INTERNAL', error instanceof Error ? error.message : String(error)));
    }
  }
}

/** The method name in /api/rpc/<name>; a malformed percent-encoding is the caller's mistake (400). */
function decodedMethodName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new OrreryError('INVALID_INPUT', `The method name in /api/rpc/${encoded.slice(0, 100)} is not valid percent-encoding.`);
  }
}
