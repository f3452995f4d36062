import os from 'node:os';
import type { AppInfo } from '../../shared/contract/app';
import { isErrorCode, OrreryError } from '../../shared/errors';
import { appVersion } from '../../shared/version';
import { createAppArea } from './app/app-area';
import { JobTokens } from './auth/job-tokens';
import { ensurePrivateDataDir } from './config/data-dir';
import type { DockerEngineClient } from './docker/docker-engine';
import { EventBus } from './events/event-bus';
import { createHardware } from './hardware/hardware-area';
import type { HardwareService, NvidiaGpuReader } from './hardware/hardware-service';
import type { SystemProbe } from './hardware/system-probe';
import { createRegistry } from './registry/registry-area';
import { createMonitoring } from './monitoring/monitoring-area';
import { createPipelines } from './pipelines/pipelines-area';
import type { PipelinesArea } from './pipelines/pipelines-area';
import type { AppCall } from './pipelines/ports';
import type { MonitoringService } from './monitoring/monitoring-service';
import { createServing } from './serving/serving-area';
import type { ServingService } from './serving/serving-service';
import type { ModelRegistryService } from './registry/model-registry-service';
import { sweepOciTempFolders } from './registry/oci-temp-folders';
import { RpcDispatcher } from './rpc/dispatcher';
import { AppMetaRepository } from './store/app-meta-repository';
import { sweepCrashLeftovers, type CrashLeftoverReport, type LeftoverSweep } from './store/crash-leftovers';
import { openDatabase } from './store/database';
import { DataDirLock } from './store/data-dir-lock';
import { IntegrityCheck } from './store/integrity-check';
import type { ArtifactStore } from './tracking/artifact-store';
import { createTracking } from './tracking/tracking-area';
import type { TrackingService } from './tracking/tracking-service';
import type { JobLauncher } from './training/job-launcher';
import type { MachineReader } from './training/ports';
import { createTraining } from './training/training-area';
import type { TrainingService } from './training/training-service';

export interface AppConfig {
  dataDir: string;
  mode: AppInfo['mode'];
  nativeBinding?: string | undefined;
  /** Outside-world adapters; tests pass fakes, the app the real ones. */
  docker?: DockerEngineClient;
  nvidia?: NvidiaGpuReader;
  system?: SystemProbe;
  /** How training jobs start; by default Docker when a local engine answers, else plain processes. */
  launcher?: (machine: MachineReader) => Promise<JobLauncher>;
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
  /** false: no serving (no replicas adopted, no gateway); serving.* answer UNAVAILABLE. Default: as training. */
  serving?: boolean;
  /** How long a model replica may take to answer /ping (tests shorten it). */
  replicaReadyTimeoutMs?: number;
  /** The monitoring worker script; null: inline (unit tests). Default: the bundled worker. */
  monitoringWorker?: string | null;
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
  /** Deployments, once replicas left running have been found again; the gateway follows its routes. */
  serving: Promise<ServingService>;
  /** Drift, data quality and alerts of deployments (the gateway's POST /feedback lands here). */
  monitoring: MonitoringService;
  /** Pipeline runs and their triggers; startOrrery starts them once the server answers. */
  pipelines: PipelinesArea;
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

/**
 * The one composition root, for desktop and headless alike: opens the store, builds each area
 * from its create<Area> entry, and wires one area's service into another's ports. Nothing else.
 */
export function composeApp(config: AppConfig): App {
  ensurePrivateDataDir(config.dataDir);
  const lock = new DataDirLock(config.dataDir);
  lock.acquire();
  try {
    const { db, file, schemaVersion } = openDatabase({ dataDir: config.dataDir, nativeBinding: config.nativeBinding });
    const integrity = new IntegrityCheck({ file, nativeBinding: config.nativeBinding });
    new AppMetaRepository(db).recordOpen(appVersion, Date.now());
    const bus = new EventBus();
    const { dataDir } = config;

    const app = createAppArea({ dataDir, databaseFile: file, schemaVersion, mode: config.mode, integrity });
    const hardware = createHardware({ bus, dataDir, docker: config.docker, nvidia: config.nvidia, system: config.system });
    const tracking = createTracking({ db, bus, dataDir, environment: hardware.environment });
    const registry = createRegistry({ db, bus, dataDir, runs: tracking.service, artifacts: tracking.artifacts });
    const jobTokens = JobTokens.forDataDir(dataDir);
    const endpoint = { uri: '' };
    const training = createTraining({
      db,
      bus,
      dataDir,
      runs: tracking.service,
      artifacts: tracking.artifacts,
      machine: hardware.service,
      trackingEndpoint: (runId) => ({ uri: endpoint.uri, token: jobTokens.issue(runId) }),
      launcher: config.launcher,
      enabled: config.training !== false,
    });

    const serving = createServing({
      db,
      bus,
      dataDir,
      models: registry.service,
      resources: training.service,
      dockerReady: async () => (await hardware.service.overview()).docker.state === 'ready',
      enabled: config.training !== false && config.serving !== false,
      // A test that fakes the engine must not have serving reach the real one.
      ...(config.docker !== undefined ? { runtime: null } : {}),
      ...(config.replicaReadyTimeoutMs !== undefined ? { replicaReadyTimeoutMs: config.replicaReadyTimeoutMs } : {}),
    });

    const monitoring = createMonitoring({
      db,
      bus,
      deployments: serving.service,
      runs: { getRunDetail: (runId) => tracking.service.getRunDetail(runId) },
      artifacts: tracking.artifacts,
      versions: registry.service,
      ...(config.monitoringWorker !== undefined ? { workerScript: config.monitoringWorker } : {}),
    });

    // Pipeline stages act through the app's own methods, so they call the dispatcher made below.
    let dispatcher: RpcDispatcher | null = null;
    const call: AppCall = async (method, input) => {
      const envelope = await dispatcher!.dispatch(method, input);
      if (envelope.ok) return envelope.result as never;
      throw new OrreryError(isErrorCode(envelope.error.code) ? envelope.error.code : 'INTERNAL', envelope.error.message);
    };
    const pipelines = createPipelines({
      db,
      bus,
      call,
      dockerReady: async () => (await hardware.service.overview()).docker.state === 'ready',
      alerts: monitoring.alerts,
      enabled: config.training !== false,
    });
    dispatcher = new RpcDispatcher({
      ...app.handlers,
      ...hardware.handlers,
      ...tracking.handlers,
      ...training.handlers,
      ...registry.handlers,
      ...serving.handlers,
      ...monitoring.handlers,
      ...pipelines.handlers,
    });

    let closed = false;
    const sweeps: LeftoverSweep[] =
      config.sweepLeftovers === false ? [] : [tracking.sweepLeftovers, registry.sweepLeftovers, (stopped) => sweepOciTempFolders({ tmpDir: os.tmpdir() }, stopped)];
    const startupCleanup = sweepCrashLeftovers(sweeps, { dataDir, stopped: () => closed });

    return {
      info: app.info,
      bus,
      dispatcher,
      hardware: hardware.service,
      tracking: tracking.service,
      artifacts: tracking.artifacts,
      registry: registry.service,
      training: training.service,
      serving: serving.service,
      monitoring: monitoring.service,
      pipelines,
      startupCleanup,
      integrity,
      jobTokens,
      setTrackingEndpoint(uri) {
        endpoint.uri = uri;
      },
      close() {
        closed = true;
        pipelines.close();
        void monitoring.close();
        serving.close();
        training.close();
        registry.close();
        tracking.close();
        hardware.close();
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
