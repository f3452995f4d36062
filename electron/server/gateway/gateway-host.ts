import type { FeedbackSink } from './feedback-endpoint';
import type { DeploymentRoutes, RouteSource } from '../../services/serving/serving-routes';
import { DeploymentGateway, type GatewayCounters, type GatewayLimits } from './deployment-gateway';

export interface GatewayHostOptions extends Partial<GatewayLimits> {
  /** Told when a deployment's listener could not open (a port in use); once per failure, not per retry. */
  onListenError?: (deployment: string, error: Error) => void;
  /** Where POST /feedback labels go (monitoring); without it /feedback answers 503. */
  feedback?: FeedbackSink;
}

/** How often a port that could not be opened is tried again. */
const RETRY_LISTEN_MS = 5000;

const DEFAULTS: GatewayLimits = { logBodyBytes: 64 * 1024, retainBodyBytes: 1024 * 1024, maxSockets: 64 };

interface Entry {
  gateway: DeploymentGateway;
  /** Settles when the listener is open (or failed to open). */
  listening: Promise<void> | null;
  error: Error | null;
  /** The last failure told to onListenError. */
  reported?: string;
}

/**
 * The serving gateway: one loopback listener per deployment, on the port the deployment keeps.
 * It follows the route source: new deployments get a listener, changed routes take effect on the
 * next request, removed deployments' ports close.
 */
export class GatewayHost {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: GatewayLimits;
  private unsubscribe: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly source: RouteSource,
    private readonly options: GatewayHostOptions = {},
  ) {
    this.limits = {
      logBodyBytes: options.logBodyBytes ?? DEFAULTS.logBodyBytes,
      retainBodyBytes: options.retainBodyBytes ?? DEFAULTS.retainBodyBytes,
      maxSockets: options.maxSockets ?? DEFAULTS.maxSockets,
    };
  }

  /**
   * Opens a listener for every deployment the source has and follows its changes. Resolves when
   * all have tried; a port that could not be opened is reported through onListenError and in
   * the returned list, and the others still serve.
   */
  async start(): Promise<Array<{ deployment: string; error: Error }>> {
    this.unsubscribe ??= this.source.onRoutesChanged(() => void this.sync());
    // A port another program held is tried again, so the URL answers once it is free.
    this.retry ??= setInterval(() => {
      if ([...this.entries.values()].some((entry) => entry.error)) void this.sync();
    }, RETRY_LISTEN_MS);
    this.retry.unref();
    await this.sync();
    return [...this.entries.entries()].flatMap(([deployment, entry]) => (entry.error ? [{ deployment, error: entry.error }] : []));
  }

  /**
   * Makes sure the deployment's port is open: resolves once it listens, rejects with a message
   * naming the port when it cannot (e.g. in use by another program), so a create can fail fast.
   */
  async ensureListening(name: string): Promise<void> {
    if (this.closed) throw new Error('The serving gateway is closed.');
    const routes = this.source.routes().find((r) => r.name === name);
    if (!routes) throw new Error(`No deployment named '${name}' to listen for.`);
    const entry = this.apply(routes);
    // A routes change may start another try meanwhile: wait for the latest.
    let attempt: Promise<void> | null;
    do {
      attempt = entry.listening;
      await attempt;
    } while (entry.listening !== attempt);
    if (entry.error) throw entry.error;
  }

  /** The ports listening now, by deployment. */
  listeners(): Array<{ deployment: string; port: number }> {
    return [...this.entries.values()].filter((e) => e.gateway.server.listening).map((e) => ({ deployment: e.gateway.name, port: e.gateway.routes.port }));
  }

  /** Why a deployment's listener is not open, or null. */
  listenError(name: string): Error | null {
    return this.entries.get(name)?.error ?? null;
  }

  counters(name: string): GatewayCounters | null {
    const counters = this.entries.get(name)?.gateway.counters;
    return counters ? { ...counters } : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearInterval(this.retry);
    this.unsubscribe?.();
    this.unsubscribe = null;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.gateway.close()));
  }

  private async sync(): Promise<void> {
    if (this.closed) return;
    const all = this.source.routes();
    const names = new Set(all.map((r) => r.name));
    const closing: Promise<void>[] = [];
    for (const [name, entry] of this.entries) {
      if (!names.has(name)) {
        this.entries.delete(name);
        closing.push(entry.gateway.close());
      }
    }
    await Promise.all(closing);
    await Promise.all(all.map((routes) => this.apply(routes).listening));
  }

  /** Updates or opens a deployment's listener; a changed port means a new listener. */
  private apply(routes: DeploymentRoutes): Entry {
    const existing = this.entries.get(routes.name);
    if (existing && existing.gateway.routes.port === routes.port) {
      existing.gateway.update(routes);
      // A port that failed earlier is tried again (the other program may have gone).
      if (existing.error) this.listen(existing);
      return existing;
    }
    if (existing) void existing.gateway.close();
    const entry: Entry = { gateway: new DeploymentGateway(routes, this.limits, this.source, this.options.feedback ?? null), listening: null, error: null };
    this.entries.set(routes.name, entry);
    this.listen(entry);
    return entry;
  }

  private listen(entry: Entry): void {
    const { server, routes } = entry.gateway;
    entry.error = null;
    entry.listening = new Promise<void>((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        entry.error = listenFailure(routes, error);
        // Each routes change tries again: a port that stays taken is told once, not per try.
        if (entry.error.message !== entry.reported) this.options.onListenError?.(routes.name, entry.error);
        entry.reported = entry.error.message;
        resolve();
      };
      const onListening = (): void => {
        server.off('error', onError);
        entry.reported = undefined;
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: '127.0.0.1', port: routes.port, exclusive: true });
    });
  }
}

function listenFailure(routes: DeploymentRoutes, error: NodeJS.ErrnoException): Error {
  const where = `http://127.0.0.1:${routes.port}/`;
  if (error.code === 'EADDRINUSE') return new Error(`Port ${routes.port} is already in use by another program: deployment '${routes.name}' cannot answer on ${where}. Choose another port.`);
  if (error.code === 'EACCES') return new Error(`Port ${routes.port} is not allowed for this user: deployment '${routes.name}' cannot answer on ${where}. Choose a port from 1024 up.`);
  return new Error(`Deployment '${routes.name}' cannot listen on ${where}: ${error.message}`);
}
