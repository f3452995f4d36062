import { z } from 'zod';
import { method, event, type EventsOf } from './define';

export interface CpuInfo {
  manufacturer: string;
  model: string;
  /** Physical cores. */
  cores: number;
  /** Logical processors (hardware threads). */
  threads: number;
  speedGhz: number | null;
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface DiskInfo {
  /** The folder this disk was chosen for (the data dir). */
  path: string;
  mount: string;
  filesystem: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
}

export interface OsInfo {
  platform: string;
  distro: string;
  release: string;
  kernel: string;
  arch: string;
  hostname: string;
}

export interface GpuInfo {
  vendor: 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';
  /** nvidia-smi index; for other vendors the position in the system list. */
  index: number;
  uuid: string | null;
  name: string;
  busId: string | null;
  memoryTotalMb: number | null;
  memoryUsedMb: number | null;
  utilizationPercent: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  driverVersion: string | null;
  cudaVersion: string | null;
  /** True when the GPU is split into MIG instances (its utilisation then reads N/A). */
  migEnabled: boolean;
}

export type DockerState = 'ready' | 'missing' | 'unreachable';

export interface DockerStatus {
  state: DockerState;
  /** Plain words for the user: what is wrong, or that the engine is ready. */
  message: string;
  /** The command or step that fixes it; null when nothing needs fixing. */
  fix: string | null;
  endpoint: string;
  version: string | null;
  apiVersion: string | null;
  storageDriver: string | null;
  runtimes: string[];
  defaultRuntime: string | null;
  nvidiaRuntime: boolean;
  cgroupVersion: string | null;
  rootless: boolean;
  /** Ready for GPU training: engine ready and the nvidia runtime present. */
  gpuReady: boolean;
  gpuMessage: string;
  gpuFix: string | null;
}

export interface HardwareOverview {
  cpu: CpuInfo;
  memory: MemoryInfo;
  disk: DiskInfo | null;
  os: OsInfo;
  gpus: GpuInfo[];
  /** Why no NVIDIA GPU could be read (nvidia-smi missing, failing); null when it answered. */
  nvidiaSmiError: string | null;
  docker: DockerStatus;
  collectedAt: number;
}

export interface GpuSample {
  index: number;
  utilizationPercent: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
}

export interface HardwareSample {
  at: number;
  cpuPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  gpus: GpuSample[];
}

export const hardwareMethods = {
  'hardware.getOverview': method<HardwareOverview>()(
    z.object({}).strict(),
    'The machine: CPU, memory, the data dir disk, OS, GPUs and the Docker engine.',
  ),
  'hardware.getDocker': method<DockerStatus>()(z.object({}).strict(), 'Ask the Docker engine again and report its state.'),
  'hardware.getSample': method<HardwareSample>()(z.object({}).strict(), 'One live utilisation sample, taken now.'),
};

export const hardwareEvents = {
  'hardware.sample': event<HardwareSample>('A live utilisation sample of CPUs, memory and GPUs'),
};
export type HardwareEvents = EventsOf<typeof hardwareEvents>;
