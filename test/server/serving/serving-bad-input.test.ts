import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../../shared/contract/serving';
import type { ResourceUsageView } from '../../../shared/contract/training';
import { irisBody } from '../../helpers/model-folders';
import { replicaContainers, score, sleep, until } from '../../helpers/serving-server';
import { closeWorld, events, getDeployment, openWorld, register, rolloutReaches, servingReady, SMALL, traffic, type ServingWorld } from './serving-fixture';

/**
 * Bad input to the built app's serving methods, against real containers: each refusal names what
 * is wrong, and nothing half-created is left behind (no container, no reserved CPUs, no row).
 */
describe.skipIf(!servingReady)('serving refuses bad input and leaves nothing half-created (real containers)', () => {
  const world = {} as ServingWorld;
  const create = (input: Record<string, unknown>) => ({ model: 'iris', version: 1, ...SMALL, actor: 'tester', ...input });

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-serving-bad-input-'));
    const { server, models } = world;
    await register(server, 'iris', [models.irisV1, models.irisV2, models.broken]);
    await register(server, 'bare', [models.noMlmodel]);
    await register(server, 'torch', [models.unsupported]);
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  const cpusUsed = async () => (await world.server.call<ResourceUsageView>('training.getResources')).cpus.used;

  it('unknown model, version or alias: NOT_FOUND naming it', async () => {
    const { server } = world;
    const model = await server.refusal('serving.createDeployment', create({ name: 'a', model: 'no-such-model' }));
    expect(model.code).toBe('NOT_FOUND');
    expect(model.message).toMatch(/no-such-model/);
    const version = await server.refusal('serving.createDeployment', create({ name: 'a', version: 42 }));
    expect(version.code).toBe('NOT_FOUND');
    expect(version.message).toMatch(/\b42\b/);
    const alias = await server.refusal('serving.createDeployment', create({ name: 'a', version: '@ghost' }));
    expect(alias.code).toBe('NOT_FOUND');
    expect(alias.message).toMatch(/ghost/);
    expect(await server.call('serving.listDeployments')).toEqual([]);
  });

  it('a port in use is refused naming the port', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const refused = await world.server.refusal('serving.createDeployment', create({ name: 'a', port }));
      expect(refused.message).toMatch(new RegExp(`\\b${port}\\b`));
      expect(refused.message).toMatch(/port/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(await replicaContainers(world.dataDir)).toEqual([]);
  });

  it('a folder without MLmodel, or with only unsupported flavors, is refused at create naming the flavors', async () => {
    const { server } = world;
    const bare = await server.refusal('serving.createDeployment', create({ name: 'a', model: 'bare' }));
    expect(bare.code).toBe('INVALID_INPUT');
    expect(bare.message).toMatch(/no MLmodel file/);
    const torch = await server.refusal('serving.createDeployment', create({ name: 'a', model: 'torch' }));
    expect(torch.code).toBe('INVALID_INPUT');
    expect(torch.message).toMatch(/flavors are pytorch/);
    expect(torch.message).toMatch(/sklearn.*xgboost.*python_function/);
    expect(await replicaContainers(world.dataDir)).toEqual([]);
  });

  it('a replica that never becomes ready fails the create with its last log lines, and leaves no container, row or reservation', async () => {
    const { server } = world;
    const before = await cpusUsed();
    const refused = await server.refusal('serving.createDeployment', create({ name: 'broken', version: 3 }));
    expect(refused.message).toMatch(/this test model's loader always fails/);
    expect(refused.message).toMatch(/last log lines/);
    expect(await replicaContainers(world.dataDir)).toEqual([]);
    expect(await cpusUsed()).toBe(before);
    expect((await server.refusal('serving.getDeployment', { name: 'broken' })).code).toBe('NOT_FOUND');
    // The reservation is real while a replica runs, so its absence above means something.
    const healthy = await server.call<Deployment>('serving.createDeployment', create({ name: 'healthy' }));
    expect(await cpusUsed()).toBeCloseTo(before + SMALL.cpus, 6);
    await server.call('serving.deleteDeployment', { name: healthy.name, actor: 'tester' });
    expect(await cpusUsed()).toBe(before);
  }, 60_000);

  it('a rollout to a version that never becomes ready is aborted with its log lines; stable is untouched', async () => {
    const { server, models } = world;
    const deployment = await server.call<Deployment>('serving.createDeployment', create({ name: 'stays' }));
    const used = await cpusUsed();
    await server.call('serving.startRollout', { name: 'stays', version: 3, strategy: 'canary', actor: 'tester' });
    const aborted = await rolloutReaches(server, 'stays', ['aborted', 'rolled-back', 'promoted'], 40_000);
    expect(aborted.rollout?.state).toBe('aborted');
    const abort = (await events(server, 'stays')).find((e) => e.kind === 'abort');
    expect(abort?.message).toMatch(/did not become ready/);
    expect(abort?.message).toMatch(/this test model's loader always fails/);
    expect(traffic(await getDeployment(server, 'stays'))).toEqual([[1, 'stable', 100]]);
    expect((await replicaContainers(world.dataDir, 'stays')).map((c) => c.name.includes('-v1-'))).toEqual([true]);
    expect(await cpusUsed()).toBe(used);
    const answer = await score(deployment.url, irisBody(models));
    expect(answer.status).toBe(200);
    expect(answer.version).toBe('1');
    await server.call('serving.deleteDeployment', { name: 'stays', actor: 'tester' });
  }, 60_000);

  it('a rollout while one runs is a CONFLICT; deleting mid-rollout leaves no container', async () => {
    const { server } = world;
    await server.call<Deployment>('serving.createDeployment', create({ name: 'busy' }));
    const before = await cpusUsed();
    await server.call('serving.startRollout', { name: 'busy', version: 2, strategy: 'canary', settings: { minRequests: 1000 }, actor: 'tester' });
    const second = await server.refusal('serving.startRollout', { name: 'busy', version: 2, strategy: 'blue-green', actor: 'tester' });
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/canary rollout to version 2 is running/);
    // Deleted while the candidate is still starting: its container must not outlive the deployment.
    expect((await getDeployment(server, 'busy')).rollout?.state).toBe('starting');
    await server.call('serving.deleteDeployment', { name: 'busy', actor: 'tester' });
    await until('the containers of the deleted deployment to go', async () => (await replicaContainers(world.dataDir, 'busy')).length === 0, 20_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await replicaContainers(world.dataDir, 'busy'))}\n${world.server.output().slice(-3000)}`);
    });
    // Long enough for the candidate to have loaded its model, had anything kept it.
    await sleep(8000);
    expect(await replicaContainers(world.dataDir, 'busy')).toEqual([]);
    expect(await cpusUsed()).toBe(before - SMALL.cpus);
    expect((await server.refusal('serving.getDeployment', { name: 'busy' })).code).toBe('NOT_FOUND');
  }, 60_000);
});
