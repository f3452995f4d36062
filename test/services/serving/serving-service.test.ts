import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelVersionDetail } from '../../../shared/contract/registry';
import { conflict, invalid, notFound, OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import type { ModelVersionReader, ReplicaAllocation, ReplicaResources } from '../../../electron/services/serving/ports';
import { createServing, type ServingArea } from '../../../electron/services/serving/serving-area';
import type { ServingService } from '../../../electron/services/serving/serving-service';
import type { RequestObservation } from '../../../electron/services/serving/serving-routes';
import { openDatabase } from '../../../electron/services/store/database';
import { ResourceManager } from '../../../electron/services/training/resource-manager';
import { FakeReplicaRuntime } from '../../fakes/replica-runtime';
import { tempDir } from '../../helpers/temp-dir';

const SKLEARN_MLMODEL = 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: pickle\n';

/** Registry versions in memory, each a real folder with the MLmodel text a test chooses. */
class Versions implements ModelVersionReader {
  readonly rows = new Map<string, ModelVersionDetail>();
  readonly aliases = new Map<string, number>();
  readonly aliasMoves: Array<{ alias: string; version: number }> = [];

  add(name: string, version: number, mlmodel: string | null = SKLEARN_MLMODEL, approved = false): void {
    const folder = tempDir('orrery-model-');
    if (mlmodel !== null) fs.writeFileSync(path.join(folder, 'MLmodel'), mlmodel);
    fs.writeFileSync(path.join(folder, 'model.pkl'), 'x');
    this.rows.set(`${name}/${version}`, {
      name,
      version,
      storagePath: folder,
      approvals: approved ? [{ status: 'approved' }] : [],
    } as unknown as ModelVersionDetail);
  }

  getVersion(name: string, ref: number | { alias: string }): ModelVersionDetail {
    const version = typeof ref === 'number' ? ref : this.aliases.get(`${name}@${ref.alias}`);
    if (version === undefined) throw notFound(`Model '${name}' has no alias '${(ref as { alias: string }).alias}'`);
    const row = this.rows.get(`${name}/${version}`);
    if (!row) throw notFound(`Model '${name}' has no version ${version}`);
    return row;
  }

  setAlias(input: { name: string; alias: string; version: number }): void {
    this.aliases.set(`${input.name}@${input.alias}`, input.version);
    this.aliasMoves.push({ alias: input.alias, version: input.version });
  }
}

/** The shared ledger as training keeps it: here 2 CPUs and 4 GiB, no GPU. */
class Ledger implements ReplicaResources {
  readonly manager = new ResourceManager({ cpus: 2, memoryBytes: 4 * 1024 ** 3, gpus: [] });
  reserve(holderId: string, _label: string, resources: { gpus: number; cpus: number; memoryGb: number }): ReplicaAllocation {
    const fit = this.manager.check(resources);
    if (!fit.ok) throw invalid(fit.reason);
    const allocation = this.manager.tryAllocate(holderId, resources);
    if (allocation === null) throw conflict('Not enough free resources');
    return allocation;
  }
  release(holderId: string): void {
    this.manager.release(holderId);
  }
  restore(holderId: string, _label: string, allocation: ReplicaAllocation): void {
    this.manager.restore({ ...allocation, jobId: holderId });
  }
}

interface Harness {
  area: ServingArea;
  service: ServingService;
  runtime: FakeReplicaRuntime;
  models: Versions;
  ledger: Ledger;
  bus: EventBus;
  dataDir: string;
}

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const item of open.splice(0).reverse()) item.close();
});

async function harness(reuse?: Pick<Harness, 'runtime' | 'models' | 'ledger' | 'dataDir'>): Promise<Harness> {
  const dataDir = reuse?.dataDir ?? tempDir();
  const { db } = openDatabase({ dataDir });
  const runtime = reuse?.runtime ?? new FakeReplicaRuntime();
  const models = reuse?.models ?? new Versions();
  const ledger = reuse?.ledger ?? new Ledger();
  const bus = new EventBus();
  const area = createServing({ db, bus, dataDir, models, resources: Promise.resolve(ledger), dockerReady: async () => true, runtime, enabled: true, replicaReadyTimeoutMs: 300 });
  open.push({ close: () => db.close() }, area);
  return { area, service: await area.service, runtime, models, ledger, bus, dataDir };
}

async function refusal(work: Promise<unknown>): Promise<OrreryError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrreryError);
  return error as OrreryError;
}

