import { createHash } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { OrreryError } from '../../../shared/errors';
import { ContainerRunner } from '../docker/container-runner';
import { defaultDockerEndpoint, localEngineRefusal, parseDockerEndpoint } from '../docker/docker-endpoint';
import { connectDocker } from '../docker/docker-engine';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import { DeploymentRepository } from './deployment-repository';
import { DockerReplicaRuntime } from './docker-replica-runtime';
import type { ModelVersionReader, ReplicaResources } from './ports';
import { ReplicaProvisioner } from './replica-provisioner';
import type { ReplicaRuntime } from './replica-runtime';
import { ReplicaSet } from './replica-set';
import { RolloutDriver } from './rollout-driver';
import { servingHandlers } from './serving-handlers';
import { ServingService } from './serving-service';
import { createServingTelemetry } from './stored-telemetry';

export interface ServingAreaDeps {
  db: Database.Database;
  bus: EventBus;
  /** Versions, approvals and aliases (the registry area's service). */
  models: ModelVersionReader;
  /** The machine's one ledger of GPUs, CPUs and memory (the training area's service, once ready). */
  resources: Promise<ReplicaResources>;
  /** Whether a local Docker engine answers (the hardware area knows). */
  dockerReady: () => Promise<boolean>;
  /** Replicas somewhere else than Docker (tests). */
  runtime?: ReplicaRuntime | null;
  /** The data dir: replicas are labelled with it, so two Orrerys on one engine never take each other's. */
  dataDir: string;
  /** false: the command line opened the store for one call; nothing is served or adopted, serving.* answer UNAVAILABLE. */
  enabled: boolean;
  replicaReadyTimeoutMs?: number;
}

export interface ServingArea {
  /** Ready once replicas left running have been found again and rollouts resumed. */
  service: Promise<ServingService>;
  handlers: Pick<Handlers, Extract<keyof Handlers, `serving.${string}`>>;
  close(): void;
}

/** Deployments, their replicas and rollouts, and the RPC methods; the gateway (electron/server) follows its routes. */
export function createServing(deps: ServingAreaDeps): ServingArea {
  let closed = false;
  let stop = () => {};
  const service = deps.enabled
    ? startServing(deps).then((started) => {
        stop = started.stop;
        if (closed) started.stop();
        return started.service;
      })
    : Promise.reject(new OrreryError('UNAVAILABLE', 'Serving is not available here: this process opened the store without it. Use the desktop app or `npm run serve`.'));
  service.catch((error: unknown) => {
    if (!closed && deps.enabled) console.error('[serving] could not start:', error);
  });
  return {
    service,
    handlers: servingHandlers(service),
    close() {
      closed = true;
      stop();
    },
  };
}

async function startServing(deps: ServingAreaDeps): Promise<{ service: ServingService; stop: () => void }> {
  const runtime = deps.runtime !== undefined ? deps.runtime : await dockerRuntime(deps.dockerReady, deps.dataDir);
  const repository = new DeploymentRepository(deps.db);
  const telemetry = createServingTelemetry(deps.db);
  let service: ServingService | null = null;
  const replicas = new ReplicaSet({
    runtime: runtime ?? unavailableRuntime,
    onChange: (replica, deployment) => service?.replicaChanged(replica, deployment),
    onLog: (spec, stream, line) => deps.bus.publish('serving.log', { deployment: spec.deployment, replicaId: spec.replicaId, version: spec.version, stream, line, at: Date.now() }),
    ...(deps.replicaReadyTimeoutMs !== undefined ? { readyTimeoutMs: deps.replicaReadyTimeoutMs } : {}),
  });
  const provisioner = new ReplicaProvisioner(replicas, () => deps.resources, () => repository.list().map((d) => d.port));
  const rollouts = new RolloutDriver({
    repository,
    models: deps.models,
    replicas,
    provisioner,
    telemetry,
    host: {
      routesChanged: (name) => service?.routesChanged(name),
      record: (name, kind, message, numbers, actor) => service?.record(name, kind, message, numbers, actor),
    },
  });
  service = new ServingService({ repository, models: deps.models, replicas, provisioner, runtime, telemetry, rollouts, bus: deps.bus });
  if (runtime) {
    // An engine that stops answering must not keep the rest of serving (and the UI's reads) down.
    await service.recover().catch((error: unknown) => console.error('[serving] could not find replicas left running:', error));
  }
  rollouts.resume();
  const timer = setInterval(() => {
    const now = Date.now();
    telemetry.flush(now);
    rollouts.tick();
  }, 1000);
  timer.unref();
  return {
    service,
    stop() {
      clearInterval(timer);
      replicas.close();
      telemetry.flush(Date.now());
      telemetry.close();
    },
  };
}

/** Docker on a local engine only: replicas mount this machine's model folders and listen on its loopback. */
async function dockerRuntime(dockerReady: () => Promise<boolean>, dataDir: string): Promise<ReplicaRuntime | null> {
  const uri = defaultDockerEndpoint(process.env, process.platform);
  if (localEngineRefusal(parseDockerEndpoint(uri)) !== null) return null;
  if (!(await dockerReady())) return null;
  const { docker } = connectDocker({ uri });
  const storeId = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return new DockerReplicaRuntime(new ContainerRunner(docker), storeId);
}

const unavailableRuntime: ReplicaRuntime = {
  checkImage: () => Promise.reject(new OrreryError('UNAVAILABLE', 'No local Docker engine answers')),
  start: () => Promise.reject(new OrreryError('UNAVAILABLE', 'No local Docker engine answers')),
  wait: () => new Promise(() => {}),
  remove: () => Promise.resolve(),
  list: () => Promise.resolve([]),
  followLogs: () => () => {},
  ping: () => Promise.resolve(false),
};
