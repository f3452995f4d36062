import type { Database } from 'better-sqlite3';
import type { DecisionKind, DeploymentSettings, RolloutSettings, RolloutState, RolloutStrategy, VersionRole } from '../../../shared/contract/serving';
import { StatementCache } from '../store/statement-cache';

export interface DeploymentRow {
  name: string;
  modelName: string;
  port: number;
  settings: DeploymentSettings;
  token: string | null;
  desired: 'running' | 'stopped';
  createdAt: number;
  createdBy: string;
}

export interface DeploymentVersionRow {
  deployment: string;
  version: number;
  requestedAs: string;
  role: VersionRole;
  weight: number;
  replicas: number;
  image: string;
  modelPath: string;
  addedAt: number;
  /** A retiring version stops at this time (blue-green keeps the old one warm). */
  retireAt: number | null;
}

export interface RolloutRow {
  rolloutId: number;
  deployment: string;
  strategy: RolloutStrategy;
  fromVersion: number;
  toVersion: number;
  state: RolloutState;
  step: number;
  candidateWeight: number;
  settings: RolloutSettings;
  /** The strategy's own persisted state (JSON). */
  machine: Record<string, unknown>;
  startedAt: number;
  stepStartedAt: number;
  endedAt: number | null;
}

export interface EventRow {
  id: number;
  deployment: string;
  at: number;
  kind: string;
  message: string;
  numbers: Record<string, number | null>;
  actor: string;
}

interface RawDeployment {
  name: string;
  model_name: string;
  port: number;
  settings: string;
  token: string | null;
  desired: 'running' | 'stopped';
  created_at: number;
  created_by: string;
}

interface RawVersion {
  deployment: string;
  version: number;
  requested_as: string;
  role: VersionRole;
  weight: number;
  replicas: number;
  image: string;
  model_path: string;
  added_at: number;
  retire_at: number | null;
}

interface RawRollout {
  rollout_id: number;
  deployment: string;
  strategy: RolloutStrategy;
  from_version: number;
  to_version: number;
  state: RolloutState;
  step: number;
  candidate_weight: number;
  settings: string;
  machine: string;
  started_at: number;
  step_started_at: number;
  ended_at: number | null;
}

const ENDED: readonly RolloutState[] = ['promoted', 'rolled-back', 'aborted'];
const DECISION_KINDS: readonly DecisionKind[] = ['start', 'advance', 'hold', 'promote', 'rollback', 'pause', 'resume', 'abort', 'switch', 'replace'];

