import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HardwareOverview } from '../../shared/contract/hardware';
import { ResourceManager } from '../../electron/services/training/resource-manager';
import { TrainingService, type TrainingServiceDeps } from '../../electron/services/training/training-service';
import type { Job, LocalImage, ResourceUsageView } from '../../shared/contract/training';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeEach(async () => {
  // No Docker engine answers here: the launcher is the process runner.
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe('training.images and training.resources', () => {
  it('lists no images when jobs run as plain processes', async () => {
    const res = await server.rpc<LocalImage[]>('training.listImages', {});
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual([]);
  });

  it('refuses unknown input fields', async () => {
    const res = await server.rpc('training.getResources', { extra: 1 });
    expect(res.status).toBe(400);
  });

  it("gives the machine's totals and what a running job holds", async () => {
    const idle = (await server.rpc<ResourceUsageView>('training.getResources', {})).body.result!;
    expect(idle.gpus).toEqual([]); // no nvidia-smi in the test server
    const overview = (await server.rpc<HardwareOverview>('hardware.getOverview', {})).body.result!;
    expect(idle.cpus).toEqual({ total: overview.cpu.threads || overview.cpu.cores, used: 0 });
    expect(idle.memoryBytes.total).toBe(overview.memory.totalBytes);
    expect(idle.memoryBytes.used).toBe(0);

    const submitted = await server.rpc<Job>('training.submit', {
      spec: { name: 'holder', image: 'host', command: ['sleep', '30'], resources: { cpus: 1, memoryGb: 0.5 } },
    });
    expect(submitted.status).toBe(200);
    const job = submitted.body.result!;
    await expect
      .poll(async () => (await server.rpc<ResourceUsageView>('training.getResources', {})).body.result!.cpus.used, { timeout: 10_000 })
      .toBe(1);
    const busy = (await server.rpc<ResourceUsageView>('training.getResources', {})).body.result!;
    expect(busy.memoryBytes.used).toBe(0.5 * 1024 ** 3);

    await server.rpc('training.cancel', { jobId: job.jobId });
    await expect
      .poll(async () => (await server.rpc<ResourceUsageView>('training.getResources', {})).body.result!.cpus.used, { timeout: 20_000 })
      .toBe(0);
  });
});

describe('TrainingService.resourceUsage', () => {
  it('names the job that holds each GPU', () => {
    const resources = new ResourceManager({
      cpus: 8,
      memoryBytes: 16 * 1024 ** 3,
      gpus: [
        { index: 0, uuid: 'GPU-a', name: 'NVIDIA RTX A5000', memoryTotalMb: 24564 },
        { index: 1, uuid: 'GPU-b', name: 'NVIDIA RTX A5000', memoryTotalMb: 24564 },
      ],
    });
    const jobs = { get: (id: string) => (id === 'a'.repeat(32) ? { name: 'resnet' } : undefined) };
    const service = new TrainingService({ resources, jobs } as unknown as TrainingServiceDeps);
    resources.tryAllocate('a'.repeat(32), { gpus: [1], cpus: 2, memoryGb: 4 });
    expect(service.resourceUsage()).toEqual({
      gpus: [
        { index: 0, name: 'NVIDIA RTX A5000', memoryTotalMb: 24564, jobId: null, jobName: null },
        { index: 1, name: 'NVIDIA RTX A5000', memoryTotalMb: 24564, jobId: 'a'.repeat(32), jobName: 'resnet' },
      ],
      cpus: { total: 8, used: 2 },
      memoryBytes: { total: 16 * 1024 ** 3, used: 4 * 1024 ** 3 },
    });
  });
});
