import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GpuInfo, HardwareOverview } from '../../../shared/contract/hardware';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';
import {
  capacityFromOverview,
  GIB,
  ResourceManager,
  type Capacity,
  type JobResources,
} from '../../../electron/services/training/resource-manager';

const fixtureDir = new URL('../../fixtures/hardware/', import.meta.url);

/** Every nvidia-smi -q -x fixture that holds more than one <gpu>, with its parsed GPUs. */
const multiGpuFixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.xml'))
  .sort()
  .map((name) => ({ name, gpus: parseNvidiaSmiXml(readFileSync(new URL(name, fixtureDir), 'utf8')).gpus }))
  .filter((fixture) => fixture.gpus.length > 1);

function overview(gpus: GpuInfo[], threads = 16, totalBytes = 64 * GIB): HardwareOverview {
  return {
    cpu: { manufacturer: 'Test', model: 'CPU', cores: threads / 2, threads, speedGhz: null },
    memory: { totalBytes, availableBytes: totalBytes },
    disk: null,
    os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64', hostname: 'test' },
    gpus,
    nvidiaSmiError: null,
    docker: {} as HardwareOverview['docker'],
    collectedAt: 0,
  };
}

function fixtureGpus(name: string): GpuInfo[] {
  const fixture = multiGpuFixtures.find((candidate) => candidate.name === name);
  if (!fixture) throw new Error(`no multi-GPU fixture ${name}`);
  return fixture.gpus;
}

const twoA5000 = () => new ResourceManager(capacityFromOverview(overview(fixtureGpus('nvidia-smi-q-x-2xRTX-A5000-driver590.xml'))));
const res = (resources: JobResources) => resources;
const gpu = (index: number, uuid: string | null = null) => ({ index, uuid, name: 'GPU', memoryTotalMb: null });
/** What a "16 GB" laptop reports as its total memory: 15.51 GiB. */
const LAPTOP_MEMORY = 16_654_872_576;

describe('capacity from every multi-GPU nvidia-smi -q -x fixture', () => {
  it('finds the five multi-GPU captures (the A100 file is trimmed to one <gpu>)', () => {
    expect(multiGpuFixtures.map((fixture) => [fixture.name, fixture.gpus.length])).toEqual([
      ['nvidia-smi-q-x-2xGTX1080-driver460.xml', 2],
      ['nvidia-smi-q-x-2xRTX-A5000-driver590.xml', 2],
      ['nvidia-smi-q-x-2xRTX2080-driver590.xml', 2],
      ['nvidia-smi-q-x-2xRTX2080Ti-driver410.xml', 2],
      ['nvidia-smi-q-x-4xTeslaK80-azure-driver430.xml', 4],
    ]);
  });

  it.each(multiGpuFixtures.map((fixture) => [fixture.name, fixture.gpus] as const))('%s: allocate one GPU per job, release, reuse', (_name, gpus) => {
    const capacity = capacityFromOverview(overview(gpus));
    expect(capacity.gpus).toEqual(gpus.map((gpu) => ({ index: gpu.index, uuid: gpu.uuid, name: gpu.name, memoryTotalMb: gpu.memoryTotalMb })));
    const manager = new ResourceManager(capacity);

    // One GPU per job: every GPU is taken once, in nvidia-smi order, even where UUIDs repeat.
    const allocations = gpus.map((_gpu, job) => manager.tryAllocate(`job-${job}`, res({ gpus: 1 })));
    expect(allocations.map((allocation) => allocation?.gpuIndices)).toEqual(gpus.map((gpu) => [gpu.index]));
    expect(allocations.map((allocation) => allocation?.gpuUuids)).toEqual(gpus.map((gpu) => [gpu.uuid]));
    expect(manager.tryAllocate('one-too-many', res({ gpus: 1 }))).toBeNull();
    expect(manager.usage().gpus.map((gpu) => gpu.jobId)).toEqual(gpus.map((_gpu, job) => `job-${job}`));

    // The last GPU comes back and is the one the waiting job gets.
    const last = gpus.length - 1;
    expect(manager.release(`job-${last}`)).toBe(true);
    expect(manager.usage().gpus[last]?.jobId).toBeNull();
    expect(manager.tryAllocate('waiting', res({ gpus: 1 }))?.gpuIndices).toEqual([last]);

    // With everything released the whole machine fits one job.
    for (let job = 0; job < last; job += 1) manager.release(`job-${job}`);
    manager.release('waiting');
    expect(manager.tryAllocate('all', res({ gpus: gpus.length }))?.gpuIndices).toEqual(gpus.map((gpu) => gpu.index));
  });

  it('keeps NVIDIA GPUs only, and uses CPU threads and total memory', () => {
    const nvidia = fixtureGpus('nvidia-smi-q-x-2xGTX1080-driver460.xml');
    const intel: GpuInfo = { ...nvidia[0]!, vendor: 'intel', index: 2, uuid: null, name: 'Intel UHD' };
    const capacity = capacityFromOverview(overview([...nvidia, intel], 24, 23.5 * GIB));
    expect(capacity.cpus).toBe(24);
    expect(capacity.memoryBytes).toBe(23.5 * GIB);
    expect(capacity.gpus.map((gpu) => [gpu.index, gpu.name, gpu.memoryTotalMb])).toEqual([
      [0, 'GeForce GTX 1080', 8116],
      [1, 'GeForce GTX 1080', 8119],
    ]);
  });

  it('counts physical cores when the overview knows no thread count', () => {
    const base = overview([]);
    expect(capacityFromOverview({ ...base, cpu: { ...base.cpu, cores: 6, threads: 0 } }).cpus).toBe(6);
  });
});

