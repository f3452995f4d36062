import type { RolloutSettings, RolloutState, RolloutStrategy } from '../../../shared/contract/serving';
import { blueGreenOnTraffic, switchedState, type BlueGreenState } from './blue-green-rollout';
import { canaryManual, canaryOnTick, canaryOnTraffic, startCanary, type CanaryState } from './canary-rollout';
import type { DeploymentRepository, DeploymentRow, DeploymentVersionRow, RolloutRow } from './deployment-repository';
import type { ModelVersionReader } from './ports';
import type { ReplicaProvisioner } from './replica-provisioner';
import type { ReplicaSpec } from './replica-runtime';
import type { ReplicaSet } from './replica-set';
import { rolloutSettings } from './rollout-defaults';
import { AUTOMATIC_ACTOR, applyManualAction, type ManualAction, type RolloutDecision, type RolloutMachineBase, type RolloutStep } from './rollout-transitions';
import type { RequestObservation, ShadowObservation } from './serving-routes';
import type { ServingTelemetry } from './serving-telemetry';
import { shadowManual, shadowOnPair, shadowOnTraffic, startShadow, type ShadowState } from './shadow-rollout';
import type { ChosenVersion } from './version-choice';
import { warmUp } from './warm-up';

/** What the driver tells the service: routes moved, an event to record. */
export interface RolloutHost {
  routesChanged(name: string): void;
  record(name: string, kind: string, message: string, numbers: Record<string, number | null>, actor: string): unknown;
}

export interface RolloutDriverDeps {
  repository: DeploymentRepository;
  models: ModelVersionReader;
  replicas: ReplicaSet;
  provisioner: ReplicaProvisioner;
  telemetry: ServingTelemetry;
  host: RolloutHost;
  now?: () => number;
}

/** Rolling keeps only the shared fields (its step is the count of replicas replaced). */
interface RollingState extends RolloutMachineBase {
  strategy: 'rolling';
}

/**
 * Before its candidate is ready a rollout's machine is only the shared fields and the strategy.
 * `held`: the candidate became ready while paused; resume makes the strategy's first move.
 */
type Machine = (CanaryState | ShadowState | BlueGreenState | RollingState) & { held?: boolean };

/**
 * Carries out rollouts: starts the candidate's replicas, feeds the canary and shadow machines the
 * numbers the gateway saw, applies their weights and outcomes, runs the blue-green switch and the
 * rolling replacement, and persists every state so a restart resumes where it was.
 */
export class RolloutDriver {
  private readonly now: () => number;
  /** Active rollouts by deployment, so the request path never reads SQLite. */
  private readonly active = new Map<string, RolloutRow>();

