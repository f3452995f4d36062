import type { Handlers } from '../rpc/handlers';
import type { EventBus } from '../events/event-bus';
import { DockerodeEngineClient, type DockerEngineClient } from '../docker/docker-engine';
import { ExecFileCommandRunner } from './command-runner';
import { CpuUsageMeter } from './cpu-usage-meter';
import { EnvironmentSnapshot } from './environment-snapshot';
import { executableOnPath } from './executable-on-path';
import { HardwareSampler } from './hardware-sampler';
import { HardwareService, type NvidiaGpuReader } from './hardware-service';
import { NvidiaSmi } from './nvidia-smi';
import { SystemInformationProbe, type SystemProbe } from './system-probe';

export interface HardwareAreaDeps {
  bus: EventBus;
  dataDir: string;
  /** Outside-world adapters; tests pass fakes, the app the real ones. */
  docker?: DockerEngineClient;
  nvidia?: NvidiaGpuReader;
  system?: SystemProbe;
}

export interface HardwareArea {
  service: HardwareService;
  /** The latest machine facts, for recording with each new run. */
  environment: () => Record<string, unknown> | null;
  handlers: Pick<Handlers, Extract<keyof Handlers, `hardware.${string}`>>;
  close(): void;
}

/** CPUs, memory, disks, GPUs and the Docker engine; live samples on the event bus. */
export function createHardware(deps: HardwareAreaDeps): HardwareArea {
  const service = new HardwareService({
    system: deps.system ?? new SystemInformationProbe(),
    nvidia: deps.nvidia ?? new NvidiaSmi(new ExecFileCommandRunner()),
    docker: deps.docker ?? new DockerodeEngineClient(),
    cpuMeter: new CpuUsageMeter(),
    dataDir: deps.dataDir,
    dockerInstalled: () => executableOnPath(['docker', 'dockerd']),
  });
  const sampler = new HardwareSampler(() => service.sample(), deps.bus);
  const environment = new EnvironmentSnapshot(() => service.overview());
  return {
    service,
    environment: () => environment.current(),
    handlers: {
      'hardware.getOverview': () => service.overview(),
      'hardware.getDocker': () => service.docker(),
      'hardware.getSample': () => service.sample(),
    },
    close() {
      sampler.dispose();
      environment.dispose();
    },
  };
}
