import type { ReplicaExit, ReplicaRuntime, ReplicaSpec, RunningReplica } from '../../electron/services/serving/replica-runtime';
import { OrreryError } from '../../shared/errors';

export interface FakeContainer {
  containerId: string;
  spec: ReplicaSpec;
  running: boolean;
  ready: boolean;
  exit: Promise<ReplicaExit>;
  end: (exit: ReplicaExit) => void;
  onLine: ((stream: 'stdout' | 'stderr', line: string) => void) | null;
}

/**
 * Replicas without Docker: containers are records; a started one answers /ping at once unless
 * the test says otherwise (`behaviour`), and dies when the test kills it.
 */
export class FakeReplicaRuntime implements ReplicaRuntime {
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set(['orrery/serve:local']);
  started = 0;
  /** How the next replicas behave: 'ready'; 'crash' (print these lines, exit 1 before ready); 'silent' (never ready). */
  behaviour: { kind: 'ready' } | { kind: 'crash'; lines: string[] } | { kind: 'silent' } = { kind: 'ready' };
  private next = 1;

  checkImage(image: string): Promise<void> {
    return this.images.has(image) ? Promise.resolve() : Promise.reject(new OrreryError('INVALID_INPUT', `image: '${image}' is not a local image`));
  }

  start(spec: ReplicaSpec): Promise<{ containerId: string }> {
    const containerId = `c${this.next++}`;
    let end!: (exit: ReplicaExit) => void;
    const exit = new Promise<ReplicaExit>((resolve) => (end = resolve));
    const container: FakeContainer = { containerId, spec, running: true, ready: this.behaviour.kind === 'ready', exit, end, onLine: null };
    this.containers.set(containerId, container);
    this.started++;
    const behaviour = this.behaviour;
    if (behaviour.kind === 'crash') {
      setTimeout(() => {
        for (const line of behaviour.lines) container.onLine?.('stderr', line);
        this.kill(containerId, 1);
      }, 20);
    }
    return Promise.resolve({ containerId });
  }

  wait(containerId: string): Promise<ReplicaExit> {
    return this.containers.get(containerId)?.exit ?? Promise.reject(new Error('no such container'));
  }

  remove(containerId: string): Promise<void> {
    const container = this.containers.get(containerId);
    if (container) {
      container.running = false;
      container.end({ exitCode: 137, oomKilled: false, error: null });
      this.containers.delete(containerId);
    }
    return Promise.resolve();
  }

  list(): Promise<RunningReplica[]> {
    return Promise.resolve([...this.containers.values()].map((c) => ({ containerId: c.containerId, spec: c.spec, running: c.running })));
  }

  followLogs(containerId: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): () => void {
    const container = this.containers.get(containerId);
    if (container) container.onLine = onLine;
    return () => {
      if (container) container.onLine = null;
    };
  }

  ping(port: number): Promise<boolean> {
    return Promise.resolve([...this.containers.values()].some((c) => c.spec.port === port && c.running && c.ready));
  }

  /** The container's process dies (docker kill). */
  kill(containerId: string, exitCode = 137): void {
    const container = this.containers.get(containerId);
    if (!container) return;
    container.running = false;
    container.end({ exitCode, oomKilled: false, error: null });
  }

  running(deployment?: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.running && (deployment === undefined || c.spec.deployment === deployment));
  }
}