describe('the GPUs a machine has', () => {
  it('are kept in nvidia-smi index order, however the overview lists them', () => {
    const manager = new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: [gpu(1), gpu(0)] });
    expect(manager.usage().gpus.map((usage) => usage.index)).toEqual([0, 1]);
    expect(manager.tryAllocate('any', res({ gpus: 1 }))?.gpuIndices).toEqual([0]);
  });

  it('refuses a capacity that lists one index twice', () => {
    expect(() => new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: [gpu(1), gpu(0), gpu(1)] })).toThrow(
      /^GPU indices repeat in the capacity: 0, 1, 1$/,
    );
  });

  it.each([
    ['no NVIDIA GPU', [], 'this machine has no NVIDIA GPU'],
    ['one GPU', [0], 'this machine has GPU 0'],
    ['two GPUs', [0, 1], 'this machine has GPUs 0–1'],
    ['four GPUs', [0, 1, 2, 3], 'this machine has GPUs 0–3'],
    ['GPU 0 gone', [1, 2], 'this machine has GPUs 1–2'],
    ['a gap', [0, 2, 3], 'this machine has GPUs 0, 2, 3'],
  ])('are named when a job asks for one that does not exist: %s', (_machine, indices, has) => {
    const manager = new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: indices.map((index) => gpu(index)) });
    expect(manager.check(res({ gpus: [7] }))).toEqual({ ok: false, reason: `resources.gpus: GPU 7 does not exist; ${has}` });
  });
});

