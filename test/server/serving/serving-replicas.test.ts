import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../../shared/contract/serving';
import { irisBody } from '../../helpers/model-folders';
import { dockerKill, replicaContainers, sleep, steadyLoad, until } from '../../helpers/serving-server';
import { closeWorld, events, getDeployment, openWorld, register, rolloutReaches, servingReady, SMALL, traffic, type ServingWorld } from './serving-fixture';

/**
 * Replicas of the built app's deployments as real containers, under a steady loop of requests
 * through the stable URL: a blue-green switch and a rolling replacement fail no request, and a
 * replica killed with `docker kill` is replaced while the gateway routes around it.
 */
describe.skipIf(!servingReady)('serving replicas under load (real containers)', () => {
  const world = {} as ServingWorld;

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-serving-replicas-'));
    await register(world.server, 'iris', [world.models.irisV1, world.models.irisV2]);
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  const create = (name: string, replicas: number, cpus = SMALL.cpus) =>
    world.server.call<Deployment>('serving.createDeployment', { name, model: 'iris', version: 1, replicas, ...SMALL, cpus, actor: 'tester' });

  const remove = async (name: string) => {
    await world.server.call('serving.deleteDeployment', { name, actor: 'tester' });
    await until(`the containers of ${name} to go`, async () => (await replicaContainers(world.dataDir, name)).length === 0, 20_000);
  };

  /** Answers that were not a 200 prediction, as "status version body" lines. */
  const failures = (results: Array<{ status: number; version: string | null; body: string }>) =>
    results.filter((r) => r.status !== 200 || !r.body.startsWith('{"predictions"')).map((r) => `${r.status} v${r.version} ${r.body.slice(0, 200)}`);

  it('a replica killed with docker kill is replaced while the gateway routes around it', async () => {
    const deployment = await create('killed', 2);
    expect(deployment.versions[0]!.replicas.filter((r) => r.state === 'ready')).toHaveLength(2);
    const load = steadyLoad(deployment.url, irisBody(world.models), 10);
    await sleep(500);
    const victim = deployment.versions[0]!.replicas[0]!;
    await dockerKill(victim.containerId!);
    const replaced = await until(
      'the killed replica to be ready again in a new container',
      async () => {
        const now = await getDeployment(world.server, 'killed');
        const replica = now.versions[0]!.replicas.find((r) => r.replicaId === victim.replicaId);
        return replica && replica.state === 'ready' && replica.restarts >= 1 && replica.containerId !== victim.containerId ? now : undefined;
      },
      40_000,
      50,
    );
    await sleep(500);
    const results = await load.stop();
    expect(replaced.status).toBe('running');
    expect(replaced.versions[0]!.replicas.map((r) => r.state)).toEqual(['ready', 'ready']);
    const running = (await replicaContainers(world.dataDir, 'killed')).filter((c) => c.state === 'running');
    expect(running.map((c) => c.replicaId).sort()).toEqual(replaced.versions[0]!.replicas.map((r) => r.replicaId).sort());
    expect(running.map((c) => c.id)).not.toContain(victim.containerId!.slice(0, 12));
    expect(results.length).toBeGreaterThan(20);
    expect(failures(results)).toEqual([]);
    await remove('killed');
  }, 90_000);

  it('a blue-green switch under steady load fails no request and stops the old version after keepWarmMs', async () => {
    const { server, models } = world;
    const deployment = await create('bluegreen', 1);
    const load = steadyLoad(deployment.url, irisBody(models), 10);
    await server.call('serving.startRollout', { name: 'bluegreen', version: 2, strategy: 'blue-green', settings: { keepWarmMs: 3000 }, actor: 'tester' });
    const switched = await rolloutReaches(server, 'bluegreen', ['switching', 'promoted', 'rolled-back', 'aborted'], 40_000);
    const switchedAt = Date.now();
    expect(switched.rollout?.state).toBe('switching');
    expect(traffic(switched)).toEqual([
      [1, 'retiring', 0],
      [2, 'candidate', 100],
    ]);
    // Kept warm: the old version's container still runs after the switch, for an instant rollback.
    expect((await replicaContainers(world.dataDir, 'bluegreen')).filter((c) => c.name.includes('-v1-') && c.state === 'running')).toHaveLength(1);
    const promoted = await rolloutReaches(server, 'bluegreen', ['promoted', 'rolled-back', 'aborted'], 20_000);
    expect(promoted.rollout?.state).toBe('promoted');
    expect(Date.now() - switchedAt).toBeGreaterThanOrEqual(2000);
    await until('the old version to stop', async () => (await replicaContainers(world.dataDir, 'bluegreen')).every((c) => c.name.includes('-v2-')), 20_000);
    await sleep(300);
    const results = await load.stop();

    expect(failures(results)).toEqual([]);
    const versions = results.map((r) => r.version);
    const firstNew = versions.indexOf('2');
    expect(firstNew).toBeGreaterThan(0);
    // One switch: version 1 up to it, version 2 from it on, with the right predictions each.
    expect(versions.slice(0, firstNew).every((v) => v === '1')).toBe(true);
    expect(versions.slice(firstNew).every((v) => v === '2')).toBe(true);
    expect(JSON.parse(results[0]!.body)).toEqual({ predictions: models.expected.v1 });
    expect(JSON.parse(results.at(-1)!.body)).toEqual({ predictions: models.expected.v2 });
    const kinds = (await events(server, 'bluegreen')).map((e) => e.kind);
    expect(kinds).toContain('switch');
    expect(kinds).toContain('promote');
    expect(traffic(await getDeployment(server, 'bluegreen'))).toEqual([[2, 'stable', 100]]);
    await remove('bluegreen');
  }, 90_000);

  it('rolling with 3 replicas ends with 3 of the new version, never runs more than 4, and fails no request', async () => {
    const { server, models } = world;
    // 4 replicas at once at most: 1.6 CPUs, within a 2-CPU machine's ledger.
    const deployment = await create('rolling', 3, 0.4);
    const load = steadyLoad(deployment.url, irisBody(models), 50);
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const running = (await replicaContainers(world.dataDir, 'rolling')).filter((c) => c.state === 'running');
        most = Math.max(most, running.length);
        await sleep(100);
      }
    })();
    await server.call('serving.startRollout', { name: 'rolling', version: 2, strategy: 'rolling', actor: 'tester' });
    const ended = await rolloutReaches(server, 'rolling', ['promoted', 'rolled-back', 'aborted'], 90_000);
    await until('only version 2 containers', async () => (await replicaContainers(world.dataDir, 'rolling')).every((c) => c.name.includes('-v2-')), 20_000);
    sampling = false;
    await sampler;
    const results = await load.stop();

    expect(ended.rollout?.state).toBe('promoted');
    const now = await getDeployment(server, 'rolling');
    expect(traffic(now)).toEqual([[2, 'stable', 100]]);
    expect(now.versions[0]!.replicas.map((r) => r.state)).toEqual(['ready', 'ready', 'ready']);
    const containers = await replicaContainers(world.dataDir, 'rolling');
    expect(containers.filter((c) => c.state === 'running' && c.name.includes('-v2-'))).toHaveLength(3);
    expect(most).toBeGreaterThanOrEqual(3);
    expect(most).toBeLessThanOrEqual(4);
    expect(failures(results)).toEqual([]);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set(['1', '2']));
    expect((await events(server, 'rolling')).filter((e) => e.kind === 'replace')).toHaveLength(3);
    await remove('rolling');
  }, 150_000);
});
