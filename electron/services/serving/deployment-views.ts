import type { Deployment, DeploymentEventView, DeploymentStatus, DeploymentSummary, ReplicaView, RolloutState, RolloutView } from '../../../shared/contract/serving';
import type { DeploymentRow, DeploymentVersionRow, EventRow, RolloutRow } from './deployment-repository';

/** Records as the contract shows them. */

export function eventView(row: EventRow): DeploymentEventView {
  return { id: row.id, deployment: row.deployment, at: row.at, kind: row.kind, message: row.message, numbers: row.numbers, actor: row.actor };
}

export function rolloutView(row: RolloutRow, lastDecision: EventRow | null): RolloutView {
  const analysis = (row.machine as { analysis?: RolloutView['analysis'] }).analysis ?? null;
  return {
    rolloutId: row.rolloutId,
    strategy: row.strategy,
    fromVersion: row.fromVersion,
    toVersion: row.toVersion,
    state: row.state,
    step: row.step,
    candidateWeight: row.candidateWeight,
    settings: row.settings,
    startedAt: row.startedAt,
    stepStartedAt: row.stepStartedAt,
    endedAt: row.endedAt,
    analysis,
    note: typeof row.machine.note === 'string' ? row.machine.note : null,
    lastDecision: lastDecision ? eventView(lastDecision) : null,
  };
}

export function deploymentView(input: {
  row: DeploymentRow;
  versions: DeploymentVersionRow[];
  replicas: ReplicaView[];
  approved: (version: number) => boolean;
  rollout: RolloutRow | null;
  lastDecision: EventRow | null;
  status: DeploymentStatus;
  /** Why the gateway cannot listen on the deployment's port, or null. */
  listenError?: string | null;
}): Deployment {
  const { row, versions, replicas, approved } = input;
  const views = versions.map((v) => ({
    version: v.version,
    requestedAs: v.requestedAs,
    role: v.role,
    weight: v.weight,
    approved: approved(v.version),
    image: v.image,
    replicas: replicas.filter((r) => r.version === v.version),
  }));
  return {
    name: row.name,
    modelName: row.modelName,
    url: `http://127.0.0.1:${row.port}/invocations`,
    port: row.port,
    status: input.status,
    reason: input.listenError ? `the URL does not answer: ${input.listenError}` : reasonOf(input.status, replicas),
    settings: row.settings,
    versions: views,
    rollout: input.rollout ? rolloutView(input.rollout, input.lastDecision) : null,
    unapproved: views.some((v) => (v.weight > 0 || v.role === 'stable') && !v.approved),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

export function summaryView(input: {
  row: DeploymentRow;
  versions: DeploymentVersionRow[];
  approved: (version: number) => boolean;
  status: DeploymentStatus;
  rolloutState: RolloutState | null;
  requestsPerSecond: number;
  p95Ms: number | null;
  errorRate: number | null;
}): DeploymentSummary {
  return {
    name: input.row.name,
    modelName: input.row.modelName,
    url: `http://127.0.0.1:${input.row.port}/invocations`,
    status: input.status,
    versions: input.versions.map((v) => ({ version: v.version, role: v.role, weight: v.weight, approved: input.approved(v.version) })),
    rolloutState: input.rolloutState,
    requestsPerSecond: input.requestsPerSecond,
    p95Ms: input.p95Ms,
    errorRate: input.errorRate,
  };
}

function reasonOf(status: DeploymentStatus, replicas: ReplicaView[]): string | null {
  if (status === 'running') return null;
  if (status === 'stopped') return 'stopped: the URL answers 503 until the deployment is started';
  const notReady = replicas.filter((r) => r.state !== 'ready' && r.reason);
  if (notReady.length === 0) return status === 'failed' ? 'no replica is running' : null;
  return notReady.map((r) => `replica ${r.replicaId.slice(0, 8)} (version ${r.version}): ${r.reason}`).join('\n');
}
