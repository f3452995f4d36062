import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../../shared/contract/hardware';
import { CpuUsageMeter } from '../../../electron/services/hardware/cpu-usage-meter';
import { HardwareService } from '../../../electron/services/hardware/hardware-service';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';
import { answeringDockerEngine } from '../../fakes/docker-engine';
import { fakeNvidiaGpuReader } from '../../fakes/nvidia-gpu-reader';
import { fakeSystemProbe } from '../../fakes/system-probe';

const fixtures = path.join(import.meta.dirname, '../../fixtures/hardware');
const a5000 = parseNvidiaSmiXml(fs.readFileSync(path.join(fixtures, 'nvidia-smi-q-x-2xRTX-A5000-driver590.xml'), 'utf8'));
const dockerInfo = (name: string) => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8')) as Record<string, unknown>;

const intelIgpu: GpuInfo = {
  vendor: 'intel',
  index: 0,
  uuid: null,
  name: 'UHD Graphics 770',
  busId: '00:02.0',
  memoryTotalMb: null,
  memoryUsedMb: null,
  utilizationPercent: null,
  temperatureC: null,
  powerDrawW: null,
  powerLimitW: null,
  driverVersion: null,
  cudaVersion: null,
  migEnabled: false,
};

function service(dockerFixture: string, gpus = a5000.gpus) {
  return new HardwareService({
    system: fakeSystemProbe([intelIgpu]),
    nvidia: fakeNvidiaGpuReader({ gpus }),
    docker: answeringDockerEngine(dockerInfo(dockerFixture)),
    cpuMeter: new CpuUsageMeter(),
    dataDir: '/home/ada/.local/share/orrery',
    dockerInstalled: () => true,
    now: () => 42,
    memory: () => ({ total: 64e9, free: 40e9 }),
  });
}

describe('hardware service', () => {
  it('puts NVIDIA GPUs first, then other vendors numbered after them', async () => {
    const overview = await service('docker-info-debian-dockerd-20.10-no-nvidia.json').overview();
    expect(overview.gpus.map((g) => [g.index, g.vendor, g.name])).toEqual([
      [0, 'nvidia', 'NVIDIA RTX A5000'],
      [1, 'nvidia', 'NVIDIA RTX A5000'],
      [2, 'intel', 'UHD Graphics 770'],
    ]);
    expect(overview.disk?.path).toBe('/home/ada/.local/share/orrery');
    expect(overview.collectedAt).toBe(42);
  });

  it('NVIDIA GPUs and an engine without the NVIDIA runtime: Docker is ready, GPU training is not', async () => {
    const { docker } = await service('docker-info-debian-dockerd-20.10-no-nvidia.json').overview();
    expect(docker).toMatchObject({ state: 'ready', nvidiaRuntime: false, gpuReady: false });
    expect(docker.gpuFix).toMatch(/nvidia-ctk/);
  });

  it('NVIDIA GPUs and the runtime present: GPU training is ready', async () => {
    const { docker } = await service('docker-info-debian-dockerd-20.10-nvidia-runtime-added.json').overview();
    expect(docker).toMatchObject({ nvidiaRuntime: true, gpuReady: true });
  });

  it('no NVIDIA GPU: the reason from nvidia-smi is kept for the user', async () => {
    const overview = await service('docker-info-debian-dockerd-20.10-no-nvidia.json', []).overview();
    expect(overview.nvidiaSmiError).toMatch(/not found/);
    expect(overview.docker.gpuFix).toBeNull();
  });

  it('a sample carries memory in use and a CPU percentage', async () => {
    const sample = await service('docker-info-debian-dockerd-20.10-no-nvidia.json').sample();
    expect(sample).toMatchObject({ at: 42, memoryUsedBytes: 24e9, memoryTotalBytes: 64e9, gpus: [] });
    expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(sample.cpuPercent).toBeLessThanOrEqual(100);
  });
});
