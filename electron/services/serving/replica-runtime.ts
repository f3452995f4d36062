import type { LogStream } from '../docker/container-logs';

/** Everything a replica container is started from; also what its labels carry, so it can be found again. */
export interface ReplicaSpec {
  replicaId: string;
  deployment: string;
  version: number;
  /** The loopback port its scoring server listens on (host network). */
  port: number;
  image: string;
  /** The registry's immutable copy of the version, mounted read-only at /opt/ml/model. */
  modelPath: string;
  cpus: number;
  memoryBytes: number;
  gpuIndices: number[];
  gpuUuids: (string | null)[];
  timeoutSeconds: number;
  maxBodyBytes: number;
}

export interface RunningReplica {
  containerId: string;
  spec: ReplicaSpec;
  running: boolean;
}

export interface ReplicaExit {
  exitCode: number;
  oomKilled: boolean;
  error: string | null;
}

/**
 * Where replicas run: Docker containers in the app, a fake in unit tests. Every container it
 * starts carries labels naming the deployment, version, replica and port.
 */
export interface ReplicaRuntime {
  /** Refuses (INVALID_INPUT naming the image and the local ones) when the image is not on this machine. */
  checkImage(image: string): Promise<void>;
  start(spec: ReplicaSpec): Promise<{ containerId: string }>;
  /** Resolves when the container exits. */
  wait(containerId: string): Promise<ReplicaExit>;
  /** Stops (grace seconds) and removes; a container already gone is not an error. */
  remove(containerId: string, graceSeconds: number): Promise<void>;
  /** Replica containers that exist now (running or not), from their labels. */
  list(): Promise<RunningReplica[]>;
  followLogs(containerId: string, onLine: (stream: LogStream, line: string) => void): () => void;
  /** Whether its scoring server says the model is loaded (GET /ping answers 200). */
  ping(port: number): Promise<boolean>;
}
