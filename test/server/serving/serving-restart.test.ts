import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../../shared/contract/serving';
import { irisBody } from '../../helpers/model-folders';
import { replicaContainers, score, startServingServer, until } from '../../helpers/serving-server';
import { closeWorld, events, getDeployment, openWorld, register, rolloutReaches, servingReady, SMALL, traffic, type ServingWorld } from './serving-fixture';

/**
 * Closing and reopening Orrery (the built app, stopped with SIGTERM and started again on the same
 * data dir): the deployment answers again on the same port, its replica containers are taken back
 * rather than started twice, and an unfinished canary goes on from the step it was in.
 */
describe.skipIf(!servingReady)('serving across a restart of Orrery (real containers)', () => {
  const world = {} as ServingWorld;

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-serving-restart-'));
    await register(world.server, 'iris', [world.models.irisV1, world.models.irisV2]);
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  const running = async () =>
    (await replicaContainers(world.dataDir, 'iris'))
      .filter((c) => c.state === 'running')
      .map((c) => c.id)
      .sort();

  /** Requests until the rollout has moved on from `step` (or ended). */
  async function trafficUntil(url: string, done: (d: Deployment) => boolean, ms = 60_000): Promise<Deployment> {
    const deadline = Date.now() + ms;
    for (let i = 0; Date.now() < deadline; i++) {
      const answer = await score(url, irisBody(world.models));
      expect(answer.status, answer.body).toBe(200);
      if (i % 3 === 2) {
        const deployment = await getDeployment(world.server, 'iris');
        if (done(deployment)) return deployment;
      }
    }
    throw new Error(`no progress in ${ms} ms: ${JSON.stringify((await getDeployment(world.server, 'iris')).rollout)}`);
  }

  it('keeps the URL answering on the same port, re-adopts the replicas, and resumes a canary in its step', async () => {
    const created = await world.server.call<Deployment>('serving.createDeployment', { name: 'iris', model: 'iris', version: 1, ...SMALL, actor: 'tester' });
    await world.server.call('serving.startRollout', {
      name: 'iris',
      version: 2,
      strategy: 'canary',
      // Both versions are equally quick; a busy test machine must not make p95 noise decide here.
      settings: { steps: [20, 50, 100], minRequests: 8, intervalMs: 500, maxP95Factor: 100 },
      actor: 'tester',
    });
    await rolloutReaches(world.server, 'iris', ['waiting-for-traffic']);
    const before = await trafficUntil(created.url, (d) => (d.rollout?.step ?? 0) >= 1);
    expect(before.rollout).toMatchObject({ state: 'waiting-for-traffic', step: 1, candidateWeight: 50 });
    const containers = await running();
    expect(containers).toHaveLength(2);

    await world.server.stop();
    // Closed: the URL does not answer, the replicas keep running.
    expect((await score(created.url, irisBody(world.models))).status).toBe(0);
    expect(await running()).toEqual(containers);

    const reopenedAt = Date.now();
    world.server = await startServingServer(world.dataDir);
    const first = await until(
      'the stable URL to answer again',
      async () => {
        const answer = await score(created.url, irisBody(world.models));
        return answer.status === 200 ? answer : undefined;
      },
      30_000,
      50,
    );
    expect(Date.now() - reopenedAt).toBeLessThan(20_000);
    expect(['1', '2']).toContain(first.version);

    const after = await getDeployment(world.server, 'iris');
    expect(after.url).toBe(created.url);
    expect(after.port).toBe(created.port);
    expect(after.rollout).toMatchObject({ rolloutId: before.rollout!.rolloutId, strategy: 'canary', step: 1, candidateWeight: 50 });
    expect(after.rollout!.state).not.toBe('starting');
    expect(traffic(after)).toEqual([
      [1, 'stable', 50],
      [2, 'candidate', 50],
    ]);
    // The same containers, taken back: none started twice.
    expect(await running()).toEqual(containers);
    await until('the re-adopted replicas to be ready', async () => (await getDeployment(world.server, 'iris')).versions.every((v) => v.replicas.every((r) => r.state === 'ready')), 30_000);
    const adopted = (await getDeployment(world.server, 'iris')).versions.flatMap((v) => v.replicas.map((r) => r.containerId!.slice(0, 12))).sort();
    expect(adopted).toEqual(containers);

    // The canary goes on from step 2 of 3 and promotes on the numbers.
    const ended = await trafficUntil(created.url, (d) => d.rollout?.state === 'promoted' || d.rollout?.state === 'rolled-back');
    expect(ended.rollout?.state, JSON.stringify(ended.rollout?.lastDecision)).toBe('promoted');
    const kinds = (await events(world.server, 'iris')).map((e) => e.kind).reverse();
    expect(kinds.filter((k) => k === 'advance')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'start')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('promote');
    const answer = await score(created.url, irisBody(world.models));
    expect(answer.version).toBe('2');
    expect(JSON.parse(answer.body)).toEqual({ predictions: world.models.expected.v2 });
    await until('only version 2 running', async () => (await replicaContainers(world.dataDir, 'iris')).every((c) => c.name.includes('-v2-')), 20_000);
  }, 180_000);
});