describe('creating a deployment', () => {
  it('serves the version on one stable port with its replicas ready, and takes their resources', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const deployment = await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, actor: 'ann' });
    expect(deployment.url).toBe(`http://127.0.0.1:${deployment.port}/invocations`);
    expect(deployment.status).toBe('running');
    expect(deployment.unapproved).toBe(true);
    expect(deployment.versions).toHaveLength(1);
    expect(deployment.versions[0]!.replicas.map((r) => r.state)).toEqual(['ready', 'ready']);
    expect(h.runtime.running('iris')).toHaveLength(2);
    expect(h.ledger.manager.usage().cpus.used).toBe(1); // 0.5 CPU each by default
    const routes = h.service.routes().find((r) => r.name === 'iris')!;
    expect(routes.port).toBe(deployment.port);
    expect(routes.versions[0]!.replicas).toHaveLength(2);
    expect(h.service.events('iris', 10)[0]!.kind).toBe('created');
  });

  it('resolves @alias once and records how it was asked', async () => {
    const h = await harness();
    h.models.add('iris', 3, SKLEARN_MLMODEL, true);
    h.models.aliases.set('iris@champion', 3);
    const deployment = await h.service.create({ name: 'champ', model: 'iris', version: '@champion', replicas: 1, actor: 'ann' });
    expect(deployment.versions[0]).toMatchObject({ version: 3, requestedAs: '@champion', approved: true });
    expect(deployment.unapproved).toBe(false);
  });

  it('refuses unknown models, versions and aliases, naming them, and leaves nothing behind', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    expect((await refusal(h.service.create({ name: 'a', model: 'nope', version: 1, replicas: 1, actor: 'x' }))).code).toBe('NOT_FOUND');
    expect((await refusal(h.service.create({ name: 'a', model: 'iris', version: 9, replicas: 1, actor: 'x' }))).message).toContain('version 9');
    expect((await refusal(h.service.create({ name: 'a', model: 'iris', version: '@gone', replicas: 1, actor: 'x' }))).message).toContain("alias 'gone'");
    expect(h.service.list()).toEqual([]);
    expect(h.runtime.started).toBe(0);
  });

  it('refuses a folder without MLmodel and a flavor it cannot serve, naming the flavors', async () => {
    const h = await harness();
    h.models.add('bare', 1, null);
    h.models.add('onnx', 1, 'flavors:\n  onnx:\n    data: model.onnx\n');
    const bare = await refusal(h.service.create({ name: 'a', model: 'bare', version: 1, replicas: 1, actor: 'x' }));
    expect(bare.code).toBe('INVALID_INPUT');
    expect(bare.message).toMatch(/^version: .*MLmodel/);
    const onnx = await refusal(h.service.create({ name: 'b', model: 'onnx', version: 1, replicas: 1, actor: 'x' }));
    expect(onnx.message).toContain('onnx');
    expect(onnx.message).toContain('sklearn');
    expect(h.service.list()).toEqual([]);
  });

  it('refuses an unapproved version when the deployment requires approval', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const error = await refusal(h.service.create({ name: 'a', model: 'iris', version: 1, replicas: 1, requireApproval: true, actor: 'x' }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('not approved');
  });

  it('refuses a port another program listens on, and a port another deployment keeps', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => blocker.close() });
    const busyPort = (blocker.address() as net.AddressInfo).port;
    const inUse = await refusal(h.service.create({ name: 'a', model: 'iris', version: 1, replicas: 1, port: busyPort, actor: 'x' }));
    expect(inUse.message).toContain(`port: 127.0.0.1:${busyPort} is in use`);
    const first = await h.service.create({ name: 'b', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    const taken = await refusal(h.service.create({ name: 'c', model: 'iris', version: 1, replicas: 1, port: first.port, actor: 'x' }));
    expect(taken.message).toContain("deployment 'b'");
    expect(h.service.list().map((d) => d.name)).toEqual(['b']);
  });

  it('fails when a replica never becomes ready, with its last log lines, and leaves no container and no reservation', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.runtime.behaviour = { kind: 'crash', lines: ['loading model', 'ModuleNotFoundError: No module named lightgbm'] };
    const error = await refusal(h.service.create({ name: 'a', model: 'iris', version: 1, replicas: 2, actor: 'x' }));
    expect(error.message).toContain('No module named lightgbm');
    expect(h.runtime.containers.size).toBe(0);
    expect(h.ledger.manager.usage().cpus.used).toBe(0);
    expect(h.service.list()).toEqual([]);
  });

  it('lets one of two simultaneous creates of a name through; the other is refused and removes nothing of the first', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const [a, b] = await Promise.allSettled([
      h.service.create({ name: 'twin', model: 'iris', version: 1, replicas: 1, actor: 'x' }),
      h.service.create({ name: 'twin', model: 'iris', version: 1, replicas: 1, actor: 'x' }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = (a.status === 'rejected' ? a : (b as PromiseRejectedResult)).reason as OrreryError;
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain("'twin' already exists");
    expect(h.service.list().map((d) => d.name)).toEqual(['twin']);
    expect(h.runtime.running('twin')).toHaveLength(1);
    expect(h.ledger.manager.usage().cpus.used).toBe(0.5);
  });

  it('a group that does not fit is refused for what the whole group needs, not by the replicas it had just taken', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const error = await refusal(h.service.create({ name: 'big', model: 'iris', version: 1, replicas: 5, actor: 'x' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('2.5 CPUs asked');
    expect(h.ledger.manager.usage().cpus.used).toBe(0);
    expect(h.runtime.started).toBe(0);
  });

  it('fails at once when the machine has no room, and gives back what it had taken', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.ledger.manager.tryAllocate('job-1', { gpus: 0, cpus: 1.5 });
    const error = await refusal(h.service.create({ name: 'a', model: 'iris', version: 1, replicas: 2, actor: 'x' }));
    expect(error.code).toBe('CONFLICT');
    expect(h.ledger.manager.usage().cpus.used).toBe(1.5);
    expect(h.runtime.started).toBe(0);
  });
});

describe('a running deployment', () => {
  it('scales up and down, stops (routes say not serving, resources free) and starts again on the same port', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    const created = await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.scale('iris', 3, 'x');
    expect(h.runtime.running('iris')).toHaveLength(3);
    await h.service.scale('iris', 1, 'x');
    expect(h.runtime.running('iris')).toHaveLength(1);
    const stopped = await h.service.stop('iris', 'x');
    expect(stopped.status).toBe('stopped');
    expect(h.service.routes().find((r) => r.name === 'iris')!.serving).toBe(false);
    expect(h.runtime.running('iris')).toHaveLength(0);
    expect(h.ledger.manager.usage().cpus.used).toBe(0);
    const started = await h.service.start('iris', 'x');
    expect(started.port).toBe(created.port);
    expect(started.status).toBe('running');
  });

  it('switches the request log off and requires a token without restarting anything', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    expect(h.service.routes()[0]).toMatchObject({ logRequests: true, token: null });
    const updated = h.service.update('iris', { logRequests: false, requireToken: true }, 'ann');
    expect(updated.settings).toMatchObject({ logRequests: false, requireToken: true });
    const { token } = h.service.token('iris');
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(h.service.routes()[0]).toMatchObject({ logRequests: false, token });
    expect(h.runtime.started).toBe(1);
    expect(h.service.events('iris', 1)[0]!.message).toContain('logRequests false');
  });

  it('replaces a replica that dies, and routes only to ready replicas meanwhile', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, actor: 'x' });
    const [victim] = h.runtime.running('iris');
    h.runtime.kill(victim!.containerId);
    await waitUntil(() => h.service.routes()[0]!.versions[0]!.replicas.length === 1);
    await waitUntil(() => h.runtime.running('iris').length === 2 && h.service.routes()[0]!.versions[0]!.replicas.length === 2, 5000);
    const replicas = h.service.get('iris').versions[0]!.replicas;
    expect(replicas.map((r) => r.restarts).sort()).toEqual([0, 1]);
  });

  it('refuses a second rollout while one runs, and deleting mid-rollout leaves no container', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    h.models.add('iris', 3);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'canary', settings: {}, actor: 'x' });
    const second = await refusal(h.service.startRollout({ name: 'iris', version: 3, strategy: 'canary', settings: {}, actor: 'x' }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toContain('canary rollout to version 2');
    await waitUntil(() => h.service.get('iris').rollout?.state === 'waiting-for-traffic');
    await h.service.delete('iris');
    expect(h.runtime.containers.size).toBe(0);
    expect(h.ledger.manager.usage().cpus.used).toBe(0);
    expect((await refusal(Promise.resolve().then(() => h.service.get('iris')))).code).toBe('NOT_FOUND');
  });

  it('a pause while the candidate starts holds it: it stays paused once ready, and resume starts the canary', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    h.runtime.behaviour = { kind: 'silent' }; // the candidate loads slowly
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'canary', settings: {}, actor: 'x' });
    await h.service.manual('iris', 'pause', 'ann');
    for (const c of h.runtime.running('iris')) c.ready = true; // now it has loaded
    await waitUntil(() => h.service.get('iris').rollout?.note?.includes('ready; resume') === true);
    expect(h.service.get('iris').rollout?.state).toBe('paused');
    expect(h.service.routes()[0]!.versions.find((v) => v.version === 2)?.weight ?? 0).toBe(0);
    const resumed = await h.service.manual('iris', 'resume', 'ann');
    expect(resumed.rollout?.state).toBe('waiting-for-traffic');
    expect(h.service.routes()[0]!.versions.find((v) => v.version === 2)?.weight).toBe(10);
  });

  it('rolls a canary back by hand: stable keeps all traffic and the candidate stops', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'canary', settings: { steps: [30, 100] }, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'waiting-for-traffic');
    expect(h.service.routes()[0]!.versions.map((v) => [v.version, v.weight])).toEqual([
      [1, 70],
      [2, 30],
    ]);
    const after = await h.service.manual('iris', 'rollback', 'ann');
    expect(after.rollout?.state).toBe('rolled-back');
    expect(after.versions.map((v) => [v.version, v.weight])).toEqual([[1, 100]]);
    expect(h.runtime.running('iris').map((c) => c.spec.version)).toEqual([1]);
    expect(h.service.events('iris', 1)[0]!.message).toContain('by ann');
  });

  it('promotes by hand: the candidate serves with as many replicas as stable had, and the promote alias moves', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, promoteAlias: 'champion', actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'canary', settings: {}, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'waiting-for-traffic');
    await h.service.manual('iris', 'promote', 'ann');
    await waitUntil(() => h.runtime.running('iris').length === 2 && h.runtime.running('iris').every((c) => c.spec.version === 2));
    expect(h.service.get('iris').versions.map((v) => [v.version, v.role, v.weight])).toEqual([[2, 'stable', 100]]);
    expect(h.models.aliasMoves).toEqual([{ alias: 'champion', version: 2 }]);
  });

  it('aborts a rollout whose candidate never becomes ready, with its log lines, and leaves stable alone', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    h.runtime.behaviour = { kind: 'crash', lines: ['Traceback', 'ValueError: bad pickle'] };
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: {}, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'aborted');
    const deployment = h.service.get('iris');
    expect(deployment.rollout!.lastDecision!.message).toContain('ValueError: bad pickle');
    expect(deployment.versions.map((v) => [v.version, v.weight])).toEqual([[1, 100]]);
    expect(h.runtime.running('iris').map((c) => c.spec.version)).toEqual([1]);
    expect(h.ledger.manager.usage().cpus.used).toBe(0.5);
  });
});

