import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { DeploymentRoutes, RequestObservation, UpstreamReplica } from '../../services/serving/serving-routes';
import { BodyTap } from './body-tap';
import { sendGatewayError } from './gateway-replies';
import { otherReplica, type VersionTarget } from './route-table';

/** What one request needs from its deployment's gateway. */
export interface ExchangeContext {
  readonly name: string;
  readonly routes: DeploymentRoutes;
  readonly agent: http.Agent;
  /** Bytes of each body the request log keeps. */
  readonly logBodyBytes: number;
  /** Bodies up to this size are held whole: for a retry and for a shadow copy. */
  readonly retainBodyBytes: number;
  observe(observation: RequestObservation): void;
  /** Called after the caller's response finished, when this request was chosen for a shadow copy. */
  shadow(exchange: FinishedExchange): void;
}

/** What a shadow copy needs of the request it copies. */
export interface FinishedExchange {
  requestId: string;
  contentType: string;
  /** Null when the body was over the hold limit: the copy is skipped. */
  requestBody: Buffer | null;
  status: number;
  latencyMs: number;
  responseBody: Buffer;
}

// Hop-by-hop headers (RFC 9110 §7.6.1), Expect (this server already answered 100 Continue) and ours: never forwarded.
const DROP_REQUEST = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'host', 'authorization', 'x-orrery-version', 'x-request-id']);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade', 'x-request-id', 'x-orrery-version']);

/**
 * One request through the gateway: streams the body to a replica and the answer back, retries
 * once on another ready replica of the same version when the replica could not be reached and the
 * body is still held, answers 504 / 502 / 413 itself, and reports what happened after the
 * response has finished (setImmediate), never delaying the caller.
 */
