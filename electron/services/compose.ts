import { JobTokens } from './auth/job-tokens';
import os from 'node:os';
import type { AppInfo } from '../../shared/contract/app';
import { OrreryError } from '../../shared/errors';
import { appVersion } from '../../shared/version';
import { EventBus } from './events/event-bus';
import { ExecFileCommandRunner } from './hardware/command-runner';
import { CpuUsageMeter } from './hardware/cpu-usage-meter';
import { connectDocker, DockerodeEngineClient, type DockerEngineClient } from './docker/docker-engine';
import { localEngineRefusal } from './docker/docker-endpoint';
import { ContainerRunner } from './docker/container-runner';
import { executableOnPath } from './hardware/executable-on-path';
import { HardwareSampler } from './hardware/hardware-sampler';
import { HardwareService, type NvidiaGpuReader } from './hardware/hardware-service';
import { NvidiaSmi } from './hardware/nvidia-smi';
import { SystemInformationProbe, type SystemProbe } from './hardware/system-probe';
import { RpcDispatcher } from './rpc/dispatcher';
import type { Handlers } from './rpc/handlers';
import { AppMetaRepository } from './store/app-meta-repository';
import { openDatabase } from './store/database';
import { DataDirLock } from './store/data-dir-lock';
import { IntegrityCheck } from './store/integrity-check';
import { ensurePrivateDataDir } from './config/data-dir';
import path from 'node:path';
import { ArtifactStore } from './tracking/artifact-store';
import { trackingHandlers } from './tracking/tracking-handlers';
import { TrackingService } from './tracking/tracking-service';
import { EnvironmentSnapshot } from './hardware/environment-snapshot';
import { JobRepository } from './training/job-repository';
import type { JobLauncher } from './training/job-launcher';
import { ProcessLauncher } from './training/process-launcher';
import { DockerLauncher } from './training/docker-launcher';
import { ResourceManager, capacityFromOverview } from './training/resource-manager';
import { trainingHandlers } from './training/training-handlers';
import { TrainingService } from './training/training-service';
import type { HardwareService as Hardware } from './hardware/hardware-service';
import { ModelRegistryService } from './registry/model-registry-service';
import { registryHandlers } from './registry/registry-handlers';
import { RemoteRegistries } from './registry/remote-registries';
import { remoteHandlers } from './registry/remote-handlers';
import { dockerConfigCredentials } from './registry/oci/credentials';
import { FileUploadStateStore, OciClient } from './registry/oci/oci-client';
import { sweepOciTempFolders } from './registry/oci-temp-folders';
import { sweepCrashLeftovers, type CrashLeftoverReport, type LeftoverSweep } from './store/crash-leftovers';
import { sweepPartialArtifacts } from './tracking/partial-artifacts';

export interface AppConfig {
  dataDir: string;
  mode: AppInfo['mode'];
  nativeBinding?: string | undefined;
  /** Outside-world adapters; tests pass fakes, the app the real ones. */
  docker?: DockerEngineClient;
  nvidia?: NvidiaGpuReader;
  system?: SystemProbe;
  /** How training jobs start; by default Docker when an engine answers, else plain processes. */
  launcher?: (hardware: Hardware) => Promise<JobLauncher>;
  /**
   * false: no training queue (the command line opens the store for one call; it must not launch
   * queued jobs or reattach containers); training.* methods then answer UNAVAILABLE. Default true.
   */
  training?: boolean;
  /**
   * false: no start-up sweep of crash leftovers. The command line opens the store for one call and
   * prints only its answer; sweeping belongs to the app's own start. Default true.
   */
  sweepLeftovers?: boolean;
}

export interface App {
  info: AppInfo;
  bus: EventBus;
  dispatcher: RpcDispatcher;
  hardware: HardwareService;
  tracking: TrackingService;
  /** Run artifacts on disk; the MLflow REST adapter serves them. */
  artifacts: ArtifactStore;
  registry: ModelRegistryService;
  /** The training queue, once the machine's capacity has been read. */
  training: Promise<TrainingService>;
  /** The check of the store's pages; startOrrery starts it once the server answers. */
  integrity: IntegrityCheck;
  /** Tells jobs where the MLflow API listens (known once the HTTP server has started). */
  setTrackingEndpoint(uri: string): void;
  /** Each job's token, valid for its own run only; the HTTP server verifies them. */
  jobTokens: JobTokens;
  /**
   * The start-up sweep of what crashed operations left (partial artifacts, registry staging and
   * pull folders, version folders without rows, orrery-oci-* temp folders): what it removed.
   * It runs in the background and leaves alone what this process is using.
   */
  startupCleanup: Promise<CrashLeftoverReport>;
  close(): void;
}

