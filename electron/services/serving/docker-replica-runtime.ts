import http from 'node:http';
import { OrreryError } from '../../../shared/errors';
import type { ContainerRunner } from '../docker/container-runner';
import { deviceRequestsFor } from '../docker/device-requests';
import { LABEL_REPLICA, LABEL_STORE, replicaLabels, specFromLabels } from './replica-labels';
import type { ReplicaExit, ReplicaRuntime, ReplicaSpec, RunningReplica } from './replica-runtime';

/** The folder the scoring server loads the model from (MLflow's container convention). */
export const MODEL_MOUNT = '/opt/ml/model';

/** Replicas as Docker containers on the host network, through the shared ContainerRunner. */
export class DockerReplicaRuntime implements ReplicaRuntime {
  constructor(
    private readonly runner: ContainerRunner,
    /** Names this data dir in every replica's labels (see LABEL_STORE). */
    private readonly storeId: string,
  ) {}

  async checkImage(image: string): Promise<void> {
    let env: string[];
    try {
      env = (await this.runner.localImage(image)).Config?.Env ?? [];
    } catch (error) {
      if (error instanceof OrreryError) throw new OrreryError(error.code, `image: ${error.message} npm run images builds orrery/serve:local; another image must be built FROM it.`);
      throw error;
    }
    // orrery/serve:local sets ORRERY_SERVE_MODEL_DIR; an image built FROM it inherits it.
    if (!env.some((entry) => entry.startsWith('ORRERY_SERVE_MODEL_DIR='))) {
      throw new OrreryError('INVALID_INPUT', `image: '${image}' is not built FROM orrery/serve:local, so it has no model server; build it FROM orrery/serve:local, or leave image out`);
    }
  }

  async start(spec: ReplicaSpec): Promise<{ containerId: string }> {
    const started = await this.runner.start({
      Image: spec.image,
      name: `orrery-serve-${spec.deployment}-v${spec.version}-${spec.replicaId.slice(0, 8)}`,
      Labels: replicaLabels(spec, this.storeId),
      // Orrery's own user, as jobs run: the registry's copy (in the private data dir) is its to read.
      ...(process.getuid && process.getgid ? { User: `${process.getuid()}:${process.getgid()}` } : {}),
      Env: [
        `ORRERY_SERVE_PORT=${spec.port}`,
        `MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT=${spec.timeoutSeconds}`,
        `ORRERY_SERVE_MAX_BODY_BYTES=${spec.maxBodyBytes}`,
        `ORRERY_SERVE_MODEL_DIR=${MODEL_MOUNT}`,
      ],
      HostConfig: {
        NetworkMode: 'host',
        Binds: [`${spec.modelPath}:${MODEL_MOUNT}:ro`],
        ...(spec.cpus > 0 ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
        ...(spec.memoryBytes > 0 ? { Memory: spec.memoryBytes } : {}),
        DeviceRequests: deviceRequestsFor(spec.gpuIndices),
        Init: true,
        // A model that prints without end must not fill the disk.
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: false,
      },
    });
    return { containerId: started.containerId };
  }

  async wait(containerId: string): Promise<ReplicaExit> {
    const exit = await this.runner.wait(containerId);
    return { exitCode: exit.exitCode, oomKilled: exit.oomKilled, error: exit.error };
  }

  async remove(containerId: string, graceSeconds: number): Promise<void> {
    await this.runner.stop(containerId, graceSeconds).catch(() => undefined);
    await this.runner.remove(containerId);
  }

  async list(): Promise<RunningReplica[]> {
    const listed = await this.runner.list({ [LABEL_REPLICA]: '', [LABEL_STORE]: this.storeId });
    return listed.flatMap((container) => {
      const spec = specFromLabels(container.labels);
      return spec ? [{ containerId: container.containerId, spec, running: container.state === 'running' }] : [];
    });
  }

  followLogs(containerId: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): () => void {
    return this.runner.followLogs(containerId, onLine);
  }

  ping(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/ping', timeout: 2000, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
  }
}
