import type { HardwareOverview } from '../../../shared/contract/hardware';
import type { JobSpec } from '../../../shared/contract/training-spec';

/**
 * Which job holds which GPUs, CPUs and memory. Pure bookkeeping in memory: the caller checks a
 * spec once, allocates before starting a container, releases when it ends, and restores what
 * running containers hold after a restart.
 */

export type JobResources = JobSpec['resources'];

export interface CapacityGpu {
  index: number;
  uuid: string | null;
  name: string;
  memoryTotalMb: number | null;
}

export interface Capacity {
  cpus: number;
  memoryBytes: number;
  gpus: CapacityGpu[];
}

export interface Allocation {
  jobId: string;
  /** nvidia-smi indices, ascending. */
  gpuIndices: number[];
  /** The UUID of each GPU at allocation time, to notice reordered GPUs on restore. */
  gpuUuids: (string | null)[];
  /** 0 when the job set no limit. */
  cpus: number;
  /** 0 when the job set no limit. */
  memoryBytes: number;
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

export interface GpuUsage extends CapacityGpu {
  /** The job that holds this GPU, or null when free. */
  jobId: string | null;
  /** Every holder; more than one only after a restore that conflicted. */
  jobIds: string[];
}

export interface ResourceUsage {
  gpus: GpuUsage[];
  cpus: { total: number; used: number; free: number };
  memoryBytes: { total: number; used: number; free: number };
}

/** memoryGb and shmGb are GiB, as Docker reads "8g". */
export const GIB = 1024 ** 3;

/**
 * CPUs are counted as Docker counts them, in whole nano-CPUs (`--cpus=1.5` is NanoCpus 1500000000,
 * as container-spec sets it): whole numbers add up exactly, so fractional shares such as
 * 0.1 + 0.2 + 0.7 fill 1 CPU, and check() passes what dockerd accepts (NanoCpus up to the CPU count).
 */
export function nanoCpus(cpus: number): number {
  return Math.round(cpus * 1e9);
}

/** NVIDIA GPUs only (the only ones a container can be given), logical CPUs and total memory. */
export function capacityFromOverview(overview: HardwareOverview): Capacity {
  return {
    cpus: overview.cpu.threads > 0 ? overview.cpu.threads : overview.cpu.cores,
    memoryBytes: overview.memory.totalBytes,
    gpus: overview.gpus
      .filter((gpu) => gpu.vendor === 'nvidia')
      .map((gpu) => ({ index: gpu.index, uuid: gpu.uuid, name: gpu.name, memoryTotalMb: gpu.memoryTotalMb })),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const NO_NVIDIA_GPU = 'this machine has no NVIDIA GPU';

/** "this machine has GPUs 0–3" when contiguous, else "GPUs 0, 2, 5"; "GPU 0" when it has one. */
function machineGpuList(indices: number[]): string {
  const first = indices[0];
  const last = indices[indices.length - 1];
  if (first === undefined || last === undefined) return NO_NVIDIA_GPU;
  if (indices.length === 1) return `this machine has GPU ${first}`;
  if (last - first === indices.length - 1) return `this machine has GPUs ${first}–${last}`;
  return `this machine has GPUs ${indices.join(', ')}`;
}

/** GB for messages; one decimal unless that would make the machine look as big as the ask. */
function gb(bytes: number, asked?: number): string {
  const value = bytes / GIB;
  const rounded = Number(value.toFixed(1));
  return `${asked !== undefined && rounded >= asked ? Number(value.toFixed(2)) : rounded} GB`;
}

export class ResourceManager {
  private readonly gpus: CapacityGpu[];
  private readonly allocations = new Map<string, Allocation>();

  constructor(private readonly capacity: Capacity) {
    this.gpus = [...capacity.gpus].sort((a, b) => a.index - b.index);
    const indices = this.gpus.map((gpu) => gpu.index);
    if (new Set(indices).size !== indices.length) throw new Error(`GPU indices repeat in the capacity: ${indices.join(', ')}`);
  }

  /** Whether these resources could ever fit this machine, even with every other job gone. */
  check(resources: JobResources): CheckResult {
    const refuse = (reason: string): CheckResult => ({ ok: false, reason });
    const machineGpus = this.gpus.map((gpu) => gpu.index);
    const has = machineGpus.length === 0 ? NO_NVIDIA_GPU : `this machine has ${machineGpus.length}`;

    if (typeof resources.gpus === 'number') {
      if (resources.gpus > machineGpus.length) return refuse(`resources.gpus: asks for ${plural(resources.gpus, 'GPU')} but ${has}`);
    } else {
      const seen = new Set<number>();
      for (const index of resources.gpus) {
        if (seen.has(index)) return refuse(`resources.gpus: GPU ${index} is listed twice`);
        seen.add(index);
        if (!machineGpus.includes(index)) return refuse(`resources.gpus: GPU ${index} does not exist; ${machineGpuList(machineGpus)}`);
      }
    }

    if (resources.cpus !== undefined && nanoCpus(resources.cpus) > nanoCpus(this.capacity.cpus)) {
      return refuse(`resources.cpus: ${resources.cpus} CPUs asked, the machine has ${plural(this.capacity.cpus, 'CPU thread')}`);
    }
    if (resources.memoryGb !== undefined && resources.memoryGb * GIB > this.capacity.memoryBytes) {
      return refuse(`resources.memoryGb: ${resources.memoryGb} GB asked, the machine has ${gb(this.capacity.memoryBytes, resources.memoryGb)}`);
    }
    if (resources.shmGb !== undefined) {
      if (resources.shmGb * GIB > this.capacity.memoryBytes) {
        return refuse(`resources.shmGb: ${resources.shmGb} GB of shared memory asked, the machine has ${gb(this.capacity.memoryBytes, resources.shmGb)}`);
      }
      // /dev/shm is tmpfs charged to the container's memory limit: more of it than the limit cannot be used.
      if (resources.memoryGb !== undefined && resources.shmGb > resources.memoryGb) {
        return refuse(`resources.shmGb: ${resources.shmGb} GB of shared memory is more than the job's memory limit (resources.memoryGb: ${resources.memoryGb} GB)`);
      }
    }
    return { ok: true };
  }

  /**
   * Take the resources now if they are free, else null (try again when a job releases). A count
   * takes the free GPUs with the lowest indices: predictable, the order nvidia-smi shows, and it
   * leaves the high indices together for explicit asks. nvidia-smi's free memory is not used to
   * choose: it is a snapshot that processes outside Orrery change at will.
   * Throws when the request can never fit (check() first) or the job already holds resources.
   */
  tryAllocate(jobId: string, resources: JobResources): Allocation | null {
    const verdict = this.check(resources);
    if (!verdict.ok) throw new Error(verdict.reason);
    if (this.allocations.has(jobId)) throw new Error(`job ${jobId} already holds resources; release them first`);

    const busy = this.busyGpus();
    const free = this.gpus.filter((gpu) => !busy.has(gpu.index));
    let chosen: CapacityGpu[];
    if (typeof resources.gpus === 'number') {
      if (free.length < resources.gpus) return null;
      chosen = free.slice(0, resources.gpus);
    } else {
      const wanted = new Set(resources.gpus);
      chosen = free.filter((gpu) => wanted.has(gpu.index));
      if (chosen.length < wanted.size) return null;
    }

    const cpus = resources.cpus ?? 0;
    const memoryBytes = resources.memoryGb === undefined ? 0 : Math.round(resources.memoryGb * GIB);
    const used = this.used();
    if (used.nanoCpus + nanoCpus(cpus) > nanoCpus(this.capacity.cpus)) return null;
    if (used.memoryBytes + memoryBytes > this.capacity.memoryBytes) return null;

    const allocation: Allocation = {
      jobId,
      gpuIndices: chosen.map((gpu) => gpu.index),
      gpuUuids: chosen.map((gpu) => gpu.uuid),
      cpus,
      memoryBytes,
    };
    this.allocations.set(jobId, allocation);
    return { ...allocation, gpuIndices: [...allocation.gpuIndices], gpuUuids: [...allocation.gpuUuids] };
  }

  /**
   * What a request that does not fit now is waiting for, in words: "2 CPUs (1.5 free), GPU 1 (held)".
   * Empty when it would fit.
   */
  shortfall(resources: JobResources): string[] {
    const parts: string[] = [];
    const busy = this.busyGpus();
    const free = this.gpus.filter((gpu) => !busy.has(gpu.index));
    if (typeof resources.gpus === 'number') {
      if (free.length < resources.gpus) parts.push(`${resources.gpus} GPU${resources.gpus === 1 ? '' : 's'} (${free.length} free)`);
    } else {
      const held = resources.gpus.filter((index) => busy.has(index));
      if (held.length > 0) parts.push(`GPU${held.length === 1 ? '' : 's'} ${held.join(', ')} (held)`);
    }
    const used = this.used();
    const cpus = resources.cpus ?? 0;
    if (used.nanoCpus + nanoCpus(cpus) > nanoCpus(this.capacity.cpus)) {
      parts.push(`${cpus} CPU${cpus === 1 ? '' : 's'} (${Number(Math.max(0, this.capacity.cpus - used.nanoCpus / 1e9).toFixed(2))} free)`);
    }
    const memoryBytes = resources.memoryGb === undefined ? 0 : Math.round(resources.memoryGb * GIB);
    if (used.memoryBytes + memoryBytes > this.capacity.memoryBytes) {
      parts.push(`${resources.memoryGb} GB of memory (${Number((Math.max(0, this.capacity.memoryBytes - used.memoryBytes) / GIB).toFixed(2))} GB free)`);
    }
    return parts;
  }

  /** Give back what the job holds; false when it held nothing. */
  release(jobId: string): boolean {
    return this.allocations.delete(jobId);
  }

  /**
   * Re-take what a running container holds after a restart. The container runs either way, so the
   * allocation is always recorded; what clashes comes back as readable conflicts (empty when none).
   */
  restore(allocation: Allocation): { conflicts: string[] } {
    const conflicts: string[] = [];
    const { jobId } = allocation;
    this.allocations.delete(jobId); // restoring the same job twice replaces, not double-counts

    const holders = this.gpuHolders();
    allocation.gpuIndices.forEach((index, position) => {
      const gpu = this.gpus.find((candidate) => candidate.index === index);
      if (!gpu) {
        conflicts.push(`job ${jobId} holds GPU ${index}, which this machine no longer has`);
        return;
      }
      const uuid = allocation.gpuUuids[position] ?? null;
      if (uuid !== null && gpu.uuid !== null && uuid !== gpu.uuid) {
        conflicts.push(`job ${jobId} was given GPU ${index} as ${uuid}, but GPU ${index} is now ${gpu.uuid} (GPUs were reordered or replaced)`);
      }
      for (const other of holders.get(index) ?? []) conflicts.push(`GPU ${index} is held by both job ${other} and job ${jobId}`);
    });

    const used = this.used();
    const nanoCpusInUse = used.nanoCpus + nanoCpus(allocation.cpus);
    if (nanoCpusInUse > nanoCpus(this.capacity.cpus)) {
      conflicts.push(`job ${jobId} takes CPUs over the machine's ${this.capacity.cpus} (${Number((nanoCpusInUse / 1e9).toFixed(2))} in use)`);
    }
    if (used.memoryBytes + allocation.memoryBytes > this.capacity.memoryBytes) {
      conflicts.push(`job ${jobId} takes memory over the machine's ${gb(this.capacity.memoryBytes)} (${gb(used.memoryBytes + allocation.memoryBytes)} in use)`);
    }

    this.allocations.set(jobId, { ...allocation, gpuIndices: [...allocation.gpuIndices], gpuUuids: [...allocation.gpuUuids] });
    return { conflicts };
  }

  /** Every holder's allocation (jobs, and model replicas under ids starting 'replica:'). */
  holdings(): Allocation[] {
    return [...this.allocations.values()].map((a) => ({ ...a, gpuIndices: [...a.gpuIndices], gpuUuids: [...a.gpuUuids] }));
  }

  allocationOf(jobId: string): Allocation | null {
    const allocation = this.allocations.get(jobId);
    return allocation ? { ...allocation, gpuIndices: [...allocation.gpuIndices], gpuUuids: [...allocation.gpuUuids] } : null;
  }

  /** Each GPU free or busy with which job, and CPUs and memory in use, for the GPU picker. */
  usage(): ResourceUsage {
    const holders = this.gpuHolders();
    const used = this.used();
    const cpusInUse = used.nanoCpus / 1e9;
    return {
      gpus: this.gpus.map((gpu) => {
        const jobIds = holders.get(gpu.index) ?? [];
        return { ...gpu, jobId: jobIds[0] ?? null, jobIds };
      }),
      // Free never reads below 0, even when restored jobs overcommit the machine.
      cpus: { total: this.capacity.cpus, used: cpusInUse, free: Math.max(0, this.capacity.cpus - cpusInUse) },
      memoryBytes: { total: this.capacity.memoryBytes, used: used.memoryBytes, free: Math.max(0, this.capacity.memoryBytes - used.memoryBytes) },
    };
  }

  private gpuHolders(): Map<number, string[]> {
    const holders = new Map<number, string[]>();
    for (const allocation of this.allocations.values()) {
      for (const index of allocation.gpuIndices) holders.set(index, [...(holders.get(index) ?? []), allocation.jobId]);
    }
    return holders;
  }

  private busyGpus(): Set<number> {
    return new Set(this.gpuHolders().keys());
  }

  private used(): { nanoCpus: number; memoryBytes: number } {
    let nano = 0;
    let memoryBytes = 0;
    for (const allocation of this.allocations.values()) {
      nano += nanoCpus(allocation.cpus);
      memoryBytes += allocation.memoryBytes;
    }
    return { nanoCpus: nano, memoryBytes };
  }
}
