import type { ReplicaState, ReplicaView } from '../../../shared/contract/serving';
import { OrreryError } from '../../../shared/errors';
import type { ReplicaRuntime, ReplicaSpec } from './replica-runtime';

export interface ReplicaSetOptions {
  runtime: ReplicaRuntime;
  /** Called whenever a replica's state changes (routes and screens follow it). */
  onChange: (replica: ReplicaView, deployment: string) => void;
  onLog: (spec: ReplicaSpec, stream: 'stdout' | 'stderr', line: string) => void;
  /** How long a replica may take to load its model before it counts as failed. */
  readyTimeoutMs?: number;
  pingIntervalMs?: number;
  /** The first restart waits this long, then twice as long each time, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A replica ready this long counts as healthy again: its back-off starts over. */
  healthyAfterMs?: number;
  now?: () => number;
}

interface Replica {
  spec: ReplicaSpec;
  containerId: string | null;
  state: ReplicaState;
  reason: string | null;
  restarts: number;
  readySince: number | null;
  /** Set once the replica is being stopped on purpose: its exit is not a crash. */
  stopping: boolean;
  logs: ReplicaLogLine[];
  stopLogs: (() => void) | null;
  restartTimer: NodeJS.Timeout | null;
}

const KEPT_LOG_LINES = 200;

export interface ReplicaLogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  at: number;
}
const LAST_LINES_IN_REASON = 12;
/** How long a dead container's log stream may take to deliver its last lines. */
const LOG_SETTLE_MS = 300;

/**
 * Every replica container of every deployment: starts each and waits until its model is loaded,
 * restarts one that dies (with back-off, on the same port and resources), and stops them on
 * purpose. It holds no resources itself; the service reserves them before asking for a replica.
 */
export class ReplicaSet {
  private readonly replicas = new Map<string, Replica>();
  private readonly readyTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthyAfterMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: ReplicaSetOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.pingIntervalMs = options.pingIntervalMs ?? 200;
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts a replica and resolves once it answers /ping. When it dies or times out before that,
   * it is removed and this rejects with its last log lines: a replica that never becomes ready
   * is not restarted (the caller decides, e.g. a rollout aborts).
   */
  async launch(spec: ReplicaSpec): Promise<void> {
    const replica = this.track(spec, null, 'starting');
    await this.bringUp(replica, { firstStart: true });
  }

  /** Takes over a container found after a restart; a running one is followed, a dead one restarted. */
  adopt(spec: ReplicaSpec, containerId: string, running: boolean): void {
    const replica = this.track(spec, containerId, running ? 'starting' : 'restarting');
    if (!running) {
      void this.options.runtime.remove(containerId, 0).catch(() => undefined);
      replica.containerId = null;
      this.scheduleRestart(replica, 'its container had stopped while Orrery was closed');
      return;
    }
    this.follow(replica, containerId);
    void this.waitReady(replica, containerId).then(
      () => this.watchExit(replica, containerId),
      (error: unknown) => {
        if (replica.stopping || this.closed) return;
        this.scheduleRestart(replica, error instanceof Error ? error.message : String(error));
      },
    );
  }

  /** Stops and removes a replica's container (grace seconds for in-flight requests). */
  async stop(replicaId: string, graceSeconds = 5): Promise<void> {
    const replica = this.replicas.get(replicaId);
    if (!replica) return;
    replica.stopping = true;
    if (replica.restartTimer) clearTimeout(replica.restartTimer);
    this.set(replica, 'stopped', null);
    this.replicas.delete(replicaId);
    replica.stopLogs?.();
    if (replica.containerId) await this.options.runtime.remove(replica.containerId, graceSeconds);
  }

  get(replicaId: string): ReplicaView | null {
    const replica = this.replicas.get(replicaId);
    return replica ? this.view(replica) : null;
  }

  spec(replicaId: string): ReplicaSpec | null {
    return this.replicas.get(replicaId)?.spec ?? null;
  }

  of(deployment: string, version?: number): ReplicaView[] {
    return [...this.replicas.values()]
      .filter((r) => r.spec.deployment === deployment && (version === undefined || r.spec.version === version))
      .map((r) => this.view(r));
  }

  specsOf(deployment: string, version?: number): ReplicaSpec[] {
    return [...this.replicas.values()].filter((r) => r.spec.deployment === deployment && (version === undefined || r.spec.version === version)).map((r) => r.spec);
  }

  ports(): number[] {
    return [...this.replicas.values()].map((r) => r.spec.port);
  }

  /** The last lines each replica of a deployment printed, oldest first within a replica. */
  logs(deployment: string): Array<{ spec: ReplicaSpec; lines: ReplicaLogLine[] }> {
    return [...this.replicas.values()].filter((r) => r.spec.deployment === deployment).map((r) => ({ spec: r.spec, lines: [...r.logs] }));
  }

  /** Stops following containers; they keep running and are adopted again at the next start. */
  close(): void {
    this.closed = true;
    for (const replica of this.replicas.values()) {
      replica.stopLogs?.();
      if (replica.restartTimer) clearTimeout(replica.restartTimer);
    }
  }

  private track(spec: ReplicaSpec, containerId: string | null, state: ReplicaState): Replica {
    const replica: Replica = {
      spec,
      containerId,
      state,
      reason: state === 'ready' ? null : 'loading the model',
      restarts: 0,
      readySince: null,
      stopping: false,
      logs: [],
      stopLogs: null,
      restartTimer: null,
    };
    this.replicas.set(spec.replicaId, replica);
    this.options.onChange(this.view(replica), spec.deployment);
    return replica;
  }

