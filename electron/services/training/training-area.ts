import type Database from 'better-sqlite3';
import { OrreryError } from '../../../shared/errors';
import { ContainerRunner } from '../docker/container-runner';
import { defaultDockerEndpoint, localEngineRefusal, parseDockerEndpoint } from '../docker/docker-endpoint';
import { connectDocker } from '../docker/docker-engine';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import { DockerLauncher } from './docker-launcher';
import type { JobLauncher } from './job-launcher';
import { JobRepository } from './job-repository';
import type { MachineReader, RunArtifactsWriter, RunTracker } from './ports';
import { ProcessLauncher } from './process-launcher';
import { RefusedLauncher } from './refused-launcher';
import { RunnerChoiceLauncher } from './runner-choice-launcher';
import { capacityFromOverview, ResourceManager } from './resource-manager';
import { trainingHandlers } from './training-handlers';
import { TrainingService } from './training-service';

export interface TrainingAreaDeps {
  db: Database.Database;
  bus: EventBus;
  dataDir: string;
  /** Each job's run (the tracking area's service). */
  runs: RunTracker;
  /** Where a job's outputs go as its run's artifacts (the tracking area's artifact store). */
  artifacts: RunArtifactsWriter;
  /** Capacity, engine and GPU use (the hardware area's service). */
  machine: MachineReader;
  /** Where jobs reach Orrery's MLflow API, with a token scoped to their run; known once the HTTP server listens. */
  trackingEndpoint: (runId: string) => { uri: string; token: string };
  /** How jobs start; by default each job's own runner choice, else Docker when a local engine answers, else plain processes. */
  launcher?: (machine: MachineReader) => Promise<JobLauncher>;
  /**
   * false: no queue (the command line opens the store for one call; it must not launch queued jobs
   * or reattach containers); training.* methods then answer UNAVAILABLE.
   */
  enabled: boolean;
}

export interface TrainingArea {
  /** The queue, once the machine's capacity has been read and running jobs reattached. */
  service: Promise<TrainingService>;
  handlers: Pick<Handlers, Extract<keyof Handlers, `training.${string}`>>;
  close(): void;
}

/** The training queue and its RPC methods. */
export function createTraining(deps: TrainingAreaDeps): TrainingArea {
  let closed = false;
  const service = deps.enabled
    ? startQueue(deps)
    : Promise.reject(
        new OrreryError('UNAVAILABLE', 'Training is not available here: this process opened the store without the training queue. Use the desktop app or `npm run serve`.'),
      );
  // Callers see the failure when they use training; it must not bring the app down meanwhile.
  service.catch((error: unknown) => {
    // Closing before the queue finished starting (a short-lived test server) is not a failure.
    if (!closed && deps.enabled) console.error('[training] could not start:', error);
  });
  return {
    service,
    handlers: trainingHandlers(service),
    close() {
      closed = true;
      void service.then(
        (queue) => queue.close(),
        () => undefined,
      );
    },
  };
}

/** The queue needs the machine's capacity (GPUs, CPUs, memory) and a launcher; both take a moment to learn. */
async function startQueue(deps: TrainingAreaDeps): Promise<TrainingService> {
  const overview = await deps.machine.overview();
  const launcher = deps.launcher ? await deps.launcher(deps.machine) : chooseLauncher(defaultDockerEndpoint(process.env, process.platform), overview.docker.state === 'ready');
  const service = new TrainingService({
    jobs: new JobRepository(deps.db),
    tracking: deps.runs,
    artifacts: deps.artifacts,
    bus: deps.bus,
    launcher,
    resources: new ResourceManager(capacityFromOverview(overview)),
    dataDir: deps.dataDir,
    trackingEndpoint: deps.trackingEndpoint,
    gpuSamples: async () => (await deps.machine.sample()).gpus,
  });
  await service.reattach();
  return service;
}

/**
 * Each job's runner by its spec (RunnerChoiceLauncher); a job that names none gets Docker when a
 * local engine answers, a plain process when none does (no isolation, GPUs by
 * CUDA_VISIBLE_DEVICES). A DOCKER_HOST jobs cannot use (remote, or naming no engine) refuses those
 * jobs instead: the user asked for that engine, so nothing meant for a container runs on the host
 * in its place. Only a job that asks for a plain process runs as one there.
 */
export function chooseLauncher(endpointUri: string, dockerReady: boolean): JobLauncher {
  const refusal = localEngineRefusal(parseDockerEndpoint(endpointUri));
  return new RunnerChoiceLauncher({
    docker: refusal !== null ? new RefusedLauncher(refusal) : dockerReady ? dockerLauncher(endpointUri) : null,
    process: new ProcessLauncher(),
    noEngine: `spec.runner: no Docker engine answered at ${endpointUri} when Orrery started; use runner 'process', or start Docker and restart Orrery.`,
  });
}

function dockerLauncher(endpointUri: string): DockerLauncher {
  // No idle timeout here: waiting on a training container takes as long as training does.
  const { docker } = connectDocker({ uri: endpointUri });
  return new DockerLauncher(new ContainerRunner(docker), docker);
}
