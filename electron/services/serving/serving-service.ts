import { randomBytes } from 'node:crypto';
import type {
  Deployment,
  DeploymentEventView,
  DeploymentLogLine,
  DeploymentSettings,
  DeploymentSummary,
  InvokeResult,
  MetricsPoint,
  ReplicaView,
  RequestLogEntry,
  RolloutSettings,
  RolloutStrategy,
} from '../../../shared/contract/serving';
import { conflict, invalid, notFound, OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { DeploymentRepository, DeploymentRow, DeploymentVersionRow, EventRow } from './deployment-repository';
import { deploymentView, eventView, summaryView } from './deployment-views';
import { invokeThroughGateway } from './gateway-call';
import { servableFlavor } from './model-flavors';
import { assertPortFree, pickFreePort } from './port-picker';
import type { ModelVersionReader } from './ports';
import type { ReplicaProvisioner } from './replica-provisioner';
import type { ReplicaRuntime } from './replica-runtime';
import type { ReplicaSet } from './replica-set';
import type { RolloutDriver } from './rollout-driver';
import { routesOf } from './route-builder';
import type { DeploymentRoutes, RequestObservation, RouteSource, ShadowObservation } from './serving-routes';
import type { LoggedCount, LoggedRequest, ServingTelemetry } from './serving-telemetry';
import { chooseVersion, isApproved, type ChosenVersion } from './version-choice';

export const DEFAULT_SERVE_IMAGE = 'orrery/serve:local';

/** What the service asks of the gateway (electron/server/gateway/GatewayHost). */
export interface GatewayControl {
  /** Resolves once the deployment's port listens; rejects naming the port when it cannot. */
  ensureListening(name: string): Promise<void>;
  /** Why the deployment's port is not listening (taken by another program), or null. */
  listenError(name: string): Error | null;
}

export interface CreateDeploymentInput {
  name: string;
  model: string;
  version: number | string;
  replicas: number;
  port?: number | undefined;
  cpus?: number | undefined;
  memoryGb?: number | undefined;
  gpus?: number | undefined;
  image?: string | undefined;
  timeoutSeconds?: number | undefined;
  maxBodyMb?: number | undefined;
  requireApproval?: boolean | undefined;
  requireToken?: boolean | undefined;
  logRequests?: boolean | undefined;
  promoteAlias?: string | null | undefined;
  actor: string;
}

export interface ServingServiceDeps {
  repository: DeploymentRepository;
  models: ModelVersionReader;
  replicas: ReplicaSet;
  provisioner: ReplicaProvisioner;
  /** null: no local Docker engine answers, so nothing can be served (methods that start replicas refuse). */
  runtime: ReplicaRuntime | null;
  telemetry: ServingTelemetry;
  rollouts: RolloutDriver;
  bus: EventBus;
  now?: () => number;
}

/**
 * Deployments of model versions: each one stable loopback port with a gateway in front, versions
 * with weights, replicas as containers. A facade: replicas live in ReplicaSet (through the
 * provisioner, which holds their resources), rollouts in RolloutDriver, numbers in telemetry.
 * It is also the gateway's RouteSource.
 */
export class ServingService implements RouteSource {
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private cachedRoutes: DeploymentRoutes[] | null = null;
  /** Deployments being created, deleted, started or stopped: one such change at a time each. */
  private readonly busy = new Set<string>();
  private gateway: GatewayControl | null = null;

  constructor(private readonly deps: ServingServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---- reading ----

  list(): DeploymentSummary[] {
    return this.deps.repository.list().map((row) => this.summary(row));
  }

  get(name: string): Deployment {
    const row = this.row(name);
    const versions = this.deps.repository.versions(name);
    const rollout = this.deps.repository.activeRollout(name) ?? this.deps.repository.latestRollout(name);
    const lastDecision = rollout ? this.deps.repository.lastDecision(name, rollout.startedAt) : null;
    return deploymentView({
      row,
      versions,
      replicas: this.deps.replicas.of(name),
      approved: (version) => this.isApproved(row.modelName, version),
      rollout,
      lastDecision,
      status: this.status(row, versions),
      listenError: row.desired === 'running' ? (this.gateway?.listenError(name)?.message ?? null) : null,
    });
  }

  listForVersion(model: string, version: number): DeploymentSummary[] {
    const names = new Set(this.deps.repository.allVersions().filter((v) => v.version === version).map((v) => v.deployment));
    return this.deps.repository
      .list()
      .filter((row) => row.modelName === model && names.has(row.name))
      .map((row) => this.summary(row));
  }

  events(name: string, limit: number): DeploymentEventView[] {
    this.row(name);
    return this.deps.repository.events(name, limit).map(eventView);
  }

  metrics(name: string, sinceMs?: number): MetricsPoint[] {
    this.row(name);
    return this.deps.telemetry.series(name, sinceMs ?? this.now() - 15 * 60_000);
  }

  requests(name: string, limit: number): RequestLogEntry[] {
    this.row(name);
    return this.deps.telemetry.requests(name, limit);
  }

  logs(name: string, tail: number): DeploymentLogLine[] {
    this.row(name);
    const lines = this.deps.replicas.logs(name).flatMap(({ spec, lines: kept }) => kept.map((l) => ({ deployment: name, replicaId: spec.replicaId, version: spec.version, ...l })));
    return lines.sort((a, b) => a.at - b.at).slice(-tail);
  }

  // ---- what monitoring reads ----

  has(name: string): boolean {
    return this.deps.repository.get(name) !== null;
  }

  /** The model and the version that serves most of the traffic now (the stable one). */
  servedVersion(name: string): { model: string; version: number } | null {
    const row = this.deps.repository.get(name);
    if (!row) return null;
    const versions = this.deps.repository.versions(name);
    const stable = versions.find((v) => v.role === 'stable') ?? [...versions].sort((a, b) => b.weight - a.weight)[0];
    return stable ? { model: row.modelName, version: stable.version } : null;
  }

  loggedAfter(name: string, afterId: number, limit: number): LoggedRequest[] {
    return this.deps.telemetry.loggedAfter(name, afterId, limit);
  }

  loggedCountAfter(name: string, afterId: number): LoggedCount {
    return this.deps.telemetry.loggedCountAfter(name, afterId);
  }

  loggedByRequestId(name: string, requestIds: readonly string[]): LoggedRequest[] {
    return this.deps.telemetry.loggedByRequestId(name, requestIds);
  }

  /** Requests, error rate and the worst version's p95 over the last `spanMs` (alert rules read these). */
  health(name: string, spanMs: number): { requests: number; errorRate: number | null; p95Ms: number | null } {
    const since = this.now() - spanMs;
    const stats = this.deps.repository.versions(name).map((v) => this.deps.telemetry.stats(name, v.version, since));
    const requests = stats.reduce((sum, s) => sum + s.requests, 0);
    const errors = stats.reduce((sum, s) => sum + s.errors, 0);
    const p95s = stats.map((s) => s.p95Ms).filter((p): p is number => p !== null);
    return { requests, errorRate: requests ? errors / requests : null, p95Ms: p95s.length ? Math.max(...p95s) : null };
  }

  token(name: string): { token: string | null } {
    return { token: this.row(name).token };
  }

  // ---- changing ----

  async create(input: CreateDeploymentInput): Promise<Deployment> {
    const runtime = this.requireRuntime();
    if (this.deps.repository.get(input.name) || this.busy.has(input.name)) throw conflict(`name: a deployment named '${input.name}' already exists`);
    // The name is taken before the first await, so two creates of one name cannot both go on.
    this.busy.add(input.name);
    let inserted = false;
    try {
      return await this.createTaken(input, runtime, () => (inserted = true));
    } catch (error) {
      if (inserted) {
        // Nothing half-created: this call's rows go; the provisioner has already removed its replicas and reservations.
        this.deps.repository.delete(input.name);
        this.routesChanged(input.name, null);
      }
      throw error;
    } finally {
      this.busy.delete(input.name);
    }
  }

  private async createTaken(input: CreateDeploymentInput, runtime: ReplicaRuntime, markInserted: () => void): Promise<Deployment> {
    const chosen = chooseVersion(this.deps.models, input.model, input.version);
    const settings: DeploymentSettings = {
      replicas: input.replicas,
      cpus: input.cpus ?? 0.5,
      memoryGb: input.memoryGb ?? 0.5,
      gpus: input.gpus ?? 0,
      image: input.image ?? DEFAULT_SERVE_IMAGE,
      timeoutSeconds: input.timeoutSeconds ?? 60,
      maxBodyMb: input.maxBodyMb ?? 100,
      requireApproval: input.requireApproval ?? false,
      requireToken: input.requireToken ?? false,
      logRequests: input.logRequests ?? true,
      promoteAlias: input.promoteAlias ?? null,
    };
    this.checkServable(chosen, settings, 'version');
    await runtime.checkImage(settings.image);
    const port = await this.choosePort(input.port);

    const now = this.now();
    const row: DeploymentRow = {
      name: input.name,
      modelName: input.model,
      port,
      settings,
      token: settings.requireToken ? randomBytes(24).toString('base64url') : null,
      desired: 'running',
      createdAt: now,
      createdBy: input.actor,
    };
    const version: DeploymentVersionRow = {
      deployment: input.name,
      version: chosen.version,
      requestedAs: chosen.requestedAs,
      role: 'stable',
      weight: 100,
      replicas: settings.replicas,
      image: settings.image,
      modelPath: chosen.detail.storagePath,
      addedAt: now,
      retireAt: null,
    };
    this.deps.repository.transaction(() => {
      this.deps.repository.insert(row);
      this.deps.repository.upsertVersion(version);
    });
    markInserted();
    this.routesChanged(input.name);
    await this.gateway?.ensureListening(input.name);
    await this.deps.provisioner.launch(row, version, settings.replicas);
    this.record(input.name, 'created', `Serving ${input.model} version ${chosen.version}${chosen.approved ? '' : ' (unapproved)'} at ${urlOf(port)}`, {}, input.actor);
    this.routesChanged(input.name);
    return this.get(input.name);
  }

  async startRollout(input: { name: string; version: number | string; strategy: RolloutStrategy; settings: Partial<RolloutSettings>; actor: string }): Promise<Deployment> {
    this.requireRuntime();
    const row = this.row(input.name);
    if (row.desired === 'stopped') throw conflict(`name: deployment '${input.name}' is stopped; start it before rolling out`);
    const active = this.deps.repository.activeRollout(input.name);
    if (active) {
      throw conflict(`A ${active.strategy} rollout to version ${active.toVersion} is running (${active.state}); promote, roll back or abort it first`);
    }
    const stable = this.stableVersion(input.name);
    const chosen = chooseVersion(this.deps.models, row.modelName, input.version);
    if (chosen.version === stable.version) throw invalid(`version: version ${chosen.version} is already the stable version of '${input.name}'`);
    this.checkServable(chosen, row.settings, 'version');
    await this.deps.rollouts.start(row, stable, chosen, input.strategy, input.settings, input.actor);
    return this.get(input.name);
  }

  async manual(name: string, action: 'promote' | 'rollback' | 'pause' | 'resume' | 'abort', actor: string): Promise<Deployment> {
    this.row(name);
    const active = this.deps.repository.activeRollout(name);
    if (!active) throw conflict(`Deployment '${name}' has no rollout running, so there is nothing to ${action}`);
    await this.deps.rollouts.manual(active, action, actor);
    return this.get(name);
  }

  async scale(name: string, replicas: number, actor: string): Promise<Deployment> {
    this.requireRuntime();
    this.row(name);
    await this.exclusive(name, () => this.scaleNow(name, replicas, actor));
    return this.get(name);
  }

  private async scaleNow(name: string, replicas: number, actor: string): Promise<void> {
    const row = this.row(name);
    const active = this.deps.repository.activeRollout(name);
    if (active) throw conflict(`Deployment '${name}' has a ${active.strategy} rollout running; scale it once the rollout ends`);
    const stable = this.stableVersion(name);
    const current = this.deps.replicas.specsOf(name, stable.version);
    this.deps.repository.setSettings(name, { ...row.settings, replicas });
    this.deps.repository.upsertVersion({ ...stable, replicas });
    if (row.desired === 'running') {
      if (replicas > current.length) {
        try {
          await this.deps.provisioner.launch({ ...row, settings: { ...row.settings, replicas } }, stable, replicas - current.length);
        } catch (error) {
          this.deps.repository.setSettings(name, row.settings);
          this.deps.repository.upsertVersion(stable);
          throw error;
        }
      } else {
        const surplus = current.slice(replicas);
        this.routesChanged(name); // out of the routes first, so no request is sent to a stopping replica
        await Promise.all(surplus.map((spec) => this.deps.provisioner.stop(spec.replicaId)));
      }
    }
    this.record(name, 'scaled', `Scaled version ${stable.version} from ${current.length} to ${replicas} replica${replicas === 1 ? '' : 's'}`, { replicas }, actor);
    this.routesChanged(name);
  }

  /** Settings that change nothing already running: the request log, approval, the token, the promote alias. */
  update(name: string, changes: Partial<Pick<DeploymentSettings, 'logRequests' | 'requireApproval' | 'requireToken' | 'promoteAlias'>>, actor: string): Deployment {
    const row = this.row(name);
    const settings = { ...row.settings, ...changes };
    const token = settings.requireToken ? (row.settings.requireToken ? row.token : randomBytes(24).toString('base64url')) : null;
    this.deps.repository.transaction(() => {
      this.deps.repository.setSettings(name, settings);
      this.deps.repository.setToken(name, token);
    });
    const said = Object.entries(changes).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
    if (said.length) this.record(name, 'updated', `Settings changed: ${said.join(', ')}`, {}, actor);
    this.routesChanged(name);
    return this.get(name);
  }

  async stop(name: string, actor: string): Promise<Deployment> {
    const row = this.row(name);
    if (row.desired === 'stopped') return this.get(name);
    await this.exclusive(name, async () => {
      const active = this.deps.repository.activeRollout(name);
      if (active) await this.deps.rollouts.manual(active, 'abort', actor, 'the deployment was stopped');
      this.deps.repository.setDesired(name, 'stopped');
      this.routesChanged(name);
      await Promise.all(this.deps.replicas.specsOf(name).map((spec) => this.deps.provisioner.stop(spec.replicaId)));
    });
    this.record(name, 'stopped', `Stopped; ${urlOf(row.port)} answers 503 until the deployment is started`, {}, actor);
    this.routesChanged(name);
    return this.get(name);
  }

  async start(name: string, actor: string): Promise<Deployment> {
    this.requireRuntime();
    const row = this.row(name);
    if (row.desired === 'running') return this.get(name);
    const stable = this.stableVersion(name);
    await this.exclusive(name, async () => {
      await this.deps.provisioner.launch(row, stable, stable.replicas);
      this.deps.repository.setDesired(name, 'running');
    });
    this.record(name, 'started', `Started version ${stable.version} with ${stable.replicas} replica${stable.replicas === 1 ? '' : 's'}`, {}, actor);
    this.routesChanged(name);
    return this.get(name);
  }

  async delete(name: string): Promise<{ deleted: true }> {
    this.row(name);
    await this.exclusive(name, async () => {
      await this.deps.rollouts.forget(name);
      this.deps.repository.delete(name);
      this.routesChanged(name, null);
      await Promise.all(this.deps.replicas.specsOf(name).map((spec) => this.deps.provisioner.stop(spec.replicaId, 2)));
      this.deps.telemetry.forget(name);
    });
    return { deleted: true };
  }

  async invoke(name: string, body: string, contentType: string, version?: number): Promise<InvokeResult> {
    const row = this.row(name);
    return invokeThroughGateway({ port: row.port, token: row.token, body, contentType, version, timeoutMs: row.settings.timeoutSeconds * 1000 + 5000 });
  }

  /** The gateway, once the server runs: a create waits for its port to open and fails fast when it cannot. */
  setGateway(gateway: GatewayControl): void {
    this.gateway = gateway;
  }

  /**
   * At start: containers left running are taken back (with their resources), those of deployments
   * that no longer exist or are stopped are removed, and missing stable replicas are started again.
   */
  async recover(): Promise<void> {
    const runtime = this.requireRuntime();
    const found = await runtime.list();
    const versions = this.deps.repository.allVersions();
    const adopted = new Map<string, number>();
    for (const container of found) {
      const { spec } = container;
      const deployment = this.deps.repository.get(spec.deployment);
      const version = versions.find((v) => v.deployment === spec.deployment && v.version === spec.version);
      if (!deployment || !version || deployment.desired === 'stopped') {
        await runtime.remove(container.containerId, 2).catch(() => undefined);
        continue;
      }
      await this.deps.provisioner.adopt(spec, container.containerId, container.running);
      adopted.set(spec.deployment, (adopted.get(spec.deployment) ?? 0) + 1);
    }
    for (const [name, count] of adopted) {
      const rollout = this.deps.repository.activeRollout(name);
      const numbers = rollout ? ' (the current step counts requests again from now)' : '';
      this.record(name, 'reopened', `Orrery started again and took back ${count} running replica${count === 1 ? '' : 's'}${numbers}`, { replicas: count }, 'orrery');
    }
    for (const deployment of this.deps.repository.list()) {
      if (deployment.desired !== 'running') continue;
      const rolling = this.deps.repository.activeRollout(deployment.name)?.strategy === 'rolling';
      for (const version of this.deps.repository.versions(deployment.name)) {
        if (version.role !== 'stable' || rolling) continue;
        const missing = version.replicas - this.deps.replicas.specsOf(deployment.name, version.version).length;
        if (missing <= 0) continue;
        void this.deps.provisioner.launch(deployment, version, missing).catch((error: unknown) => {
          this.record(deployment.name, 'restart-failed', `could not start ${missing} replica(s) of version ${version.version} again: ${error instanceof Error ? error.message : String(error)}`, {}, 'orrery');
        });
      }
    }
    this.cachedRoutes = null;
  }

  // ---- the gateway's RouteSource ----

  routes(): DeploymentRoutes[] {
    this.cachedRoutes ??= this.deps.repository.list().map((row) =>
      routesOf(
        row,
        this.deps.repository.versions(row.name),
        this.deps.replicas.of(row.name),
        (id) => this.deps.replicas.spec(id)?.port ?? null,
        this.deps.repository.activeRollout(row.name)?.settings.shadowShare ?? 0,
      ),
    );
    return this.cachedRoutes;
  }

  onRoutesChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  observe(observation: RequestObservation): void {
    this.deps.telemetry.record(observation);
    this.deps.rollouts.onRequest(observation);
  }

  observeShadow(observation: ShadowObservation): void {
    // The shadow's own numbers, for the charts (its answers are not logged: callers never saw them).
    const { deployment, version, requestId, at, status, latencyMs, modelError } = observation;
    this.deps.telemetry.record({ deployment, version, replicaId: 'shadow', requestId, at, status, latencyMs, modelError, upstreamFailure: false });
    this.deps.rollouts.onShadow(observation);
  }

  /** A replica changed state: routes follow, screens are told. */
  replicaChanged(_replica: ReplicaView, deployment: string): void {
    this.routesChanged(deployment);
  }

  /** Every change that moves traffic or replicas ends here. */
  routesChanged(name: string, status?: null): void {
    this.cachedRoutes = null;
    for (const listener of this.listeners) listener();
    const row = status === null ? null : this.deps.repository.get(name);
    this.deps.bus.publish('serving.deployment', { name, status: row ? this.status(row, this.deps.repository.versions(name)) : null });
  }

  /** Records a deployment event and tells the screens. */
  record(name: string, kind: string, message: string, numbers: Record<string, number | null>, actor: string): EventRow {
    const event = this.deps.repository.addEvent({ deployment: name, at: this.now(), kind, message, numbers, actor });
    this.deps.bus.publish('serving.decision', eventView(event));
    return event;
  }

  // ---- helpers ----

  private summary(row: DeploymentRow): DeploymentSummary {
    const versions = this.deps.repository.versions(row.name);
    const since = this.now() - 10_000;
    const stats = versions.map((v) => this.deps.telemetry.stats(row.name, v.version, since));
    const requests = stats.reduce((sum, s) => sum + s.requests, 0);
    const errors = stats.reduce((sum, s) => sum + s.errors, 0);
    const p95s = stats.map((s) => s.p95Ms).filter((p): p is number => p !== null);
    return summaryView({
      row,
      versions,
      approved: (version) => this.isApproved(row.modelName, version),
      status: this.status(row, versions),
      rolloutState: this.deps.repository.activeRollout(row.name)?.state ?? null,
      requestsPerSecond: requests / 10,
      p95Ms: p95s.length ? Math.max(...p95s) : null,
      errorRate: requests ? errors / requests : null,
    });
  }

  private status(row: DeploymentRow, versions: DeploymentVersionRow[]): Deployment['status'] {
    if (row.desired === 'stopped') return 'stopped';
    if (this.gateway?.listenError(row.name)) return 'failed'; // its URL cannot answer, whatever the replicas do
    const serving = versions.filter((v) => v.weight > 0);
    const replicas = serving.flatMap((v) => this.deps.replicas.of(row.name, v.version));
    if (replicas.length === 0) return this.busy.has(row.name) ? 'starting' : 'failed';
    const ready = replicas.filter((r) => r.state === 'ready').length;
    if (ready === replicas.length) return 'running';
    // Loading its model (also a replica taken back after a restart) is starting; only crashing ones is failed.
    if (ready === 0) return replicas.some((r) => r.state === 'starting') ? 'starting' : 'failed';
    return 'degraded';
  }

  private isApproved(model: string, version: number): boolean {
    try {
      return isApproved(this.deps.models.getVersion(model, version));
    } catch {
      return false;
    }
  }

  private checkServable(chosen: ChosenVersion, settings: DeploymentSettings, field: string): void {
    if (settings.requireApproval && !chosen.approved) {
      throw conflict(`${field}: version ${chosen.version} of ${chosen.detail.name} is not approved, and this deployment requires approval (registry.requestApproval, then approve it)`);
    }
    try {
      servableFlavor(chosen.detail.storagePath);
    } catch (error) {
      if (error instanceof OrreryError) throw new OrreryError(error.code, `${field}: ${error.message}`);
      throw error;
    }
  }

  private async choosePort(port: number | undefined): Promise<number> {
    const taken = new Set([...this.deps.repository.list().map((d) => d.port), ...this.deps.replicas.ports()]);
    if (port === undefined) return pickFreePort(taken);
    const owner = this.deps.repository.byPort(port);
    if (owner) throw conflict(`port: ${port} is already the port of deployment '${owner.name}'`);
    if (this.deps.replicas.ports().includes(port)) throw conflict(`port: ${port} is in use by one of Orrery's model replicas`);
    await assertPortFree(port);
    return port;
  }

  private stableVersion(name: string): DeploymentVersionRow {
    const stable = this.deps.repository.versions(name).find((v) => v.role === 'stable');
    if (!stable) throw new OrreryError('INTERNAL', `Deployment '${name}' has no stable version`);
    return stable;
  }

  private row(name: string): DeploymentRow {
    const row = this.deps.repository.get(name);
    if (!row) throw notFound(`Deployment '${name}' does not exist`);
    return row;
  }

  private requireRuntime(): ReplicaRuntime {
    if (!this.deps.runtime) {
      throw new OrreryError('UNAVAILABLE', 'Serving needs a local Docker engine, and none answers. Start Docker (and run npm run images to build orrery/serve:local), then try again.');
    }
    return this.deps.runtime;
  }

  private async exclusive(name: string, work: () => Promise<void>): Promise<void> {
    if (this.busy.has(name)) throw conflict(`Deployment '${name}' is being changed; try again in a moment`);
    this.busy.add(name);
    try {
      await work();
    } finally {
      this.busy.delete(name);
    }
  }
}

export function urlOf(port: number): string {
  return `http://127.0.0.1:${port}/invocations`;
}