describe('check(): can it ever fit', () => {
  it('refuses 4 GPUs on a 2-GPU machine, naming the field', () => {
    expect(twoA5000().check(res({ gpus: 4 }))).toEqual({ ok: false, reason: 'resources.gpus: asks for 4 GPUs but this machine has 2' });
    expect(twoA5000().check(res({ gpus: 2 }))).toEqual({ ok: true });
    expect(twoA5000().check(res({ gpus: 0 }))).toEqual({ ok: true });
  });

  it('refuses an index that does not exist, and a repeated one', () => {
    expect(twoA5000().check(res({ gpus: [0, 3] }))).toEqual({ ok: false, reason: 'resources.gpus: GPU 3 does not exist; this machine has GPUs 0–1' });
    expect(twoA5000().check(res({ gpus: [1, 1] }))).toEqual({ ok: false, reason: 'resources.gpus: GPU 1 is listed twice' });
    expect(twoA5000().check(res({ gpus: [1, 0] }))).toEqual({ ok: true });
  });

  it('speaks plainly on a machine without NVIDIA GPUs or with gaps in the indices', () => {
    const none = new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: [] });
    expect(none.check(res({ gpus: 1 }))).toEqual({ ok: false, reason: 'resources.gpus: asks for 1 GPU but this machine has no NVIDIA GPU' });
    expect(none.check(res({ gpus: [0] }))).toEqual({ ok: false, reason: 'resources.gpus: GPU 0 does not exist; this machine has no NVIDIA GPU' });
    const gaps = new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: [gpu(0), gpu(2)] });
    expect(gaps.check(res({ gpus: [1] }))).toEqual({ ok: false, reason: 'resources.gpus: GPU 1 does not exist; this machine has GPUs 0, 2' });
  });

  it('refuses cpus, memory and shm beyond the machine', () => {
    const manager = new ResourceManager({ cpus: 16, memoryBytes: 23.5 * GIB, gpus: [] });
    expect(manager.check(res({ gpus: 0, memoryGb: 64 }))).toEqual({ ok: false, reason: 'resources.memoryGb: 64 GB asked, the machine has 23.5 GB' });
    expect(manager.check(res({ gpus: 0, cpus: 32 }))).toEqual({ ok: false, reason: 'resources.cpus: 32 CPUs asked, the machine has 16 CPU threads' });
    expect(manager.check(res({ gpus: 0, shmGb: 32 }))).toEqual({
      ok: false,
      reason: 'resources.shmGb: 32 GB of shared memory asked, the machine has 23.5 GB',
    });
    expect(manager.check(res({ gpus: 0, memoryGb: 4, shmGb: 8 }))).toEqual({
      ok: false,
      reason: "resources.shmGb: 8 GB of shared memory is more than the job's memory limit (resources.memoryGb: 4 GB)",
    });
    expect(manager.check(res({ gpus: 0, cpus: 16, memoryGb: 23.5, shmGb: 8 }))).toEqual({ ok: true });
  });

  it('lets a job ask for exactly all of it: every CPU, all memory, /dev/shm as big as the memory limit or the machine', () => {
    const manager = new ResourceManager({ cpus: 16, memoryBytes: 32 * GIB, gpus: [] });
    expect(manager.check(res({ gpus: 0, cpus: 16, memoryGb: 32 }))).toEqual({ ok: true });
    expect(manager.check(res({ gpus: 0, memoryGb: 8, shmGb: 8 }))).toEqual({ ok: true });
    expect(manager.check(res({ gpus: 0, shmGb: 32 }))).toEqual({ ok: true });
    expect(manager.check(res({ gpus: 0, cpus: 16.5 }))).toEqual({ ok: false, reason: 'resources.cpus: 16.5 CPUs asked, the machine has 16 CPU threads' });
  });

  it("gives the machine's memory to one decimal, as a 16 GB laptop shows it", () => {
    const manager = new ResourceManager({ cpus: 8, memoryBytes: LAPTOP_MEMORY, gpus: [] });
    expect(manager.check(res({ gpus: 0, memoryGb: 32 }))).toEqual({ ok: false, reason: 'resources.memoryGb: 32 GB asked, the machine has 15.5 GB' });
    expect(manager.check(res({ gpus: 0, shmGb: 16 }))).toEqual({ ok: false, reason: 'resources.shmGb: 16 GB of shared memory asked, the machine has 15.5 GB' });
  });

  it('does not round the machine up to what was asked', () => {
    const manager = new ResourceManager({ cpus: 16, memoryBytes: 23.49 * GIB, gpus: [] });
    expect(manager.check(res({ gpus: 0, memoryGb: 23.5 }))).toEqual({ ok: false, reason: 'resources.memoryGb: 23.5 GB asked, the machine has 23.49 GB' });
  });
});

