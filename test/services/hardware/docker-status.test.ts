import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerStatusFromError, dockerStatusFromInfo } from '../../../electron/services/hardware/docker-status';

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/hardware', name), 'utf8')) as Record<string, unknown>;
const endpoint = 'unix:///var/run/docker.sock';

describe('docker status from the engine /info (captured fixtures)', () => {
  it('Debian dockerd 20.10 without the NVIDIA runtime: ready, but GPUs need the toolkit', () => {
    const status = dockerStatusFromInfo(fixture('docker-info-debian-dockerd-20.10-no-nvidia.json'), {
      endpoint,
      hasNvidiaGpu: true,
      apiVersion: '1.41',
    });
    expect(status).toMatchObject({
      state: 'ready',
      version: '20.10.24+dfsg1',
      storageDriver: 'overlay2',
      cgroupVersion: '1',
      rootless: false,
      nvidiaRuntime: false,
      defaultRuntime: 'runc',
      gpuReady: false,
    });
    expect(status.runtimes).toEqual(['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc']);
    expect(status.gpuMessage).toMatch(/no NVIDIA runtime/);
    expect(status.gpuMessage).toMatch(/NVIDIA Container Toolkit/);
    expect(status.gpuFix).toBe('sudo nvidia-ctk runtime configure --runtime=docker\nsudo systemctl restart docker');
  });

  it('the same engine once nvidia-ctk added the runtime: GPU training ready', () => {
    const status = dockerStatusFromInfo(fixture('docker-info-debian-dockerd-20.10-nvidia-runtime-added.json'), {
      endpoint,
      hasNvidiaGpu: true,
      apiVersion: '1.41',
    });
    expect(status.runtimes).toContain('nvidia');
    expect(status).toMatchObject({ nvidiaRuntime: true, gpuReady: true, gpuFix: null });
  });

  it('a remote engine (DOCKER_HOST=tcp:// or ssh://) is shown as running, with why jobs cannot use it', () => {
    const info = fixture('docker-info-debian-dockerd-20.10-no-nvidia.json');
    for (const remote of ['tcp://10.0.0.5:2375', 'ssh://ml@gpu-box']) {
      const status = dockerStatusFromInfo(info, { endpoint: remote, hasNvidiaGpu: false, apiVersion: '1.41' });
      expect(status).toMatchObject({ state: 'ready', endpoint: remote, version: '20.10.24+dfsg1' });
      expect(status.message).toContain(`DOCKER_HOST is ${remote}, a remote Docker engine`);
      expect(status.message).toMatch(/only on a local engine/);
    }
    const local = dockerStatusFromInfo(info, { endpoint, hasNvidiaGpu: false, apiVersion: '1.41' });
    expect(local.message).toBe('Docker Engine 20.10.24+dfsg1 is running.');
  });

  it('a machine with no NVIDIA GPU is told it trains on CPU, with nothing to fix', () => {
    const status = dockerStatusFromInfo(fixture('docker-info-debian-dockerd-20.10-no-nvidia.json'), {
      endpoint,
      hasNvidiaGpu: false,
      apiVersion: null,
    });
    expect(status).toMatchObject({ gpuReady: false, gpuFix: null });
    expect(status.gpuMessage).toMatch(/CPU/);
  });

  it('spots a rootless engine and cgroup v2', () => {
    const status = dockerStatusFromInfo(
      { ServerVersion: '27.1.0', CgroupVersion: '2', SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'], Runtimes: { runc: {} } },
      { endpoint, hasNvidiaGpu: false, apiVersion: '1.46' },
    );
    expect(status).toMatchObject({ rootless: true, cgroupVersion: '2', version: '27.1.0' });
  });
});

describe('docker status from a failed call', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  const ctx = { endpoint, platform: 'linux' as const };

  it('no socket and no docker binary: missing, with the install step', () => {
    const status = dockerStatusFromError(err('ENOENT', 'connect ENOENT /var/run/docker.sock'), { ...ctx, dockerInstalled: false });
    expect(status.state).toBe('missing');
    expect(status.message).toMatch(/not installed/);
    expect(status.fix).toMatch(/^sudo apt-get install docker\.io$/m);
  });

  it('installed but not running: unreachable, with the start command', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED']) {
      const status = dockerStatusFromError(err(code), { ...ctx, dockerInstalled: true });
      expect(status.state).toBe('unreachable');
      expect(status.message).toMatch(/not running/);
      expect(status.fix).toBe('sudo systemctl start docker');
    }
  });

  it('permission denied on the socket: the docker group fix', () => {
    const status = dockerStatusFromError(err('EACCES'), { ...ctx, dockerInstalled: true });
    expect(status.fix).toBe('sudo usermod -aG docker $USER');
    expect(status.message).toMatch(/log out and back in/);
  });

  it('Docker Desktop platforms are told to install or start Docker Desktop', () => {
    const mac = dockerStatusFromError(err('ENOENT'), { endpoint, platform: 'darwin', dockerInstalled: false });
    expect(mac.message).toMatch(/Install Docker Desktop/);
    expect(mac.fix).toBe('https://docs.docker.com/desktop/');
    expect(dockerStatusFromError(err('ENOENT'), { endpoint, platform: 'darwin', dockerInstalled: true }).fix).toBe('open -a Docker');
    expect(dockerStatusFromError(err('ECONNREFUSED'), { endpoint, platform: 'win32', dockerInstalled: true }).fix).toMatch(/Docker Desktop/);
  });
});
