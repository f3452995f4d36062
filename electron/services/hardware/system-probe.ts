import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import si from 'systeminformation';
import { parseOsRelease } from './os-release';
import type { CpuInfo, DiskInfo, GpuInfo, MemoryInfo, OsInfo } from '../../../shared/contract/hardware';

/** The host facts that don't come from nvidia-smi or Docker. */
export interface SystemProbe {
  cpu(): Promise<CpuInfo>;
  memory(): Promise<MemoryInfo>;
  /** The filesystem holding `folder`, or null when none can be matched. */
  disk(folder: string): Promise<DiskInfo | null>;
  os(): Promise<OsInfo>;
  /** GPUs that are not NVIDIA (those come from nvidia-smi, which is richer). */
  otherGpus(): Promise<GpuInfo[]>;
}

/** systeminformation for the static facts; node:os for what it answers as well, and cheaper. */
export class SystemInformationProbe implements SystemProbe {
  async cpu(): Promise<CpuInfo> {
    const info = await si.cpu();
    const first = os.cpus()[0];
    const model = first?.model.trim() || `${info.manufacturer} ${info.brand}`.trim();
    // Some VMs hide the clock from systeminformation's sources; the kernel's MHz is the fallback.
    const speedGhz = info.speed > 0 ? info.speed : first && first.speed > 0 ? Math.round(first.speed / 10) / 100 : null;
    return {
      manufacturer: info.manufacturer,
      model,
      cores: info.physicalCores || info.cores,
      threads: info.cores || os.availableParallelism(),
      speedGhz,
    };
  }

  async memory(): Promise<MemoryInfo> {
    const mem = await si.mem();
    return { totalBytes: mem.total, availableBytes: mem.available };
  }

  async disk(folder: string): Promise<DiskInfo | null> {
    const target = path.resolve(folder);
    const mounts = await si.fsSize();
    const best = mounts
      .filter((m) => isInside(target, m.mount))
      .sort((a, b) => b.mount.length - a.mount.length)[0];
    if (!best) return null;
    return {
      path: target,
      mount: best.mount,
      filesystem: best.type,
      totalBytes: best.size,
      usedBytes: best.used,
      availableBytes: best.available,
    };
  }

  async os(): Promise<OsInfo> {
    if (process.platform === 'linux') {
      const text = await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8')).catch(() => '');
      return { platform: 'linux', ...parseOsRelease(text), kernel: os.release(), arch: os.arch(), hostname: os.hostname() };
    }
    const info = await si.osInfo();
    return {
      platform: info.platform,
      distro: info.distro,
      release: info.release,
      kernel: info.kernel,
      arch: info.arch,
      hostname: info.hostname,
    };
  }

  async otherGpus(): Promise<GpuInfo[]> {
    const { controllers } = await si.graphics();
    return controllers
      .filter((c) => !/nvidia/i.test(`${c.vendor} ${c.model}`))
      .map((c, index) => ({
        vendor: vendorOf(c.vendor),
        index,
        uuid: null,
        name: c.model || c.name || 'GPU',
        busId: c.busAddress ?? null,
        memoryTotalMb: c.vram ?? null,
        memoryUsedMb: c.memoryUsed ?? null,
        utilizationPercent: c.utilizationGpu ?? null,
        temperatureC: c.temperatureGpu ?? null,
        powerDrawW: c.powerDraw ?? null,
        powerLimitW: c.powerLimit ?? null,
        driverVersion: c.driverVersion ?? null,
        cudaVersion: null,
        migEnabled: false,
      }));
  }
}

function isInside(target: string, mount: string): boolean {
  if (!mount) return false;
  const rel = path.relative(mount, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function vendorOf(vendor: string): GpuInfo['vendor'] {
  if (/amd|advanced micro|ati/i.test(vendor)) return 'amd';
  if (/intel/i.test(vendor)) return 'intel';
  if (/apple/i.test(vendor)) return 'apple';
  return 'other';
}