describe('tryAllocate(): GPUs', () => {
  it('two jobs asking for the same explicit GPU: the second waits until the first releases', () => {
    const manager = twoA5000();
    const first = manager.tryAllocate('first', res({ gpus: [1] }));
    expect(first).toEqual({ jobId: 'first', gpuIndices: [1], gpuUuids: ['GPU-12345678-aaaa-bbbb-cccc-0123456789cd'], cpus: 0, memoryBytes: 0 });
    expect(manager.tryAllocate('second', res({ gpus: [1] }))).toBeNull();
    expect(manager.tryAllocate('second', res({ gpus: [0, 1] }))).toBeNull();
    expect(manager.usage().gpus.map((gpu) => [gpu.index, gpu.jobId])).toEqual([
      [0, null],
      [1, 'first'],
    ]);
    manager.release('first');
    expect(manager.tryAllocate('second', res({ gpus: [1] }))?.gpuIndices).toEqual([1]);
  });

  it('count requests on a 2-GPU machine take the lowest free indices', () => {
    const manager = twoA5000();
    expect(manager.tryAllocate('pinned', res({ gpus: [0] }))?.gpuIndices).toEqual([0]);
    expect(manager.tryAllocate('pair', res({ gpus: 2 }))).toBeNull();
    expect(manager.tryAllocate('any', res({ gpus: 1 }))?.gpuIndices).toEqual([1]);
    expect(manager.tryAllocate('another', res({ gpus: 1 }))).toBeNull();
    // A CPU-only job runs while every GPU is busy.
    expect(manager.tryAllocate('cpu-only', res({ gpus: 0 }))).toMatchObject({ gpuIndices: [], gpuUuids: [] });
    manager.release('pinned');
    manager.release('any');
    expect(manager.tryAllocate('pair', res({ gpus: 2 }))?.gpuIndices).toEqual([0, 1]);
  });

  it('an allocation is sorted by index and keeps each GPU UUID (4× K80)', () => {
    const gpus = fixtureGpus('nvidia-smi-q-x-4xTeslaK80-azure-driver430.xml');
    const manager = new ResourceManager(capacityFromOverview(overview(gpus)));
    const allocation = manager.tryAllocate('job', res({ gpus: [3, 1] }));
    expect(allocation?.gpuIndices).toEqual([1, 3]);
    expect(allocation?.gpuUuids).toEqual([gpus[1]?.uuid, gpus[3]?.uuid]);
    expect(manager.tryAllocate('count', res({ gpus: 2 }))?.gpuIndices).toEqual([0, 2]);
  });

  it('throws for a request that can never fit, and for a job that already holds resources', () => {
    const manager = twoA5000();
    expect(() => manager.tryAllocate('big', res({ gpus: 4 }))).toThrow('resources.gpus: asks for 4 GPUs but this machine has 2');
    manager.tryAllocate('job', res({ gpus: 1 }));
    expect(() => manager.tryAllocate('job', res({ gpus: 1 }))).toThrow(/already holds/);
    expect(manager.release('job')).toBe(true);
    expect(manager.release('job')).toBe(false);
  });
});

