import type { GpuInfo } from '../../shared/contract/hardware';
import type { SystemProbe } from '../../electron/services/hardware/system-probe';

/** A fixed machine: a 16-core Ryzen with 64 GB on Debian, the data dir on a 2 TB ext4 disk. */
export function fakeSystemProbe(otherGpus: GpuInfo[] = []): SystemProbe {
  return {
    cpu: async () => ({ manufacturer: 'AMD', model: 'AMD Ryzen 9 7950X', cores: 16, threads: 32, speedGhz: 4.5 }),
    memory: async () => ({ totalBytes: 64e9, availableBytes: 40e9 }),
    disk: async (folder) => ({ path: folder, mount: '/', filesystem: 'ext4', totalBytes: 2e12, usedBytes: 1e12, availableBytes: 1e12 }),
    os: async () => ({ platform: 'linux', distro: 'Debian', release: '13', kernel: '6.12', arch: 'x64', hostname: 'gpubox' }),
    otherGpus: async () => otherGpus,
  };
}
