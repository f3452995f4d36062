import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelVersionDetail } from '../../../shared/contract/registry';
import { conflict, OrreryError } from '../../../shared/errors';
import { ContainerRunner } from '../../../electron/services/docker/container-runner';
import { NVIDIA_RUNTIME_FIX } from '../../../electron/services/docker/gpu-refusal';
import { EventBus } from '../../../electron/services/events/event-bus';
import { DockerReplicaRuntime } from '../../../electron/services/serving/docker-replica-runtime';
import type { ModelVersionReader, ReplicaAllocation, ReplicaResources } from '../../../electron/services/serving/ports';
import { LABEL_STORE } from '../../../electron/services/serving/replica-labels';
import { createServing } from '../../../electron/services/serving/serving-area';
import { openDatabase } from '../../../electron/services/store/database';
import { ResourceManager } from '../../../electron/services/training/resource-manager';
import { dockerAvailable } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';

const haveDocker = await dockerAvailable();
const docker = new Docker();
const storeId = `gpu-refusal-${process.pid}`;

afterAll(async () => {
  if (!haveDocker) return;
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_STORE}=${storeId}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
});

/**
 * This machine has no GPU and its engine no NVIDIA runtime: the ledger is given a GPU that is not
 * there, so the replica's GPU request reaches the real engine and is refused as it would be on a
 * workstation whose NVIDIA Container Toolkit is missing.
 */
describe.runIf(haveDocker)('a replica that asks for a GPU the engine cannot give', () => {
  it('fails the create with the fix, and leaves no container and no reservation', async () => {
    const dataDir = tempDir();
    const folder = tempDir('orrery-model-');
    fs.writeFileSync(path.join(folder, 'MLmodel'), 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: pickle\n');
    fs.writeFileSync(path.join(folder, 'model.pkl'), 'x');
    const models: ModelVersionReader = {
      getVersion: (name, ref) => ({ name, version: typeof ref === 'number' ? ref : 1, storagePath: folder, approvals: [] }) as unknown as ModelVersionDetail,
      setAlias: () => undefined,
    };
    const manager = new ResourceManager({ cpus: 2, memoryBytes: 4 * 1024 ** 3, gpus: [{ index: 0, uuid: 'GPU-test', name: 'NVIDIA test GPU', memoryTotalMb: 16000 }] });
    const ledger: ReplicaResources = {
      reserve: (holder, _label, resources): ReplicaAllocation => manager.tryAllocate(holder, resources) ?? (() => { throw conflict('full'); })(),
      release: (holder) => void manager.release(holder),
      restore: (holder, _label, allocation) => void manager.restore({ ...allocation, jobId: holder }),
    };
    const { db } = openDatabase({ dataDir });
    const runtime = new DockerReplicaRuntime(new ContainerRunner(docker), storeId);
    const area = createServing({ db, bus: new EventBus(), dataDir, models, resources: Promise.resolve(ledger), dockerReady: async () => true, runtime, enabled: true });
    try {
      const service = await area.service;
      const error = await service.create({ name: 'gpu', model: 'm', version: 1, replicas: 1, gpus: 1, actor: 'x' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OrreryError);
      expect((error as OrreryError).code).toBe('UNAVAILABLE');
      expect((error as OrreryError).message).toContain('no NVIDIA runtime');
      expect((error as OrreryError).message).toContain(NVIDIA_RUNTIME_FIX);
      expect(service.list()).toEqual([]);
      expect(manager.usage().gpus[0]!.jobId).toBeNull();
      const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_STORE}=${storeId}`] } });
      expect(left).toEqual([]);
    } finally {
      area.close();
      db.close();
    }
  });
});

describe.runIf(haveDocker)('the image a deployment names', () => {
  const runtime = new DockerReplicaRuntime(new ContainerRunner(docker), storeId);

  it('must be on this machine: the refusal names image and the local images', async () => {
    const error = await runtime.checkImage('orrery/not-built:local').then(
      () => null,
      (e: unknown) => e as OrreryError,
    );
    expect(error?.code).toBe('INVALID_INPUT');
    expect(error?.message).toMatch(/^image: The image orrery\/not-built:local is not on this machine \(Orrery never pulls images\)\. Local images: .*orrery\/serve:local/);
    expect(error?.message).toContain('npm run images builds orrery/serve:local');
  });

  it('must be built FROM orrery/serve:local', async () => {
    await expect(runtime.checkImage('orrery/serve:local')).resolves.toBeUndefined();
    await expect(runtime.checkImage('orrery/python:local')).rejects.toThrow("image: 'orrery/python:local' is not built FROM orrery/serve:local");
  });
});