describe('rollouts with replicas', () => {
  it('fails a rollout at once when the machine cannot hold its candidate, and records no rollout', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, cpus: 0.9, actor: 'x' });
    const error = await refusal(h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: {}, actor: 'x' }));
    expect(error.code).toBe('CONFLICT');
    expect(h.service.get('iris').rollout).toBeNull();
    expect(h.service.get('iris').versions.map((v) => v.version)).toEqual([1]);
    expect(h.ledger.manager.usage().cpus.used).toBeCloseTo(1.8);
  });

  it('rolls 3 replicas one at a time, never more than one over the count, and ends promoted', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 3, cpus: 0.25, actor: 'x' });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, h.runtime.running('iris').length)), 1);
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'rolling', settings: {}, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'promoted');
    clearInterval(watch);
    expect(most).toBeLessThanOrEqual(4);
    expect(h.runtime.running('iris').map((c) => c.spec.version)).toEqual([2, 2, 2]);
    expect(h.service.events('iris', 20).filter((e) => e.kind === 'replace')).toHaveLength(3);
  });

  it('switches blue-green at once, keeps the old version warm, and stops it when the time is up', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: { keepWarmMs: 1500 }, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'switching');
    const switched = h.service.routes()[0]!;
    expect(switched.versions.map((v) => [v.version, v.weight])).toEqual([
      [1, 0],
      [2, 100],
    ]);
    expect(h.runtime.running('iris')).toHaveLength(2); // the old one is still warm
    for (let i = 0; i < 50; i++) h.service.observe(observation(2, 200));
    await waitUntil(() => h.service.get('iris').rollout?.state === 'promoted', 5000);
    expect(h.runtime.running('iris').map((c) => c.spec.version)).toEqual([2]);
  });

  it("rolls blue-green back to the warm version when the new one's answers fail, on evidence only", async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: { keepWarmMs: 200, minRequests: 20 }, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'switching');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the warm time is up, but nothing was seen yet
    expect(h.service.get('iris').rollout).toMatchObject({ state: 'switching' });
    expect(h.service.get('iris').rollout!.note).toContain('waiting for traffic: 0 of 20');
    expect(h.runtime.running('iris')).toHaveLength(2); // version 1 stays warm
    const started = h.runtime.started;
    for (let i = 0; i < 30; i++) h.service.observe(observation(2, i % 5 === 0 ? 500 : 200));
    await waitUntil(() => h.service.get('iris').rollout?.state === 'rolled-back');
    expect(h.service.get('iris').rollout!.lastDecision!.message).toContain('rolled back to the warm version 1');
    expect(h.service.routes()[0]!.versions.map((v) => [v.version, v.weight])).toEqual([[1, 100]]);
    expect(h.runtime.started).toBe(started);
  });

  it('stops the warm version once the new one has answered well enough for the warm time', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: { keepWarmMs: 300, minRequests: 20 }, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'switching');
    for (let i = 0; i < 25; i++) h.service.observe(observation(2, 200));
    await waitUntil(() => h.service.get('iris').rollout?.state === 'promoted', 4000);
    expect(h.runtime.running('iris').map((c) => c.spec.version)).toEqual([2]);
  });

  it('rolls a blue-green switch back instantly while the old version is warm', async () => {
    const h = await harness();
    h.models.add('iris', 1);
    h.models.add('iris', 2);
    await h.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    await h.service.startRollout({ name: 'iris', version: 2, strategy: 'blue-green', settings: { keepWarmMs: 60_000 }, actor: 'x' });
    await waitUntil(() => h.service.get('iris').rollout?.state === 'switching');
    const startedBefore = h.runtime.started;
    await h.service.manual('iris', 'rollback', 'ann');
    expect(h.service.routes()[0]!.versions.map((v) => [v.version, v.weight])).toEqual([[1, 100]]);
    expect(h.runtime.started).toBe(startedBefore); // nothing had to start: version 1 was still warm
  });
});

