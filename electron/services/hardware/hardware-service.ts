import os from 'node:os';
import type { DockerStatus, GpuInfo, GpuSample, HardwareOverview, HardwareSample } from '../../../shared/contract/hardware';
import type { CpuUsageMeter } from './cpu-usage-meter';
import type { DockerEngineClient } from '../docker/docker-engine';
import { dockerStatusFromError, dockerStatusFromInfo } from './docker-status';
import type { SystemProbe } from './system-probe';

/** What the service needs from nvidia-smi (see nvidia-smi.ts). */
export interface NvidiaGpuReader {
  readGpus(): Promise<{ gpus: GpuInfo[]; error: string | null }>;
  readSamples(): Promise<GpuSample[]>;
}

export interface HardwareServiceDeps {
  system: SystemProbe;
  nvidia: NvidiaGpuReader;
  docker: DockerEngineClient;
  cpuMeter: CpuUsageMeter;
  dataDir: string;
  /** Whether a docker/dockerd binary exists, to tell "not installed" from "not running". */
  dockerInstalled: () => boolean;
  platform?: NodeJS.Platform;
  now?: () => number;
  memory?: () => { total: number; free: number };
}

/** The machine as Orrery sees it: static facts once, Docker and GPUs on each ask, live samples. */
export class HardwareService {
  private staticFacts?: Promise<Pick<HardwareOverview, 'cpu' | 'os'> & { otherGpus: GpuInfo[] }>;
  private lastNvidiaGpuCount = 0;
  private readonly now: () => number;
  private readonly memory: () => { total: number; free: number };

  constructor(private readonly deps: HardwareServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.memory = deps.memory ?? (() => ({ total: os.totalmem(), free: os.freemem() }));
  }

  async overview(): Promise<HardwareOverview> {
    // CPU model and OS don't change while the app runs; ask once.
    this.staticFacts ??= Promise.all([this.deps.system.cpu(), this.deps.system.os(), this.safeOtherGpus()]).then(
      ([cpu, osInfo, otherGpus]) => ({ cpu, os: osInfo, otherGpus }),
    );
    const [facts, memory, disk, nvidia] = await Promise.all([
      this.staticFacts,
      this.deps.system.memory(),
      this.deps.system.disk(this.deps.dataDir).catch(() => null),
      this.deps.nvidia.readGpus(),
    ]);
    this.lastNvidiaGpuCount = nvidia.gpus.length;
    const docker = await this.docker();
    return {
      cpu: facts.cpu,
      memory,
      disk,
      os: facts.os,
      gpus: [...nvidia.gpus, ...facts.otherGpus.map((g, i) => ({ ...g, index: nvidia.gpus.length + i }))],
      nvidiaSmiError: nvidia.error,
      docker,
      collectedAt: this.now(),
    };
  }

  async docker(): Promise<DockerStatus> {
    const { docker } = this.deps;
    const hasNvidiaGpu = this.lastNvidiaGpuCount > 0;
    try {
      const [info, apiVersion] = await Promise.all([docker.info(), docker.apiVersion().catch(() => null)]);
      return dockerStatusFromInfo(info, { endpoint: docker.endpoint, hasNvidiaGpu, apiVersion });
    } catch (error) {
      return dockerStatusFromError(error, {
        endpoint: docker.endpoint,
        platform: this.deps.platform ?? process.platform,
        dockerInstalled: this.deps.dockerInstalled(),
      });
    }
  }

  async sample(): Promise<HardwareSample> {
    const memory = this.memory();
    const gpus = await this.deps.nvidia.readSamples().catch(() => []);
    return {
      at: this.now(),
      cpuPercent: Math.round(this.deps.cpuMeter.percent() * 10) / 10,
      memoryUsedBytes: memory.total - memory.free,
      memoryTotalBytes: memory.total,
      gpus,
    };
  }

  private async safeOtherGpus(): Promise<GpuInfo[]> {
    try {
      return await this.deps.system.otherGpus();
    } catch {
      return [];
    }
  }
}