/** The one composition root: every service is built and wired here, for desktop and headless alike. */
export function composeApp(config: AppConfig): App {
  ensurePrivateDataDir(config.dataDir);
  const lock = new DataDirLock(config.dataDir);
  lock.acquire();
  try {
    const { db, file, schemaVersion } = openDatabase({ dataDir: config.dataDir, nativeBinding: config.nativeBinding });
    const integrity = new IntegrityCheck({ file, nativeBinding: config.nativeBinding });
    new AppMetaRepository(db).recordOpen(appVersion, Date.now());

    const bus = new EventBus();
    const hardware = new HardwareService({
      system: config.system ?? new SystemInformationProbe(),
      nvidia: config.nvidia ?? new NvidiaSmi(new ExecFileCommandRunner()),
      docker: config.docker ?? new DockerodeEngineClient(),
      cpuMeter: new CpuUsageMeter(),
      dataDir: config.dataDir,
      dockerInstalled: () => executableOnPath(['docker', 'dockerd']),
    });
    const sampler = new HardwareSampler(() => hardware.sample(), bus);
    const environment = new EnvironmentSnapshot(() => hardware.overview());
    const tracking = new TrackingService({ db, bus, environment: () => environment.current() });
    const artifacts = new ArtifactStore(path.join(config.dataDir, 'artifacts'));
    // One upload-state file for the data dir, so an interrupted push resumes where it stopped.
    const uploadStateStore = new FileUploadStateStore(path.join(config.dataDir, 'registry-uploads.json'));
    const credentials = dockerConfigCredentials();
    const remotes = new RemoteRegistries(db);
    const registry = new ModelRegistryService({
      remotes,
      db,
      bus,
      tracking,
      artifacts,
      dataDir: config.dataDir,
      ociClient: () => new OciClient({ credentials, uploadStateStore }),
    });
    const jobTokens = JobTokens.forDataDir(config.dataDir);
    const endpoint = { uri: '', tokenFor: (runId: string) => jobTokens.issue(runId) };
    const withTraining = config.training !== false;
    const training = withTraining
      ? startTraining(config, hardware, { db, bus, tracking, artifacts, endpoint })
      : Promise.reject(new OrreryError('UNAVAILABLE', 'Training is not available here: this process opened the store without the training queue. Use the desktop app or `npm run serve`.'));
    // Callers see the failure when they use training; it must not bring the app down meanwhile.
    let closed = false;
    training.catch((error: unknown) => {
      // Closing before the queue finished starting (a short-lived test server) is not a failure.
      if (!closed && withTraining) console.error('[training] could not start:', error);
    });
    const sweeps: LeftoverSweep[] =
      config.sweepLeftovers === false
        ? []
        : [
            (stopped) => sweepPartialArtifacts(artifacts, stopped),
            (stopped) => registry.sweepLeftovers(stopped),
            (stopped) => sweepOciTempFolders({ tmpDir: os.tmpdir() }, stopped),
          ];
    const startupCleanup = sweepCrashLeftovers(sweeps, { dataDir: config.dataDir, stopped: () => closed });

    const info: AppInfo = {
      name: 'Orrery',
      version: appVersion,
      dataDir: config.dataDir,
      databaseFile: file,
      schemaVersion,
      mode: config.mode,
      pid: process.pid,
      startedAt: Date.now(),
      user: osUser(),
    };
    const handlers: Handlers = {
      'app.info': () => info,
      'app.integrity': () => integrity.status(),
      'hardware.overview': () => hardware.overview(),
      'hardware.docker': () => hardware.docker(),
      'hardware.sample': () => hardware.sample(),
      ...trackingHandlers(tracking, artifacts),
      ...trainingHandlers(training),
      ...registryHandlers(registry),
      ...remoteHandlers(remotes),
    };

    return {
      info,
      bus,
      dispatcher: new RpcDispatcher(handlers),
      hardware,
      tracking,
      artifacts,
      registry,
      training,
      startupCleanup,
      integrity,
      jobTokens,
      setTrackingEndpoint(uri) {
        endpoint.uri = uri;
      },
      close() {
        closed = true;
        void training.then((service) => service.close(), () => undefined);
        sampler.dispose();
        environment.dispose();
        integrity.stop();
        db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function osUser(): string {
  try {
    return os.userInfo().username || process.env.USER || 'local';
  } catch {
    // No passwd entry for this uid (some containers).
    return process.env.USER || 'local';
  }
}

/** The queue needs the machine's capacity (GPUs, CPUs, memory) and a launcher; both take a moment to learn. */
async function startTraining(
  config: AppConfig,
  hardware: HardwareService,
  parts: { db: import('better-sqlite3').Database; bus: EventBus; tracking: TrackingService; artifacts: ArtifactStore; endpoint: { uri: string; tokenFor(runId: string): string } },
): Promise<TrainingService> {
  const overview = await hardware.overview();
  const launcher = config.launcher ? await config.launcher(hardware) : await defaultLauncher(overview.docker.state === 'ready');
  const service = new TrainingService({
    jobs: new JobRepository(parts.db),
    tracking: parts.tracking,
    artifacts: parts.artifacts,
    bus: parts.bus,
    launcher,
    resources: new ResourceManager(capacityFromOverview(overview)),
    dataDir: config.dataDir,
    trackingEndpoint: (runId) => ({ uri: parts.endpoint.uri, token: parts.endpoint.tokenFor(runId) }),
    gpuSamples: async () => (await hardware.sample()).gpus,
  });
  await service.reattach();
  return service;
}

/** Docker when an engine answers; a plain process otherwise (no isolation, GPUs by CUDA_VISIBLE_DEVICES). */
async function defaultLauncher(dockerReady: boolean): Promise<JobLauncher> {
  if (!dockerReady) return new ProcessLauncher();
  // No idle timeout here: waiting on a training container takes as long as training does.
  const { docker, endpoint } = connectDocker();
  return new DockerLauncher(new ContainerRunner(docker), docker, localEngineRefusal(endpoint));
}