describe('tryAllocate(): CPUs and memory', () => {
  const machine: Capacity = { cpus: 16, memoryBytes: 32 * GIB, gpus: [] };

  it('accounts CPUs and memory and waits when they are used up', () => {
    const manager = new ResourceManager(machine);
    expect(manager.tryAllocate('a', res({ gpus: 0, cpus: 8, memoryGb: 16 }))).toMatchObject({ cpus: 8, memoryBytes: 16 * GIB });
    expect(manager.tryAllocate('b', res({ gpus: 0, cpus: 8, memoryGb: 8 }))).not.toBeNull();
    expect(manager.tryAllocate('c', res({ gpus: 0, cpus: 1 }))).toBeNull();
    expect(manager.tryAllocate('d', res({ gpus: 0, memoryGb: 16 }))).toBeNull();
    expect(manager.tryAllocate('e', res({ gpus: 0, memoryGb: 8 }))).not.toBeNull();
    expect(manager.usage()).toMatchObject({
      cpus: { total: 16, used: 16, free: 0 },
      memoryBytes: { total: 32 * GIB, used: 32 * GIB, free: 0 },
    });
    manager.release('a');
    expect(manager.tryAllocate('c', res({ gpus: 0, cpus: 1 }))).not.toBeNull();
    expect(manager.usage().cpus).toEqual({ total: 16, used: 9, free: 7 });
    expect(manager.usage().memoryBytes).toEqual({ total: 32 * GIB, used: 16 * GIB, free: 16 * GIB });
  });

  it('says what a waiting request lacks: the GPUs held, CPUs and memory with what is free; nothing when it fits', () => {
    const manager = twoA5000();
    manager.tryAllocate('first', res({ gpus: [1] }));
    expect(manager.shortfall(res({ gpus: [0, 1] }))).toEqual(['GPU 1 (held)']);
    expect(manager.shortfall(res({ gpus: 2 }))).toEqual(['2 GPUs (1 free)']);
    expect(manager.shortfall(res({ gpus: 1 }))).toEqual([]);
    const cpuMachine = new ResourceManager(machine);
    cpuMachine.tryAllocate('big', res({ gpus: 0, cpus: 15.5, memoryGb: 30 }));
    expect(cpuMachine.shortfall(res({ gpus: 0, cpus: 1, memoryGb: 4 }))).toEqual(['1 CPU (0.5 free)', '4 GB of memory (2 GB free)']);
    expect(cpuMachine.shortfall(res({ gpus: 0, cpus: 0.5, memoryGb: 2 }))).toEqual([]);
  });

  it('a job with no limits accounts nothing and runs even on a full machine', () => {
    const manager = new ResourceManager(machine);
    manager.tryAllocate('full', res({ gpus: 0, cpus: 16, memoryGb: 32 }));
    expect(manager.tryAllocate('free-rider', res({ gpus: 0 }))).toEqual({ jobId: 'free-rider', gpuIndices: [], gpuUuids: [], cpus: 0, memoryBytes: 0 });
  });

  it('fractional CPUs add up to an exact fit', () => {
    const manager = new ResourceManager({ cpus: 1, memoryBytes: GIB, gpus: [] });
    expect(manager.tryAllocate('a', res({ gpus: 0, cpus: 0.1 }))).not.toBeNull();
    expect(manager.tryAllocate('b', res({ gpus: 0, cpus: 0.2 }))).not.toBeNull();
    expect(manager.tryAllocate('c', res({ gpus: 0, cpus: 0.7 }))).not.toBeNull();
    expect(manager.tryAllocate('d', res({ gpus: 0, cpus: 0.1 }))).toBeNull();
    expect(manager.usage().cpus).toEqual({ total: 1, used: 1, free: 0 });
  });

  it('thirds of a CPU fill it too, counted as Docker counts them (NanoCpus)', () => {
    const manager = new ResourceManager({ cpus: 1, memoryBytes: GIB, gpus: [] });
    for (const job of ['a', 'b']) expect(manager.tryAllocate(job, res({ gpus: 0, cpus: 0.333333333 }))).not.toBeNull();
    expect(manager.tryAllocate('c', res({ gpus: 0, cpus: 0.333333334 }))).not.toBeNull();
    expect(manager.usage().cpus).toEqual({ total: 1, used: 1, free: 0 });
    manager.release('c');
    expect(manager.tryAllocate('c', res({ gpus: 0, cpus: 0.333333335 }))).toBeNull();
  });
});