describe('after a restart', () => {
  it('takes running replicas back instead of starting new ones, with their resources, on the same port', async () => {
    const first = await harness();
    first.models.add('iris', 1);
    const created = await first.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, actor: 'x' });
    first.area.close();
    const ledger = new Ledger();
    const second = await harness({ runtime: first.runtime, models: first.models, ledger, dataDir: first.dataDir });
    expect(first.runtime.started).toBe(2);
    await waitUntil(() => second.service.get('iris').status === 'running');
    expect(second.service.get('iris').port).toBe(created.port);
    expect(ledger.manager.usage().cpus.used).toBe(1);
  });

  it('says in the timeline that Orrery started again and took its replicas back', async () => {
    const first = await harness();
    first.models.add('iris', 1);
    await first.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 2, actor: 'x' });
    first.area.close();
    const second = await harness({ runtime: first.runtime, models: first.models, ledger: new Ledger(), dataDir: first.dataDir });
    expect(second.service.events('iris', 1)[0]).toMatchObject({ kind: 'reopened', message: 'Orrery started again and took back 2 running replicas' });
  });

  it('removes replica containers whose deployment no longer exists', async () => {
    const first = await harness();
    first.models.add('iris', 1);
    await first.service.create({ name: 'iris', model: 'iris', version: 1, replicas: 1, actor: 'x' });
    first.area.close();
    const { db } = openDatabase({ dataDir: first.dataDir });
    db.prepare('DELETE FROM deployments').run();
    db.close();
    const second = await harness({ runtime: first.runtime, models: first.models, ledger: new Ledger(), dataDir: first.dataDir });
    expect(second.service.list()).toEqual([]);
    expect(first.runtime.containers.size).toBe(0);
  });
});

/** A request answered a second from now: the second a step began in is not counted for it (LiveMetrics.stats). */
function observation(version: number, status: number): RequestObservation {
  return { deployment: 'iris', version, replicaId: 'r', requestId: 'q', at: Date.now() + 1000, status, latencyMs: 5, modelError: false, upstreamFailure: false };
}

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