/** deployments, deployment_versions, rollouts and deployment_events: every SQL statement serving writes about them. */
export class DeploymentRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  list(): DeploymentRow[] {
    return (this.sql.get('SELECT * FROM deployments ORDER BY name').all() as RawDeployment[]).map(deploymentOf);
  }

  get(name: string): DeploymentRow | null {
    const row = this.sql.get('SELECT * FROM deployments WHERE name = ?').get(name) as RawDeployment | undefined;
    return row ? deploymentOf(row) : null;
  }

  byPort(port: number): DeploymentRow | null {
    const row = this.sql.get('SELECT * FROM deployments WHERE port = ?').get(port) as RawDeployment | undefined;
    return row ? deploymentOf(row) : null;
  }

  insert(row: DeploymentRow): void {
    this.sql
      .get('INSERT INTO deployments (name, model_name, port, settings, token, desired, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.name, row.modelName, row.port, JSON.stringify(row.settings), row.token, row.desired, row.createdAt, row.createdBy);
  }

  setDesired(name: string, desired: 'running' | 'stopped'): void {
    this.sql.get('UPDATE deployments SET desired = ? WHERE name = ?').run(desired, name);
  }

  setSettings(name: string, settings: DeploymentSettings): void {
    this.sql.get('UPDATE deployments SET settings = ? WHERE name = ?').run(JSON.stringify(settings), name);
  }

  setToken(name: string, token: string | null): void {
    this.sql.get('UPDATE deployments SET token = ? WHERE name = ?').run(token, name);
  }

  /** The deployment with its versions and rollouts (by ON DELETE CASCADE), its events and its logged requests and metrics. */
  delete(name: string): void {
    this.transaction(() => {
      this.sql.get('DELETE FROM deployment_events WHERE deployment = ?').run(name);
      this.sql.get('DELETE FROM request_log WHERE deployment = ?').run(name);
      this.sql.get('DELETE FROM serving_metrics WHERE deployment = ?').run(name);
      this.sql.get('DELETE FROM deployments WHERE name = ?').run(name);
    });
  }

  versions(deployment: string): DeploymentVersionRow[] {
    return (this.sql.get('SELECT * FROM deployment_versions WHERE deployment = ? ORDER BY added_at, version').all(deployment) as RawVersion[]).map(versionOf);
  }

  allVersions(): DeploymentVersionRow[] {
    return (this.sql.get('SELECT * FROM deployment_versions ORDER BY deployment, added_at').all() as RawVersion[]).map(versionOf);
  }

  upsertVersion(row: DeploymentVersionRow): void {
    this.sql
      .get(
        `INSERT INTO deployment_versions (deployment, version, requested_as, role, weight, replicas, image, model_path, added_at, retire_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (deployment, version) DO UPDATE SET requested_as = excluded.requested_as, role = excluded.role, weight = excluded.weight,
           replicas = excluded.replicas, image = excluded.image, model_path = excluded.model_path, retire_at = excluded.retire_at`,
      )
      .run(row.deployment, row.version, row.requestedAs, row.role, row.weight, row.replicas, row.image, row.modelPath, row.addedAt, row.retireAt);
  }

  deleteVersion(deployment: string, version: number): void {
    this.sql.get('DELETE FROM deployment_versions WHERE deployment = ? AND version = ?').run(deployment, version);
  }

  /** The deployment's rollout that has not ended, if any. */
  activeRollout(deployment: string): RolloutRow | null {
    const row = this.sql
      .get(`SELECT * FROM rollouts WHERE deployment = ? AND state NOT IN (${ENDED.map(() => '?').join(', ')}) ORDER BY rollout_id DESC LIMIT 1`)
      .get(deployment, ...ENDED) as RawRollout | undefined;
    return row ? rolloutOf(row) : null;
  }

  latestRollout(deployment: string): RolloutRow | null {
    const row = this.sql.get('SELECT * FROM rollouts WHERE deployment = ? ORDER BY rollout_id DESC LIMIT 1').get(deployment) as RawRollout | undefined;
    return row ? rolloutOf(row) : null;
  }

  insertRollout(row: Omit<RolloutRow, 'rolloutId'>): number {
    const result = this.sql
      .get(
        `INSERT INTO rollouts (deployment, strategy, from_version, to_version, state, step, candidate_weight, settings, machine, started_at, step_started_at, ended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.deployment,
        row.strategy,
        row.fromVersion,
        row.toVersion,
        row.state,
        row.step,
        row.candidateWeight,
        JSON.stringify(row.settings),
        JSON.stringify(row.machine),
        row.startedAt,
        row.stepStartedAt,
        row.endedAt,
      );
    return Number(result.lastInsertRowid);
  }

  updateRollout(row: RolloutRow): void {
    this.sql
      .get('UPDATE rollouts SET state = ?, step = ?, candidate_weight = ?, machine = ?, step_started_at = ?, ended_at = ? WHERE rollout_id = ?')
      .run(row.state, row.step, row.candidateWeight, JSON.stringify(row.machine), row.stepStartedAt, row.endedAt, row.rolloutId);
  }

  addEvent(event: Omit<EventRow, 'id'>): EventRow {
    const result = this.sql
      .get('INSERT INTO deployment_events (deployment, at, kind, message, numbers, actor) VALUES (?, ?, ?, ?, ?, ?)')
      .run(event.deployment, event.at, event.kind, event.message, JSON.stringify(event.numbers), event.actor);
    return { ...event, id: Number(result.lastInsertRowid) };
  }

  events(deployment: string, limit: number): EventRow[] {
    const rows = this.sql.get('SELECT * FROM deployment_events WHERE deployment = ? ORDER BY id DESC LIMIT ?').all(deployment, limit) as Array<
      Omit<EventRow, 'numbers'> & { numbers: string }
    >;
    return rows.map((row) => ({ ...row, numbers: JSON.parse(row.numbers) as Record<string, number | null> }));
  }

  /** The newest rollout decision (not a scale or stop) since a time. */
  lastDecision(deployment: string, since: number): EventRow | null {
    const kinds = DECISION_KINDS.map(() => '?').join(', ');
    const row = this.sql.get(`SELECT * FROM deployment_events WHERE deployment = ? AND at >= ? AND kind IN (${kinds}) ORDER BY id DESC LIMIT 1`).get(deployment, since, ...DECISION_KINDS) as
      | (Omit<EventRow, 'numbers'> & { numbers: string })
      | undefined;
    return row ? { ...row, numbers: JSON.parse(row.numbers) as Record<string, number | null> } : null;
  }
}

function deploymentOf(row: RawDeployment): DeploymentRow {
  return {
    name: row.name,
    modelName: row.model_name,
    port: row.port,
    settings: JSON.parse(row.settings) as DeploymentSettings,
    token: row.token,
    desired: row.desired,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function versionOf(row: RawVersion): DeploymentVersionRow {
  return {
    deployment: row.deployment,
    version: row.version,
    requestedAs: row.requested_as,
    role: row.role,
    weight: row.weight,
    replicas: row.replicas,
    image: row.image,
    modelPath: row.model_path,
    addedAt: row.added_at,
    retireAt: row.retire_at,
  };
}

function rolloutOf(row: RawRollout): RolloutRow {
  return {
    rolloutId: row.rollout_id,
    deployment: row.deployment,
    strategy: row.strategy,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    state: row.state,
    step: row.step,
    candidateWeight: row.candidate_weight,
    settings: JSON.parse(row.settings) as RolloutSettings,
    machine: JSON.parse(row.machine) as Record<string, unknown>,
    startedAt: row.started_at,
    stepStartedAt: row.step_started_at,
    endedAt: row.ended_at,
  };
}