  private async bringUp(replica: Replica, { firstStart }: { firstStart: boolean }): Promise<void> {
    let containerId: string;
    try {
      ({ containerId } = await this.options.runtime.start(replica.spec));
    } catch (error) {
      if (firstStart) this.replicas.delete(replica.spec.replicaId);
      throw error;
    }
    if (replica.stopping) {
      await this.options.runtime.remove(containerId, 0).catch(() => undefined);
      return;
    }
    replica.containerId = containerId;
    this.follow(replica, containerId);
    try {
      await this.waitReady(replica, containerId);
    } catch (error) {
      if (firstStart) {
        replica.stopping = true;
        replica.stopLogs?.();
        this.replicas.delete(replica.spec.replicaId);
        await this.options.runtime.remove(containerId, 0).catch(() => undefined);
      }
      throw error;
    }
    this.watchExit(replica, containerId);
  }

  private follow(replica: Replica, containerId: string): void {
    replica.stopLogs?.();
    replica.stopLogs = this.options.runtime.followLogs(containerId, (stream, line) => {
      replica.logs.push({ stream, line, at: this.now() });
      if (replica.logs.length > KEPT_LOG_LINES) replica.logs.splice(0, replica.logs.length - KEPT_LOG_LINES);
      this.options.onLog(replica.spec, stream, line);
    });
  }

  /** Polls /ping until 200; rejects when the container exits first or the model takes too long. */
  private async waitReady(replica: Replica, containerId: string): Promise<void> {
    let exited: string | null = null;
    void this.options.runtime.wait(containerId).then(
      (exit) => {
        exited = exit.error ?? `exited with code ${exit.exitCode}${exit.oomKilled ? ' (out of memory)' : ''}`;
      },
      () => {
        exited = 'its container is gone';
      },
    );
    const deadline = this.now() + this.readyTimeoutMs;
    for (;;) {
      if (replica.stopping || this.closed) return;
      if (exited !== null) {
        await new Promise((resolve) => setTimeout(resolve, LOG_SETTLE_MS)); // its last lines may still be on their way
        throw notServable(this.failure(replica, `the replica ${exited} before its model was loaded`));
      }
      if (await this.options.runtime.ping(replica.spec.port)) break;
      if (this.now() > deadline) throw notServable(this.failure(replica, `the replica did not answer /ping within ${Math.round(this.readyTimeoutMs / 1000)} s`));
      await new Promise((resolve) => setTimeout(resolve, this.pingIntervalMs));
    }
    if (exited !== null) throw notServable(this.failure(replica, `the replica ${exited}`));
    replica.readySince = this.now();
    this.set(replica, 'ready', null);
  }

  private watchExit(replica: Replica, containerId: string): void {
    void this.options.runtime.wait(containerId).then(
      (exit) => {
        if (replica.stopping || this.closed || replica.containerId !== containerId) return;
        const why = exit.error ?? `exited with code ${exit.exitCode}${exit.oomKilled ? ' (out of memory)' : ''}`;
        void this.options.runtime.remove(containerId, 0).catch(() => undefined);
        replica.containerId = null;
        this.scheduleRestart(replica, this.failure(replica, `the replica ${why}`));
      },
      () => {
        if (replica.stopping || this.closed || replica.containerId !== containerId) return;
        replica.containerId = null;
        this.scheduleRestart(replica, 'its container is gone');
      },
    );
  }

  private scheduleRestart(replica: Replica, reason: string): void {
    const healthy = replica.readySince !== null && this.now() - replica.readySince >= this.healthyAfterMs;
    if (healthy) replica.restarts = 0;
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** replica.restarts);
    replica.restarts += 1;
    replica.readySince = null;
    this.set(replica, 'restarting', `${reason}; restarting in ${Math.round(delay / 100) / 10} s`);
    replica.restartTimer = setTimeout(() => {
      replica.restartTimer = null;
      if (replica.stopping || this.closed) return;
      this.set(replica, 'starting', 'loading the model');
      this.bringUp(replica, { firstStart: false }).catch((error: unknown) => {
        if (replica.stopping || this.closed) return;
        const containerId = replica.containerId;
        replica.containerId = null;
        if (containerId) void this.options.runtime.remove(containerId, 0).catch(() => undefined);
        this.scheduleRestart(replica, error instanceof Error ? error.message : String(error));
      });
    }, delay);
    replica.restartTimer.unref?.();
  }

  private failure(replica: Replica, what: string): string {
    const last = replica.logs.slice(-LAST_LINES_IN_REASON).map((l) => l.line);
    return last.length ? `${what}. Its last log lines:\n${last.join('\n')}` : `${what} (it printed nothing)`;
  }

  private set(replica: Replica, state: ReplicaState, reason: string | null): void {
    replica.state = state;
    replica.reason = reason;
    this.options.onChange(this.view(replica), replica.spec.deployment);
  }

  private view(replica: Replica): ReplicaView {
    return {
      replicaId: replica.spec.replicaId,
      version: replica.spec.version,
      state: replica.state,
      url: `http://127.0.0.1:${replica.spec.port}`,
      containerId: replica.containerId,
      restarts: replica.restarts,
      reason: replica.reason,
      gpuIndices: replica.spec.gpuIndices,
    };
  }
}

/** A replica that cannot load its model: the version (or its image) is what is wrong, so the caller's input. */
function notServable(message: string): OrreryError {
  return new OrreryError('INVALID_INPUT', message);
}
