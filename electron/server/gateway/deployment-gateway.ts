import { answerFeedback, type FeedbackSink } from './feedback-endpoint';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { DeploymentRoutes, RequestObservation, ShadowObservation } from '../../services/serving/serving-routes';
import { allowedHosts, callerRequestId, digest, refusal, sendGatewayError } from './gateway-replies';
import { ProxyExchange, type ExchangeContext, type FinishedExchange } from './proxy-exchange';
import { nextReplica, RouteTable, type VersionTarget } from './route-table';
import { sendShadowCopy } from './shadow-sender';

export interface GatewayLimits {
  /** Bytes of each request and response body the request log keeps (the rest is counted). */
  logBodyBytes: number;
  /** Bodies up to this size are held whole, for a retry on another replica and a shadow copy. */
  retainBodyBytes: number;
  /** Upstream sockets per deployment (kept alive between requests). */
  maxSockets: number;
}

/** What a deployment's gateway counts beside the observations it reports. */
export interface GatewayCounters {
  shadowSent: number;
  /** Requests chosen for a shadow copy that were not copied: body over the hold limit, no shadow replica ready, or the caller's answer cut. */
  shadowSkipped: number;
}

export interface Observers {
  observe(observation: RequestObservation): void;
  observeShadow(observation: ShadowObservation): void;
}

/**
 * The listener of one deployment: checks, routing by weight, pinning, and the shadow copies.
 * Responses carry X-Request-Id and X-Orrery-Version. The model server's X-Orrery-Model-Error: 1
 * (predict raised, answered 400 as MLflow does) is kept in the caller's response too: MLflow
 * clients ignore it, and it tells a caller (and the "try it" box) a model failure from bad input.
 */
export class DeploymentGateway implements ExchangeContext {
  readonly server: http.Server;
  readonly agent: http.Agent;
  readonly counters: GatewayCounters = { shadowSent: 0, shadowSkipped: 0 };
  routes: DeploymentRoutes;
  private table: RouteTable;
  private hosts: Set<string>;
  private tokenDigest: Buffer | null;
  private shadowCredit = 0;

  constructor(
    routes: DeploymentRoutes,
    private readonly limits: GatewayLimits,
    private readonly observers: Observers,
    private readonly feedback: FeedbackSink | null = null,
  ) {
    this.routes = routes;
    this.table = new RouteTable(routes);
    this.hosts = allowedHosts(routes.port);
    this.tokenDigest = routes.token === null ? null : digest(routes.token);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: limits.maxSockets, maxFreeSockets: limits.maxSockets, scheduling: 'lifo' });
    this.server = http.createServer({ noDelay: true }, this.handle);
    // Our own timeout answers 504; Node's would cut the socket without an answer.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 75_000;
  }

  get name(): string {
    return this.routes.name;
  }

  get logBodyBytes(): number {
    return this.limits.logBodyBytes;
  }

  get retainBodyBytes(): number {
    return this.limits.retainBodyBytes;
  }

  /** Takes new routes for the same port; round-robin positions carry over. */
  update(routes: DeploymentRoutes): void {
    this.table = new RouteTable(routes, this.table);
    if (routes.token !== this.routes.token) this.tokenDigest = routes.token === null ? null : digest(routes.token);
    this.routes = routes;
  }

  observe(observation: RequestObservation): void {
    this.observers.observe(observation);
  }

  shadow(exchange: FinishedExchange): void {
    const target = this.table.shadow;
    if (!target || exchange.requestBody === null || target.replicas.length === 0) {
      this.counters.shadowSkipped++;
      return;
    }
    this.counters.shadowSent++;
    sendShadowCopy({
      deployment: this.routes.name,
      target,
      exchange: { ...exchange, requestBody: exchange.requestBody },
      agent: this.agent,
      timeoutMs: this.routes.timeoutMs,
      maxAnswerBytes: this.limits.retainBodyBytes,
      observe: (o) => this.observers.observeShadow(o),
    });
  }

  close(): Promise<void> {
    this.agent.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const routes = this.routes;
    const refused = refusal(req, this.hosts, routes.port, this.tokenDigest);
    if (refused) return sendGatewayError(res, refused.status, refused.code, refused.message, refused.extra);
    if (req.url === '/feedback' || req.url?.startsWith('/feedback?')) return answerFeedback(req, res, routes.name, this.feedback);
    const requestId = callerRequestId(req) ?? randomUUID();
    if (!routes.serving) {
      return sendGatewayError(res, 503, 'TEMPORARILY_UNAVAILABLE', `Deployment '${routes.name}' is stopped: start it with 'orrery deploy start ${routes.name}'.`, { 'x-request-id': requestId });
    }
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > routes.maxBodyBytes) {
      return sendGatewayError(res, 413, 'REQUEST_LIMIT_EXCEEDED', `The request body (${length} bytes) is over this deployment's limit of ${routes.maxBodyBytes} bytes.`, {
        'x-request-id': requestId,
        connection: 'close',
      });
    }
    const target = this.chooseVersion(req, res, requestId);
    if (!target) return;
    const replica = nextReplica(target);
    if (!replica) {
      return sendGatewayError(res, 503, 'TEMPORARILY_UNAVAILABLE', `Version ${target.version} of deployment '${routes.name}' has no ready replica.`, {
        'x-request-id': requestId,
        'x-orrery-version': String(target.version),
      });
    }
    new ProxyExchange(this, req, res, target, replica, requestId, this.shadowChosen(req));
  };

  /** The pinned version (X-Orrery-Version) or the next by weight; answers 400 / 503 itself when there is none. */
  private chooseVersion(req: IncomingMessage, res: ServerResponse, requestId: string): VersionTarget | null {
    const pin = req.headers['x-orrery-version'];
    if (pin !== undefined) {
      const version = /^\d{1,9}$/.test(String(pin).trim()) ? Number(String(pin).trim()) : NaN;
      const target = Number.isNaN(version) ? undefined : this.table.pinned(version);
      if (!target) {
        const served = this.table.servedVersions.join(', ') || 'none';
        sendGatewayError(res, 400, 'INVALID_PARAMETER_VALUE', `X-Orrery-Version '${String(pin)}' is not a version this deployment serves (served: ${served}).`, { 'x-request-id': requestId });
        return null;
      }
      return target;
    }
    const target = this.table.pick();
    if (!target) {
      sendGatewayError(res, 503, 'TEMPORARILY_UNAVAILABLE', `Deployment '${this.routes.name}' has no ready replica yet.`, { 'x-request-id': requestId });
      return null;
    }
    return target;
  }

  /** Deterministic share: of every 100 scoring requests routed by weight, exactly `share` are copied. */
  private shadowChosen(req: IncomingMessage): boolean {
    const shadow = this.routes.shadow;
    if (!shadow || req.method !== 'POST' || !req.url?.startsWith('/invocations') || req.headers['x-orrery-version'] !== undefined) return false;
    this.shadowCredit += shadow.share;
    if (this.shadowCredit < 100) return false;
    this.shadowCredit -= 100;
    return true;
  }
}