  constructor(private readonly deps: RolloutDriverDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Records the rollout and starts its candidate in the background; it fails there, not here. */
  async start(row: DeploymentRow, stable: DeploymentVersionRow, chosen: ChosenVersion, strategy: RolloutStrategy, partial: Partial<RolloutSettings>, actor: string): Promise<void> {
    const settings = rolloutSettings(partial);
    const now = this.now();
    const candidate: DeploymentVersionRow = {
      deployment: row.name,
      version: chosen.version,
      requestedAs: chosen.requestedAs,
      role: strategy === 'shadow' ? 'shadow' : 'candidate',
      weight: 0,
      replicas: strategy === 'canary' || strategy === 'shadow' ? 1 : stable.replicas,
      image: row.settings.image,
      modelPath: chosen.detail.storagePath,
      addedAt: now,
      retireAt: null,
    };
    const base: RolloutMachineBase = { phase: 'starting', step: 0, candidateWeight: 0, stepStartedAt: now, endedAt: null, pausedFrom: null, note: 'starting the candidate' };
    const rollout: Omit<RolloutRow, 'rolloutId'> = {
      deployment: row.name,
      strategy,
      fromVersion: stable.version,
      toVersion: chosen.version,
      state: 'starting',
      step: 0,
      candidateWeight: 0,
      settings,
      machine: { ...base, strategy },
      startedAt: now,
      stepStartedAt: now,
      endedAt: null,
    };
    // Resources are taken now, so a rollout the machine cannot hold fails here, naming who holds them
    // (rolling needs one extra replica at a time).
    const reserved = await this.deps.provisioner.reserve(row, candidate, strategy === 'rolling' ? 1 : candidate.replicas);
    const rolloutId = this.deps.repository.transaction(() => {
      this.deps.repository.upsertVersion(candidate);
      return this.deps.repository.insertRollout(rollout);
    });
    this.active.set(row.name, { ...rollout, rolloutId });
    this.deps.host.record(
      row.name,
      'rollout-started',
      `${strategy} rollout from version ${stable.version} to version ${chosen.version}${chosen.approved ? '' : ' (unapproved)'} started`,
      {},
      actor,
    );
    this.deps.host.routesChanged(row.name);
    void this.bringUpCandidate(row.name, reserved);
  }

  async manual(rollout: RolloutRow, action: ManualAction, actor: string, reason?: string): Promise<void> {
    const current = this.active.get(rollout.deployment) ?? rollout;
    const machine = current.machine as unknown as Machine;
    const at = { now: this.now(), actor };
    const step: RolloutStep<Machine> =
      machine.strategy === 'canary' ? canaryManual(machine, action, at) : machine.strategy === 'shadow' ? shadowManual(machine, action, at) : applyManualAction(machine, action, at);
    if (reason && step.decision) step.decision = { ...step.decision, message: `${step.decision.message}: ${reason}` };
    const held = (machine as { held?: boolean }).held === true;
    await this.apply(current, action === 'resume' ? { ...step, state: { ...step.state, held: false } } : step);
    if (action !== 'resume') return;
    // What a pause held back goes on: a candidate that became ready meanwhile, or a rolling replacement.
    const deployment = this.deps.repository.get(current.deployment);
    if (held && deployment) await this.afterReady(current, deployment);
    else if (current.strategy === 'rolling' && current.state === 'switching') void this.bringUpCandidate(current.deployment);
  }

  onRequest(observation: RequestObservation): void {
    const rollout = this.active.get(observation.deployment);
    if (!rollout || observation.version !== rollout.toVersion) return;
    if (rollout.strategy === 'canary') this.analyseCanary(rollout);
    else if (rollout.strategy === 'blue-green') this.analyseBlueGreen(rollout);
  }

  private analyseBlueGreen(rollout: RolloutRow): void {
    const machine = rollout.machine as unknown as BlueGreenState;
    const step = blueGreenOnTraffic(machine, {
      now: this.now(),
      candidate: this.deps.telemetry.stats(rollout.deployment, rollout.toVersion, machine.stepStartedAt),
      settings: rollout.settings,
      fromVersion: rollout.fromVersion,
    });
    if (step.state === machine) return;
    if (step.decision === null && !step.outcome) this.persist(rollout, step.state);
    else void this.apply(rollout, step);
  }

  onShadow(observation: ShadowObservation): void {
    const rollout = this.active.get(observation.deployment);
    if (!rollout || rollout.strategy !== 'shadow' || observation.version !== rollout.toVersion) return;
    const tallied = shadowOnPair(rollout.machine as unknown as ShadowState, observation);
    const step = shadowOnTraffic(tallied, { now: this.now(), settings: rollout.settings });
    if (step.decision === null && step.weight === undefined && !step.outcome) this.persist(rollout, step.state);
    else void this.apply(rollout, step);
  }

  /** Every second: time-up analyses, "waiting for traffic" wording, the end of blue-green's warm period. */
  tick(): void {
    const now = this.now();
    for (const rollout of this.active.values()) {
      const machine = rollout.machine as unknown as Machine;
      if (machine.strategy === 'canary') {
        const stats = this.deps.telemetry.stats(rollout.deployment, rollout.toVersion, machine.stepStartedAt);
        if (stats.requests >= rollout.settings.minRequests) this.analyseCanary(rollout);
        else {
          const step = canaryOnTick(machine, now, rollout.settings);
          if (step.state.note !== machine.note) this.persist(rollout, step.state);
        }
      } else if (machine.strategy === 'blue-green' && machine.retireAt && now >= machine.retireAt) {
        this.analyseBlueGreen(rollout);
      }
    }
  }

  /** After a restart: load unfinished rollouts and go on (a candidate still starting is started again). */
  resume(): void {
    for (const row of this.deps.repository.list()) {
      const rollout = this.deps.repository.activeRollout(row.name);
      if (!rollout) continue;
      this.active.set(row.name, rollout);
      const machine = rollout.machine as unknown as Machine;
      if (machine.phase === 'starting' || (machine.phase === 'switching' && machine.strategy === 'rolling')) void this.bringUpCandidate(row.name);
    }
  }

  /** The deployment is going away: forget its rollout (its replicas are stopped by the caller). */
  async forget(name: string): Promise<void> {
    const rollout = this.active.get(name);
    if (!rollout) return;
    this.active.delete(name);
    const machine = rollout.machine as unknown as Machine;
    this.persist(rollout, { ...machine, phase: 'aborted', endedAt: this.now(), note: 'the deployment was deleted' });
  }

  private analyseCanary(rollout: RolloutRow): void {
    const machine = rollout.machine as unknown as CanaryState;
    const now = this.now();
    const step = canaryOnTraffic(machine, {
      now,
      candidate: this.deps.telemetry.stats(rollout.deployment, rollout.toVersion, machine.stepStartedAt),
      stable: this.deps.telemetry.stats(rollout.deployment, rollout.fromVersion, machine.stepStartedAt),
      settings: rollout.settings,
    });
    if (step.state === machine) return;
    if (step.decision === null && step.weight === undefined) {
      this.persist(rollout, step.state);
      return;
    }
    void this.apply(rollout, step);
  }

  /** Starts the candidate's replicas (rolling: one at a time); a failure aborts with its last log lines. */
  private async bringUpCandidate(name: string, reserved: ReplicaSpec[] = []): Promise<void> {
    const rollout = this.active.get(name);
    const deployment = this.deps.repository.get(name);
    const candidate = this.deps.repository.versions(name).find((v) => v.version === rollout?.toVersion);
    if (!rollout || !deployment || !candidate) {
      await this.deps.provisioner.unreserve(reserved);
      return;
    }
    try {
      if (rollout.strategy === 'rolling') {
        await this.roll(rollout, deployment, candidate, reserved);
        return;
      }
      if (reserved.length) await this.deps.provisioner.start(reserved);
      // Aborted or deleted while those started (a replica stopped mid-start resolves too): start no more.
      if (this.active.get(name) !== rollout) return;
      const missing = candidate.replicas - this.deps.replicas.specsOf(name, candidate.version).length;
      if (missing > 0) await this.deps.provisioner.launch(deployment, candidate, missing);
      if (this.active.get(name) !== rollout) return; // aborted meanwhile
      await this.afterReady(rollout, deployment);
    } catch (error) {
      if (this.active.get(name) !== rollout) return;
      const machine = rollout.machine as unknown as Machine;
      const message = error instanceof Error ? error.message : String(error);
      await this.apply(rollout, {
        state: { ...machine, phase: 'aborted', endedAt: this.now(), candidateWeight: 0, note: null },
        decision: { kind: 'abort', message: `aborted: version ${rollout.toVersion} did not become ready; version ${rollout.fromVersion} keeps all traffic. ${message}`, numbers: {}, actor: AUTOMATIC_ACTOR },
        weight: 0,
        outcome: 'rollback',
      });
    }
  }

  /** The candidate is ready: the strategy's first move, unless the user paused meanwhile (then it waits for resume). */
  private async afterReady(rollout: RolloutRow, deployment: DeploymentRow): Promise<void> {
    const machine = rollout.machine as unknown as Machine;
    if (machine.phase === 'paused') {
      this.persist(rollout, { ...machine, held: true, note: `version ${rollout.toVersion} is ready; resume to go on` });
      return;
    }
    const now = this.now();
    if (rollout.strategy === 'canary') await this.apply(rollout, startCanary(rollout.settings, now));
    else if (rollout.strategy === 'shadow') await this.apply(rollout, startShadow(rollout.settings, now));
    else await this.switchBlueGreen(rollout, deployment);
  }

  private async switchBlueGreen(rollout: RolloutRow, deployment: DeploymentRow): Promise<void> {
    const name = deployment.name;
    const ports = this.deps.replicas.specsOf(name, rollout.toVersion).map((s) => s.port);
    const modelPath = this.deps.repository.versions(name).find((v) => v.version === rollout.toVersion)!.modelPath;
    const example = await warmUp(ports, modelPath, deployment.settings.timeoutSeconds * 1000, this.deps.telemetry.requests(name, 1)[0]?.inputs);
    const now = this.now();
    const stableBefore = this.deps.telemetry.stats(name, rollout.fromVersion, rollout.startedAt);
    await this.apply(rollout, {
      state: switchedState(rollout.machine as unknown as RolloutMachineBase, rollout.settings, now, stableBefore, rollout.fromVersion),
      decision: { kind: 'switch', message: `switched all traffic to version ${rollout.toVersion} after a warm-up inference (${example})`, numbers: { keepWarmMs: rollout.settings.keepWarmMs }, actor: AUTOMATIC_ACTOR },
      weight: 100,
    });
  }

  /** Rolling: one extra replica at a time, each ready before one of the old version stops. */
  private async roll(rollout: RolloutRow, deployment: DeploymentRow, candidate: DeploymentVersionRow, reserved: ReplicaSpec[]): Promise<void> {
    const name = deployment.name;
    const total = candidate.replicas;
    if (reserved.length) await this.deps.provisioner.start(reserved);
    for (;;) {
      // Aborted, or paused (resume carries on from here).
      if (this.active.get(name) !== rollout || (rollout.machine as unknown as Machine).phase === 'paused') return;
      const fresh = this.deps.replicas.specsOf(name, candidate.version).length;
      const old = this.deps.replicas.specsOf(name, rollout.fromVersion);
      if (fresh >= total && old.length === 0) break;
      // At most one replica over the count: a new one only when an old one has already gone.
      if (fresh < total && fresh + old.length <= total) await this.deps.provisioner.launch(deployment, candidate, 1);
      const now = this.now();
      const replaced = this.deps.replicas.specsOf(name, candidate.version).length;
      const machine = rollout.machine as unknown as RollingState;
      const weight = Math.round((100 * replaced) / total);
      await this.apply(rollout, {
        state: { ...machine, strategy: 'rolling', phase: 'switching', step: replaced, candidateWeight: weight, stepStartedAt: now, note: `${replaced} of ${total} replicas replaced` },
        decision: { kind: 'replace', message: `replica ${replaced} of ${total} of version ${candidate.version} is ready`, numbers: { replaced, total }, actor: AUTOMATIC_ACTOR },
        weight,
      });
      const victim = this.deps.replicas.specsOf(name, rollout.fromVersion)[0];
      if (victim) await this.deps.provisioner.stop(victim.replicaId);
    }
    const machine = rollout.machine as unknown as RollingState;
    await this.apply(rollout, {
      state: { ...machine, phase: 'promoted', candidateWeight: 100, endedAt: this.now(), note: null },
      decision: { kind: 'promote', message: `promoted: all ${total} replicas run version ${candidate.version}`, numbers: { replicas: total }, actor: AUTOMATIC_ACTOR },
      weight: 100,
      outcome: 'promote',
    });
  }

  /** Persists a machine's step, moves weights, records its decision, and finishes the rollout on an outcome. */
  private async apply(rollout: RolloutRow, step: RolloutStep<Machine>): Promise<void> {
    const name = rollout.deployment;
    this.persist(rollout, step.state);
    if (step.weight !== undefined && !step.outcome) this.setWeights(name, rollout, step.weight);
    if (step.decision) this.recordDecision(name, step.decision);
    if (step.outcome === 'promote') await this.promote(rollout, step.decision?.actor ?? AUTOMATIC_ACTOR);
    else if (step.outcome === 'rollback') await this.rollBack(rollout);
    this.deps.host.routesChanged(name);
  }

  private persist(rollout: RolloutRow, state: Machine): void {
    rollout.machine = state as unknown as Record<string, unknown>;
    rollout.state = state.phase as RolloutState;
    rollout.step = state.step;
    rollout.candidateWeight = state.candidateWeight;
    rollout.stepStartedAt = state.stepStartedAt;
    rollout.endedAt = state.endedAt;
    this.deps.repository.updateRollout(rollout);
    if (state.endedAt !== null) this.active.delete(rollout.deployment);
  }

  private setWeights(name: string, rollout: RolloutRow, candidateWeight: number): void {
    const versions = this.deps.repository.versions(name);
    this.deps.repository.transaction(() => {
      for (const version of versions) {
        if (version.version === rollout.toVersion && version.role !== 'shadow') this.deps.repository.upsertVersion({ ...version, weight: candidateWeight });
        else if (version.version === rollout.fromVersion) this.deps.repository.upsertVersion({ ...version, weight: 100 - candidateWeight, role: candidateWeight === 100 ? 'retiring' : 'stable' });
      }
    });
    this.deps.host.routesChanged(name);
  }

  private recordDecision(name: string, decision: RolloutDecision): void {
    this.deps.host.record(name, decision.kind, decision.message, decision.numbers, decision.actor);
  }

  /** The candidate becomes stable with all traffic; the old version stops; the promote alias moves. */
  private async promote(rollout: RolloutRow, actor: string): Promise<void> {
    const name = rollout.deployment;
    const versions = this.deps.repository.versions(name);
    const candidate = versions.find((v) => v.version === rollout.toVersion);
    const deployment = this.deps.repository.get(name);
    if (!candidate || !deployment) return;
    this.deps.repository.transaction(() => {
      this.deps.repository.upsertVersion({ ...candidate, role: 'stable', weight: 100, retireAt: null });
      this.deps.repository.deleteVersion(name, rollout.fromVersion);
    });
    this.deps.host.routesChanged(name);
    await this.deps.provisioner.stopVersion(name, rollout.fromVersion);
    // A canary or shadow ran one candidate replica: the promoted version serves with as many as stable had.
    const missing = deployment.settings.replicas - this.deps.replicas.specsOf(name, candidate.version).length;
    if (missing > 0) {
      await this.deps.provisioner.launch(deployment, { ...candidate, role: 'stable', weight: 100 }, missing).catch((error: unknown) => {
        this.deps.host.record(name, 'scale-failed', `could not start ${missing} more replica(s) of version ${candidate.version}: ${error instanceof Error ? error.message : String(error)}`, {}, AUTOMATIC_ACTOR);
      });
      this.deps.repository.upsertVersion({ ...candidate, role: 'stable', weight: 100, retireAt: null, replicas: deployment.settings.replicas });
    }
    const alias = deployment.settings.promoteAlias;
    if (alias) {
      try {
        this.deps.models.setAlias({ name: deployment.modelName, alias, version: candidate.version, actor: `deployment ${name} (${actor})`, move: true });
        this.deps.host.record(name, 'alias', `alias @${alias} of ${deployment.modelName} now points at version ${candidate.version}`, {}, actor);
      } catch (error) {
        this.deps.host.record(name, 'alias-failed', `could not move alias @${alias}: ${error instanceof Error ? error.message : String(error)}`, {}, actor);
      }
    }
  }

  /** Stable takes all traffic back; the candidate stops and is forgotten. */
  private async rollBack(rollout: RolloutRow): Promise<void> {
    const name = rollout.deployment;
    const versions = this.deps.repository.versions(name);
    const stable = versions.find((v) => v.version === rollout.fromVersion);
    const deployment = this.deps.repository.get(name);
    if (!stable || !deployment) return;
    this.deps.repository.transaction(() => {
      this.deps.repository.upsertVersion({ ...stable, role: 'stable', weight: 100, retireAt: null });
      this.deps.repository.deleteVersion(name, rollout.toVersion);
    });
    this.deps.host.routesChanged(name);
    await this.deps.provisioner.stopVersion(name, rollout.toVersion, 1);
    // Rolling stopped old replicas on its way: start them again.
    const missing = stable.replicas - this.deps.replicas.specsOf(name, stable.version).length;
    if (missing > 0 && deployment.desired === 'running') {
      await this.deps.provisioner.launch(deployment, stable, missing).catch((error: unknown) => {
        this.deps.host.record(name, 'scale-failed', `could not restart ${missing} replica(s) of version ${stable.version}: ${error instanceof Error ? error.message : String(error)}`, {}, AUTOMATIC_ACTOR);
      });
    }
  }
}

export type { ShadowState };
