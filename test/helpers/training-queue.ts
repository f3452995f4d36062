import path from 'node:path';
import type { Job } from '../../shared/contract/training';
import { ArtifactStore } from '../../electron/services/tracking/artifact-store';
import type { JobLauncher } from '../../electron/services/training/job-launcher';
import { JobRepository } from '../../electron/services/training/job-repository';
import { ProcessLauncher } from '../../electron/services/training/process-launcher';
import { ResourceManager, type CapacityGpu } from '../../electron/services/training/resource-manager';
import { TrainingService } from '../../electron/services/training/training-service';
import { afterEach, beforeEach } from 'vitest';
import { jobSpecSchema, type JobSpec, type JobSpecInput } from '../../shared/contract/training-spec';
import { startTestServer, type TestServer } from './test-server';

export interface QueueOptions {
  /** The process runner unless given (a DockerLauncher for container tests). */
  launcher?: JobLauncher;
  gpus?: CapacityGpu[];
  systemMetricsIntervalMs?: number;
}

/**
 * A training queue beside the test server's app, on its store and bus, with a launcher and GPUs
 * of the test's choosing. Jobs get run-scoped tokens from the app, as real jobs do.
 */
export function trainingQueue(server: TestServer, options: QueueOptions = {}): TrainingService {
  const app = server.running.app;
  return new TrainingService({
    jobs: new JobRepository(server.store()),
    tracking: app.tracking,
    artifacts: new ArtifactStore(path.join(server.dataDir, 'artifacts')),
    bus: app.bus,
    launcher: options.launcher ?? new ProcessLauncher(),
    resources: new ResourceManager({ cpus: 2, memoryBytes: 8 * 1024 ** 3, gpus: options.gpus ?? [] }),
    dataDir: server.dataDir,
    trackingEndpoint: (runId) => ({ uri: server.url, token: app.jobTokens.issue(runId) }),
    ...(options.systemMetricsIntervalMs !== undefined ? { systemMetricsIntervalMs: options.systemMetricsIntervalMs } : {}),
  });
}

/** Polls until the job reaches one of `statuses`; the error names where it stopped and its last log lines. */
export async function waitForJob(training: TrainingService, jobId: string, statuses: Job['status'][], timeoutMs = 60_000, pollMs = 50): Promise<Job> {
  const start = Date.now();
  for (;;) {
    const job = training.get(jobId);
    if (statuses.includes(job.status)) return job;
    if (Date.now() - start > timeoutMs) throw new Error(`job still ${job.status} (${job.reason}): ${JSON.stringify(training.logs(jobId, 20))}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * For each test: a fresh test server and a process-runner queue beside it (handed to `started`),
 * both closed after the test; `current` says which queue to close if the test made another.
 */
export function queuePerTest(started: (server: TestServer, training: TrainingService) => void, current: () => TrainingService): void {
  let server: TestServer | undefined;
  beforeEach(async () => {
    server = await startTestServer();
    await server.running.app.training;
    started(server, trainingQueue(server));
  });
  afterEach(async () => {
    current().close();
    await server?.close();
  });
}

/** Job specs for the process runner in one experiment: `true` unless the test gives a command. */
export function hostJobSpec(experiment: string): (input: Partial<JobSpecInput> & { name: string }) => JobSpec {
  return (input) => jobSpecSchema.parse({ image: 'host', experiment, command: ['true'], ...input });
}