describe('restore() after a restart', () => {
  it('re-takes what running containers hold, so new jobs work around it', () => {
    const before = twoA5000();
    const held = before.tryAllocate('running', res({ gpus: 1, cpus: 4, memoryGb: 8 }));
    expect(held).not.toBeNull();

    const after = twoA5000();
    expect(after.restore(held!)).toEqual({ conflicts: [] });
    expect(after.allocationOf('running')).toEqual(held);
    expect(after.usage()).toMatchObject({ gpus: [{ index: 0, jobId: 'running' }, { index: 1, jobId: null }], cpus: { used: 4 } });
    expect(after.tryAllocate('new', res({ gpus: [0] }))).toBeNull();
    expect(after.tryAllocate('new', res({ gpus: 1 }))?.gpuIndices).toEqual([1]);
    after.release('running');
    expect(after.usage().gpus[0]?.jobId).toBeNull();
  });

  it('restoring the same job twice does not count it twice', () => {
    const manager = twoA5000();
    const allocation = { jobId: 'j', gpuIndices: [0], gpuUuids: [null], cpus: 2, memoryBytes: GIB };
    manager.restore(allocation);
    expect(manager.restore(allocation)).toEqual({ conflicts: [] });
    expect(manager.usage().cpus.used).toBe(2);
  });

  it('records a clash but reports it: two jobs on one GPU, a missing GPU, a changed UUID, overcommit', () => {
    const manager = new ResourceManager({ ...capacityFromOverview(overview(fixtureGpus('nvidia-smi-q-x-2xRTX-A5000-driver590.xml'))), cpus: 4 });
    manager.restore({ jobId: 'a', gpuIndices: [0], gpuUuids: ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab'], cpus: 3, memoryBytes: 0 });
    const { conflicts } = manager.restore({ jobId: 'b', gpuIndices: [0, 5], gpuUuids: ['GPU-elsewhere', null], cpus: 2, memoryBytes: 0 });
    expect(conflicts).toEqual([
      'job b was given GPU 0 as GPU-elsewhere, but GPU 0 is now GPU-12345678-aaaa-bbbb-cccc-0123456789ab (GPUs were reordered or replaced)',
      'GPU 0 is held by both job a and job b',
      'job b holds GPU 5, which this machine no longer has',
      "job b takes CPUs over the machine's 4 (5 in use)",
    ]);
    const usage = manager.usage();
    expect(usage.gpus[0]).toMatchObject({ jobId: 'a', jobIds: ['a', 'b'] });
    expect(usage.cpus).toEqual({ total: 4, used: 5, free: 0 });
    // Nothing new lands on the contested GPU until both are gone.
    manager.release('a');
    expect(manager.tryAllocate('new', res({ gpus: [0] }))).toBeNull();
    manager.release('b');
    expect(manager.tryAllocate('new', res({ gpus: [0] }))?.gpuIndices).toEqual([0]);
  });

  it('jobs that fill the machine exactly are no clash', () => {
    const manager = new ResourceManager({ cpus: 4, memoryBytes: 8 * GIB, gpus: [] });
    expect(manager.restore({ jobId: 'a', gpuIndices: [], gpuUuids: [], cpus: 2.5, memoryBytes: 6 * GIB })).toEqual({ conflicts: [] });
    expect(manager.restore({ jobId: 'b', gpuIndices: [], gpuUuids: [], cpus: 1.5, memoryBytes: 2 * GIB })).toEqual({ conflicts: [] });
    expect(manager.usage()).toMatchObject({ cpus: { total: 4, used: 4, free: 0 }, memoryBytes: { total: 8 * GIB, used: 8 * GIB, free: 0 } });
  });

  it('reports memory overcommit in GB, and free memory never reads below 0', () => {
    const manager = new ResourceManager({ cpus: 8, memoryBytes: LAPTOP_MEMORY, gpus: [] });
    expect(manager.restore({ jobId: 'a', gpuIndices: [], gpuUuids: [], cpus: 0, memoryBytes: 8 * GIB })).toEqual({ conflicts: [] });
    expect(manager.restore({ jobId: 'b', gpuIndices: [], gpuUuids: [], cpus: 0, memoryBytes: 8 * GIB })).toEqual({
      conflicts: ["job b takes memory over the machine's 15.5 GB (16 GB in use)"],
    });
    expect(manager.usage().memoryBytes).toEqual({ total: LAPTOP_MEMORY, used: 16 * GIB, free: 0 });
  });

  it('does not call a GPU replaced when the driver now reports no UUID for it', () => {
    const manager = new ResourceManager({ cpus: 8, memoryBytes: 16 * GIB, gpus: [gpu(0, null)] });
    expect(manager.restore({ jobId: 'a', gpuIndices: [0], gpuUuids: ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab'], cpus: 0, memoryBytes: 0 })).toEqual({ conflicts: [] });
    expect(manager.usage().gpus).toEqual([{ ...gpu(0, null), jobId: 'a', jobIds: ['a'] }]);
  });
});
