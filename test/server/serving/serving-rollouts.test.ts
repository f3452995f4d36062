import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentEventView } from '../../../shared/contract/serving';
import { irisBody } from '../../helpers/model-folders';
import { replicaContainers, score, sleep, until, type Scored } from '../../helpers/serving-server';
import { closeWorld, ENDED, events, getDeployment, openWorld, register, rolloutReaches, servingReady, SMALL, traffic, type ServingWorld } from './serving-fixture';

/**
 * One deployment of the built app against real replica containers, through its stable URL: what
 * it answers (checked against scikit-learn's own predict), and canary and shadow rollouts decided
 * by the analysis on the numbers: a failing candidate and a slow one are rolled back, a canary
 * with no traffic waits, a shadow records agreement while callers only get stable's answers.
 */
const NAME = 'iris';

describe.skipIf(!servingReady)('serving rollouts through the stable URL (real containers)', () => {
  const world = {} as ServingWorld;
  let url = '';
  let versions: { v1: number; v2: number; flaky: number; slow: number };

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-serving-rollouts-', { slowMs: 150 }));
    const { server, models } = world;
    const [v1, v2, flaky, slow] = await register(server, 'iris', [models.irisV1, models.irisV2, models.flaky, models.slow]);
    versions = { v1: v1!, v2: v2!, flaky: flaky!, slow: slow! };
    const created = await server.call<Deployment>('serving.createDeployment', { name: NAME, model: 'iris', version: 1, ...SMALL, actor: 'tester' });
    url = created.url;
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  // A test that failed midway must not leave its rollout running into the next one.
  afterEach(async () => {
    const deployment = world.server ? await getDeployment(world.server, NAME).catch(() => null) : null;
    if (deployment?.rollout && !ENDED.includes(deployment.rollout.state)) await world.server.call('serving.abortRollout', { name: NAME, actor: 'tester' }).catch(() => undefined);
  });

  /** Single-row requests over the expected rows, in turn. */
  const rowBody = (i: number) => irisBody(world.models, [world.models.expected.rows[i % world.models.expected.rows.length]!]);

  /** Candidate containers of a version, running or not. */
  const containersOf = async (version: number) => (await replicaContainers(world.dataDir, NAME)).filter((c) => c.name.includes(`-v${version}-`));

  async function decisionOf(kind: string, since: number): Promise<DeploymentEventView | undefined> {
    return (await events(world.server, NAME)).find((e) => e.kind === kind && e.at >= since);
  }

  /** Sends requests (body by index) until the rollout has ended; returns the answers. */
  async function trafficUntilEnded(body: (i: number) => string, ms = 40_000): Promise<{ answers: Scored[]; deployment: Deployment }> {
    const answers: Scored[] = [];
    const deadline = Date.now() + ms;
    for (let i = 0; Date.now() < deadline; i++) {
      answers.push(await score(url, body(i)));
      if (i % 5 === 4) {
        const deployment = await getDeployment(world.server, NAME);
        if (deployment.rollout && ENDED.includes(deployment.rollout.state)) return { answers, deployment };
      }
    }
    throw new Error(`the rollout did not end within ${ms} ms over ${answers.length} requests: ${JSON.stringify((await getDeployment(world.server, NAME)).rollout)}`);
  }

  it("answers on its stable URL with scikit-learn's own predictions, X-Orrery-Version and a fresh X-Request-Id", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invocations$/);
    const { expected } = world.models;
    const first = await score(url, irisBody(world.models));
    expect(first.status, first.body).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ predictions: expected.v1 });
    expect(first.version).toBe(String(versions.v1));
    expect(first.requestId).toMatch(/\S{8,}/);
    // Each row alone, too: the same labels one by one, each request with its own id.
    const ids = new Set<string>([first.requestId!]);
    for (let i = 0; i < expected.rows.length; i++) {
      const answer = await score(url, rowBody(i));
      expect(JSON.parse(answer.body)).toEqual({ predictions: [expected.v1[i]] });
      ids.add(answer.requestId!);
    }
    expect(ids.size).toBe(expected.rows.length + 1);
  });

  it('a canary with no traffic waits for it and neither advances nor promotes; X-Orrery-Version pins a version', async () => {
    const { server, models } = world;
    const started = Date.now();
    await server.call('serving.startRollout', {
      name: NAME,
      version: versions.v2,
      strategy: 'canary',
      settings: { steps: [10, 50, 100], minRequests: 5, intervalMs: 300 },
      actor: 'tester',
    });
    await rolloutReaches(server, NAME, ['waiting-for-traffic', ...ENDED]);
    // Many intervals pass with no request at all.
    await sleep(3000);
    const waiting = await getDeployment(server, NAME);
    expect(waiting.rollout).toMatchObject({ strategy: 'canary', state: 'waiting-for-traffic', step: 0, candidateWeight: 10 });
    expect(waiting.rollout!.note).toMatch(/waiting for traffic.*0 of 5 candidate requests/);
    expect(traffic(waiting)).toEqual([
      [versions.v1, 'stable', 90],
      [versions.v2, 'candidate', 10],
    ]);
    const decided = (await events(server, NAME)).filter((e) => e.at >= started && ['advance', 'promote', 'rollback'].includes(e.kind));
    expect(decided).toEqual([]);

    // A caller may test the candidate (or stable) on purpose.
    const pinned2 = await score(url, irisBody(models), { 'X-Orrery-Version': String(versions.v2) });
    expect(pinned2.status, pinned2.body).toBe(200);
    expect(pinned2.version).toBe(String(versions.v2));
    expect(JSON.parse(pinned2.body)).toEqual({ predictions: models.expected.v2 });
    expect(models.expected.v2).not.toEqual(models.expected.v1);
    const pinned1 = await score(url, irisBody(models), { 'X-Orrery-Version': String(versions.v1) });
    expect(pinned1.version).toBe(String(versions.v1));
    expect(JSON.parse(pinned1.body)).toEqual({ predictions: models.expected.v1 });
    const unknown = await score(url, irisBody(models), { 'X-Orrery-Version': '99' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/99/);

    const aborted = await server.call<Deployment>('serving.abortRollout', { name: NAME, actor: 'tester' });
    expect(aborted.rollout?.state).toBe('aborted');
    expect(traffic(aborted)).toEqual([[versions.v1, 'stable', 100]]);
    await until('the aborted candidate container to go', async () => (await containersOf(versions.v2)).length === 0, 20_000);
  }, 150_000);

  it('a canary to a model that raises on some inputs is rolled back by the analysis; stable keeps all traffic', async () => {
    const { server, models } = world;
    const started = Date.now();
    await server.call('serving.startRollout', {
      name: NAME,
      version: versions.flaky,
      strategy: 'canary',
      // A long interval: only the numbers can end this step, never the clock; and only its errors
      // (the p95 factor is out of reach, so a busy machine's latency noise cannot decide instead).
      settings: { steps: [50, 100], minRequests: 10, intervalMs: 60_000, maxErrorRate: 0.05, maxP95Factor: 100, failureLimit: 2 },
      actor: 'tester',
    });
    await rolloutReaches(server, NAME, ['waiting-for-traffic', ...ENDED]);
    // One request in five has a row the candidate's predict raises on (stable answers it).
    const bad = [5.1, -1, 1.4, 0.2];
    const { answers, deployment } = await trafficUntilEnded((i) => (i % 5 === 0 ? irisBody(models, [bad]) : rowBody(i)));
    expect(deployment.rollout).toMatchObject({ state: 'rolled-back', toVersion: versions.flaky, candidateWeight: 0 });
    const rollback = await decisionOf('rollback', started);
    expect(rollback, 'a rollback event').toBeDefined();
    expect(rollback!.message).toMatch(/error rate/i);
    expect(rollback!.numbers.errorRate).toBeGreaterThan(0.05);
    expect(rollback!.numbers.candidateRequests).toBeGreaterThanOrEqual(10);
    expect(rollback!.numbers.candidateErrors).toBeGreaterThanOrEqual(1);
    expect(rollback!.numbers.maxErrorRate).toBe(0.05);
    // The candidate answered some requests (with its model's error), stable all the others.
    const byFlaky = answers.filter((a) => a.version === String(versions.flaky));
    expect(byFlaky.some((a) => a.status === 400 && /sepal_width must not be negative/.test(a.body))).toBe(true);
    expect(answers.filter((a) => a.version === String(versions.v1)).every((a) => a.status === 200)).toBe(true);

    expect(traffic(await getDeployment(server, NAME))).toEqual([[versions.v1, 'stable', 100]]);
    await until('the rolled-back candidate container to go', async () => (await containersOf(versions.flaky)).length === 0, 20_000);
    for (let i = 0; i < 10; i++) expect((await score(url, irisBody(models, [bad]))).version).toBe(String(versions.v1));
  }, 150_000);

  it('a slow candidate is rolled back on its p95', async () => {
    const { server } = world;
    const started = Date.now();
    await server.call('serving.startRollout', {
      name: NAME,
      version: versions.slow,
      strategy: 'canary',
      settings: { steps: [50, 100], minRequests: 10, intervalMs: 60_000, maxP95Ms: 80, failureLimit: 2 },
      actor: 'tester',
    });
    await rolloutReaches(server, NAME, ['waiting-for-traffic', ...ENDED]);
    const { answers, deployment } = await trafficUntilEnded(rowBody);
    expect(deployment.rollout).toMatchObject({ state: 'rolled-back', toVersion: versions.slow });
    const rollback = await decisionOf('rollback', started);
    expect(rollback, 'a rollback event').toBeDefined();
    expect(rollback!.message).toMatch(/p95/);
    expect(rollback!.numbers.candidateP95Ms).toBeGreaterThan(80);
    expect(rollback!.numbers.maxP95Ms).toBe(80);
    // Slow, not failing: every answer was a prediction.
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.version === String(versions.slow)).every((a) => a.ms >= 140)).toBe(true);
    expect(traffic(await getDeployment(server, NAME))).toEqual([[versions.v1, 'stable', 100]]);
    await until('the slow candidate container to go', async () => (await containersOf(versions.slow)).length === 0, 20_000);
  }, 150_000);

  it("a shadow records its agreement with stable while callers only ever get stable's answers", async () => {
    const { server, models } = world;
    const { expected } = models;
    const started = Date.now();
    const rows = expected.rows.length;
    await server.call('serving.startRollout', {
      name: NAME,
      version: versions.v2,
      strategy: 'shadow',
      settings: { shadowShare: 100, minRequests: rows, intervalMs: 0 },
      actor: 'tester',
    });
    await rolloutReaches(server, NAME, ['waiting-for-traffic', ...ENDED]);
    for (let i = 0; i < rows; i++) {
      const answer = await score(url, rowBody(i));
      expect(answer.status, answer.body).toBe(200);
      expect(answer.version).toBe(String(versions.v1));
      expect(JSON.parse(answer.body)).toEqual({ predictions: [expected.v1[i]] });
    }
    const equalShare = expected.v1.filter((label, i) => label === expected.v2[i]).length / rows;
    expect(equalShare).toBeGreaterThan(0);
    expect(equalShare).toBeLessThan(1);
    const analysed = await until(
      'the shadow to compare every request',
      async () => {
        const deployment = await getDeployment(server, NAME);
        return (deployment.rollout?.analysis?.agreement?.compared ?? 0) >= rows ? deployment : undefined;
      },
      20_000,
    ).catch(async (error: Error) => {
      const deployment = await getDeployment(server, NAME);
      throw new Error(`${error.message}; the rollout: ${JSON.stringify(deployment.rollout)}; events: ${JSON.stringify((await events(server, NAME)).slice(0, 5))}`);
    });
    expect(analysed.rollout).toMatchObject({ strategy: 'shadow', state: 'analysing' });
    expect(analysed.rollout!.analysis!.agreement).toMatchObject({ compared: rows });
    expect(analysed.rollout!.analysis!.agreement!.equalShare).toBeCloseTo(equalShare, 9);
    const hold = await decisionOf('hold', started);
    expect(hold?.numbers).toMatchObject({ compared: rows });
    expect(hold!.numbers.equalShare).toBeCloseTo(equalShare, 9);
    // The shadow never took a share of the traffic.
    expect(traffic(analysed)).toEqual([
      [versions.v1, 'stable', 100],
      [versions.v2, 'shadow', 0],
    ]);

    const rolledBack = await server.call<Deployment>('serving.rollbackRollout', { name: NAME, actor: 'tester' });
    expect(rolledBack.rollout?.state).toBe('rolled-back');
    await until('the shadow container to go', async () => (await containersOf(versions.v2)).length === 0, 20_000);
  }, 150_000);
});