export class ProxyExchange {
  private readonly started = performance.now();
  private readonly at = Date.now();
  private readonly requestTap: BodyTap;
  private responseTap: BodyTap | null = null;
  private upstream: http.ClientRequest | null = null;
  private replica: UpstreamReplica;
  private retried = false;
  private answered = false;
  private upstreamFailure = false;
  private modelError = false;
  private responseBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly target: VersionTarget,
    first: UpstreamReplica,
    private readonly requestId: string,
    private readonly shadowed: boolean,
  ) {
    this.replica = first;
    const logBytes = ctx.routes.logRequests ? ctx.logBodyBytes : 0;
    this.requestTap = new BodyTap(ctx.retainBodyBytes, logBytes);
    this.timer = setTimeout(this.onTimeout, ctx.routes.timeoutMs);
    req.on('data', this.onRequestData);
    req.on('error', () => this.upstream?.destroy());
    res.once('close', this.onClose);
    const declared = Number(req.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared <= ctx.retainBodyBytes && !req.complete) {
      // A small body is read whole before a replica connection is taken, so a caller that sends it
      // slowly (or never finishes) holds no upstream socket from the others; bigger ones stream.
      req.once('end', () => {
        if (!this.answered) this.send(true);
      });
    } else {
      this.send(false);
    }
  }

  private send(retry: boolean): void {
    const { replica, req } = this;
    const upstream = http.request({
      host: replica.host,
      port: replica.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req.rawHeaders, `${replica.host}:${replica.port}`, this.requestId),
      agent: this.ctx.agent,
    });
    this.upstream = upstream;
    upstream.on('response', this.onResponse);
    upstream.on('error', this.onUpstreamError);
    // On a retry (or a body read whole first) the held chunks go first; pipe then sends the rest, or
    // just ends when the body is all read.
    if (retry && req.complete) {
      // The whole body is held: headers and body leave in one write.
      upstream.end(Buffer.concat(this.requestTap.held()));
      return;
    }
    if (retry) for (const chunk of this.requestTap.held()) upstream.write(chunk);
    req.pipe(upstream);
  }

  private readonly onRequestData = (chunk: Buffer): void => {
    this.requestTap.add(chunk);
    if (this.requestTap.bytes > this.ctx.routes.maxBodyBytes && !this.answered) {
      this.abandonUpstream();
      this.answer(413, 'REQUEST_LIMIT_EXCEEDED', `The request body is over this deployment's limit of ${this.ctx.routes.maxBodyBytes} bytes.`, true);
    }
  };

  private readonly onResponse = (upstreamRes: IncomingMessage): void => {
    if (this.answered) {
      upstreamRes.resume();
      return;
    }
    this.answered = true;
    const status = upstreamRes.statusCode ?? 502;
    this.modelError = upstreamRes.headers['x-orrery-model-error'] === '1';
    const headers = answerHeaders(upstreamRes.rawHeaders, this.requestId, this.target.version);
    this.res.writeHead(status, headers);
    const capture = this.shadowed ? this.ctx.retainBodyBytes : this.ctx.routes.logRequests ? this.ctx.logBodyBytes : 0;
    if (capture > 0) this.responseTap = new BodyTap(capture, this.ctx.routes.logRequests ? this.ctx.logBodyBytes : 0);
    upstreamRes.on('data', (chunk: Buffer) => {
      this.responseBytes += chunk.length;
      this.responseTap?.add(chunk);
    });
    upstreamRes.on('error', () => this.res.destroy());
    upstreamRes.on('aborted', () => this.res.destroy());
    upstreamRes.pipe(this.res);
  };

  private readonly onUpstreamError = (error: NodeJS.ErrnoException): void => {
    if (this.answered) {
      // The answer had started: the caller sees a cut response, as from the replica itself.
      if (!this.res.writableFinished) this.res.destroy();
      return;
    }
    // A kept-alive socket the replica closed just as it was reused fails like a dead replica: with
    // no other replica ready, that one is tried once more on a fresh socket.
    const reused = this.upstream?.reusedSocket === true;
    const other = !this.retried && this.requestTap.whole ? (otherReplica(this.target, this.replica) ?? (reused ? this.replica : null)) : null;
    if (other) {
      this.retried = true;
      this.abandonUpstream();
      this.replica = other;
      this.send(true);
      return;
    }
    this.upstreamFailure = true;
    this.abandonUpstream();
    this.answer(502, 'TEMPORARILY_UNAVAILABLE', `Replica ${this.replica.replicaId} of version ${this.target.version} could not be reached (${error.code ?? error.message}).`, !this.req.complete);
  };

  private readonly onTimeout = (): void => {
    this.upstreamFailure = true;
    this.abandonUpstream();
    if (this.answered) {
      this.res.destroy();
      return;
    }
    const seconds = this.ctx.routes.timeoutMs / 1000;
    this.answer(504, 'DEADLINE_EXCEEDED', `Request processing time exceeded limit (${seconds} s).`, !this.req.complete);
  };

  private abandonUpstream(): void {
    const upstream = this.upstream;
    if (!upstream) return;
    this.upstream = null;
    this.req.unpipe(upstream);
    // Its own 'socket hang up' must not reach onUpstreamError and cut the answer being sent.
    upstream.removeListener('error', this.onUpstreamError);
    upstream.on('error', ignore);
    upstream.destroy();
  }

  private answer(status: number, code: string, message: string, closeAfter: boolean): void {
    this.answered = true;
    const extra: Record<string, string> = { 'x-request-id': this.requestId, 'x-orrery-version': String(this.target.version) };
    if (closeAfter) {
      // The rest of the body is not read: the connection cannot carry another request.
      extra.connection = 'close';
      this.req.resume();
    }
    sendGatewayError(this.res, status, code, message, extra);
  }

  private readonly onClose = (): void => {
    clearTimeout(this.timer);
    const finished = this.res.writableFinished;
    if (!finished) this.abandonUpstream();
    const status = finished ? this.res.statusCode : 499;
    if (status === 413) return; // the caller's mistake, not the version's
    const latencyMs = performance.now() - this.started;
    setImmediate(() => this.report(status, latencyMs, finished));
  };

  private report(status: number, latencyMs: number, finished: boolean): void {
    const { ctx, requestTap, responseTap } = this;
    const observation: RequestObservation = {
      deployment: ctx.name,
      version: this.target.version,
      replicaId: this.replica.replicaId,
      requestId: this.requestId,
      at: this.at,
      status,
      latencyMs,
      modelError: this.modelError,
      upstreamFailure: this.upstreamFailure,
    };
    if (ctx.routes.logRequests) {
      observation.request = { contentType: this.req.headers['content-type'] ?? '', body: requestTap.prefix(), bytes: requestTap.bytes };
      observation.response = { body: responseTap ? responseTap.prefix() : Buffer.alloc(0), bytes: this.responseBytes };
    }
    ctx.observe(observation);
    if (this.shadowed && finished) {
      ctx.shadow({
        requestId: this.requestId,
        contentType: this.req.headers['content-type'] ?? '',
        requestBody: requestTap.whole && this.req.readableEnded ? requestTap.body() : null,
        status,
        latencyMs,
        responseBody: responseTap?.whole ? responseTap.body() : Buffer.alloc(0),
      });
    }
  }
}

function ignore(): void {}

function forwardedHeaders(raw: string[], host: string, requestId: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!DROP_REQUEST.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  out.push('host', host, 'x-request-id', requestId);
  return out;
}

function answerHeaders(raw: string[], requestId: string, version: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!DROP_RESPONSE.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  out.push('x-request-id', requestId, 'x-orrery-version', String(version));
  return out;
}
