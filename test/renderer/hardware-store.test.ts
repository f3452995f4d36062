import { describe, expect, it } from 'vitest';
import type { OrreryClient } from '../../shared/client';
import type { DockerStatus, HardwareOverview, HardwareSample } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import { createHardwareStore } from '../../renderer/src/stores/hardware-store';

const docker = (state: DockerStatus['state']): DockerStatus => ({
  state,
  message: state,
  fix: null,
  endpoint: 'unix:///var/run/docker.sock',
  version: null,
  apiVersion: null,
  storageDriver: null,
  runtimes: [],
  defaultRuntime: null,
  nvidiaRuntime: false,
  cgroupVersion: null,
  rootless: false,
  gpuReady: false,
  gpuMessage: '',
  gpuFix: null,
});

const overview = { docker: docker('missing'), collectedAt: 1 } as HardwareOverview;
const sample = (at: number, cpuPercent: number): HardwareSample => ({ at, cpuPercent, memoryUsedBytes: 1, memoryTotalBytes: 2, gpus: [] });

/** A client whose answers and event listeners the test controls. */
function fakeClient(answers: Record<string, () => unknown>) {
  const listeners = new Set<(p: HardwareSample) => void>();
  const client = {
    async call(method: string) {
      const answer = answers[method];
      if (!answer) throw new OrreryError('NOT_FOUND', method);
      return answer();
    },
    on(_topic: string, listener: (p: HardwareSample) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  } as unknown as OrreryClient;
  return { client, listeners, emit: (s: HardwareSample) => listeners.forEach((l) => l(s)) };
}

describe('hardware store', () => {
  it('loads the overview and keeps a failed load as an error with its code', async () => {
    const ok = createHardwareStore(fakeClient({ 'hardware.getOverview': () => overview }).client);
    await ok.getState().load();
    expect(ok.getState().overview).toBe(overview);
    expect(ok.getState().loading).toBe(false);

    const failing = createHardwareStore(fakeClient({}).client);
    await failing.getState().load();
    expect(failing.getState().error).toEqual({ code: 'NOT_FOUND', message: 'hardware.getOverview' });
  });

  it('collects live samples while started and unsubscribes when stopped', async () => {
    const fake = fakeClient({ 'hardware.getSample': () => sample(1, 10) });
    const store = createHardwareStore(fake.client);
    const stop = store.getState().startLive();
    expect(fake.listeners.size).toBe(1);
    await Promise.resolve();
    fake.emit(sample(2, 20));
    fake.emit(sample(2, 99)); // duplicate timestamp: ignored
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().history.cpu).toEqual([10, 20]);
    expect(store.getState().latest?.cpuPercent).toBe(20);
    stop();
    expect(fake.listeners.size).toBe(0);
  });

  it('replaces the docker status on "Check again"', async () => {
    const store = createHardwareStore(
      fakeClient({ 'hardware.getOverview': () => overview, 'hardware.getDocker': () => docker('ready') }).client,
    );
    await store.getState().load();
    await store.getState().checkDocker();
    expect(store.getState().overview?.docker.state).toBe('ready');
    expect(store.getState().dockerChecking).toBe(false);
  });
});
