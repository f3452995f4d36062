import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerodeEngineClient } from '../../../electron/services/docker/docker-engine';
import { dockerStatusFromError } from '../../../electron/services/hardware/docker-status';
import { HardwareService } from '../../../electron/services/hardware/hardware-service';
import { CpuUsageMeter } from '../../../electron/services/hardware/cpu-usage-meter';
import { SystemInformationProbe } from '../../../electron/services/hardware/system-probe';
import { fakeNvidiaGpuReader } from '../../fakes/nvidia-gpu-reader';
import { dockerAvailable } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';

const haveDocker = await dockerAvailable();

function service(docker: DockerodeEngineClient, dockerInstalled = true) {
  return new HardwareService({
    system: new SystemInformationProbe(),
    nvidia: fakeNvidiaGpuReader(),
    docker,
    cpuMeter: new CpuUsageMeter(),
    dataDir: tempDir(),
    dockerInstalled: () => dockerInstalled,
  });
}

describe.skipIf(!haveDocker)('the real Docker engine', () => {
  it('is reported ready with its version, storage driver, runtimes and cgroup version', async () => {
    const status = await service(new DockerodeEngineClient()).docker();
    expect(status.state).toBe('ready');
    expect(status.version).toMatch(/^\d+\.\d+/);
    expect(status.apiVersion).toMatch(/^1\.\d+$/);
    expect(status.storageDriver).toBeTruthy();
    expect(status.runtimes).toContain('runc');
    expect(['1', '2']).toContain(status.cgroupVersion);
    // This machine has no NVIDIA runtime; the status must say so rather than claim GPU readiness.
    expect(status.nvidiaRuntime).toBe(status.runtimes.includes('nvidia'));
    if (!status.nvidiaRuntime) expect(status.gpuReady).toBe(false);
  });
});

describe('an engine that is not there', () => {
  it('a socket path where nothing listens is reported with a plain reason and a fix', async () => {
    const socket = path.join(tempDir(), 'docker.sock');
    const status = await service(new DockerodeEngineClient({ endpoint: `unix://${socket}`, timeoutMs: 2000 })).docker();
    expect(status.state).toBe('unreachable');
    expect(status.message).toContain(socket);
    expect(status.fix).toBeTruthy();
    expect(status.gpuReady).toBe(false);
  });

  it('with no docker binary either, it is reported missing', async () => {
    const socket = path.join(tempDir(), 'docker.sock');
    const status = await service(new DockerodeEngineClient({ endpoint: `unix://${socket}`, timeoutMs: 2000 }), false).docker();
    expect(status).toMatchObject(dockerStatusFromError(Object.assign(new Error(), { code: 'ENOENT' }), {
      endpoint: `unix://${socket}`,
      platform: process.platform,
      dockerInstalled: false,
    }));
    expect(status.state).toBe('missing');
  });
});
