import type {
  ApprovalRequest,
  AuditEntry,
  GateResult,
  ModelFile,
  ModelFlavor,
  ModelStage,
  ModelVersion,
  ModelVersionDetail,
  RegisteredModel,
  RegisteredModelSummary,
  RegistryVersionEvent,
  StageTransition,
  VersionPush,
} from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import { evaluateGates } from './gates';
import type { ModelRow, RegistryRepository, VersionRow } from './registry-repository';
import { toAudit, toRequest, toVersion } from './registry-rows';

/**
 * What every part of the registry shares: lookups that say what is missing, the registry's rows
 * read as contract objects, the audit log, and the `registry.version` event.
 */
export class RegistryRecords {
  constructor(
    private readonly repo: RegistryRepository,
    readonly now: () => number,
    private readonly bus: EventBus | undefined,
  ) {}

  // ---- lookups ----

  modelRow(name: string): ModelRow {
    const row = this.repo.model(name);
    if (!row) throw new OrreryError('NOT_FOUND', `No registered model named '${name}'`);
    return row;
  }

  versionRow(name: string, version: number): VersionRow {
    this.modelRow(name);
    const row = this.repo.version(name, version);
    if (!row) throw new OrreryError('NOT_FOUND', `Model '${name}' has no version ${version}`);
    return row;
  }

  resolveAlias(name: string, alias: string): number {
    this.modelRow(name);
    const version = this.repo.alias(name, alias);
    if (version === undefined) throw new OrreryError('NOT_FOUND', `Model '${name}' has no alias '${alias}'`);
    return version;
  }

  /** The model's gates, applied to this version as it is now. */
  evaluate(row: VersionRow): GateResult[] {
    return evaluateGates(this.repo.gates(row.model), {
      files: JSON.parse(row.files) as ModelFile[],
      totalSize: row.total_size,
      metrics: JSON.parse(row.metrics) as Record<string, MetricValue>,
    });
  }

  /** Creates the model row (and its audit entry) unless it is there; inside the caller's transaction. */
  ensureModel(name: string, actor: string, now: number): void {
    if (this.repo.model(name)) return;
    this.repo.insertModel(name, '', actor, now);
    this.record(actor, 'model.create', name, null, {});
  }

  // ---- reading ----

  listModels(): RegisteredModelSummary[] {
    const counts = this.repo.versionCounts();
    const aliases = this.repo.allAliases();
    return this.repo.models().map((row) => {
      const c = counts.get(row.name);
      return {
        name: row.name,
        description: row.description,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        latestVersion: c?.latest ?? null,
        versionCount: c?.count ?? 0,
        productionVersion: c?.production ?? null,
        aliases: Object.fromEntries(aliases.filter((a) => a.model === row.name).map((a) => [a.alias, a.version])),
      };
    });
  }

  getModel(name: string): RegisteredModel {
    const row = this.modelRow(name);
    const versions = this.repo.versions(name);
    const aliases = this.repo.aliases(name);
    return {
      name: row.name,
      description: row.description,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      latestVersion: versions[0]?.version ?? null,
      versionCount: versions.length,
      productionVersion: versions.find((v) => v.stage === 'Production')?.version ?? null,
      aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
      versions: versions.map((v) => ({
        version: v.version,
        stage: v.stage,
        flavor: v.flavor as ModelFlavor,
        gateStatus: v.gate_status,
        aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias),
        createdAt: v.created_at,
        createdBy: v.created_by,
        runId: v.source_run_id,
      })),
      gates: this.repo.gates(name),
      approvals: this.repo.requests(name).map(toRequest),
    };
  }

  version(row: VersionRow): ModelVersion {
    return toVersion(row, this.repo.aliases(row.model));
  }

  /** A version by number, or by alias. */
  getVersion(name: string, ref: number | { alias: string }): ModelVersionDetail {
    const row = this.versionRow(name, typeof ref === 'number' ? ref : this.resolveAlias(name, ref.alias));
    const transitions: StageTransition[] = this.repo.auditFor(row.model, row.version, 'stage.set').map((a) => {
      const details = JSON.parse(a.details) as { from: ModelStage; to: ModelStage };
      return { at: a.at, actor: a.actor, from: details.from, to: details.to };
    });
    const pushes: VersionPush[] = this.repo.auditFor(row.model, row.version, 'pushed').map((a) => {
      const details = JSON.parse(a.details) as { reference: string; digest: string };
      return { at: a.at, actor: a.actor, reference: details.reference, digest: details.digest };
    });
    return { ...this.version(row), transitions, approvals: this.repo.requests(row.model, row.version).map(toRequest), pushes };
  }

  request(requestId: number): ApprovalRequest {
    const row = this.repo.request(requestId);
    if (!row) throw new OrreryError('NOT_FOUND', `No approval request ${requestId}`);
    return toRequest(row);
  }

  // ---- audit and events ----

  record(actor: string, action: string, model: string | null, version: number | null, details: Record<string, unknown>): void {
    this.repo.appendAudit({ at: this.now(), actor, action, model, version, details });
    // Recorded inside the caller's transaction: published once that has ended (a rolled-back one costs a reader one re-read).
    queueMicrotask(() => this.bus?.publish('registry.audit', { name: model, action }));
  }

  auditLog(name?: string, limit = 500): AuditEntry[] {
    return this.repo.audit(name, limit).map(toAudit);
  }

  publish(version: ModelVersion, change: RegistryVersionEvent['change']): void {
    this.bus?.publish('registry.version', { name: version.name, version: version.version, stage: version.stage, change });
  }

  /** The event for a version known by name and number (its stage read now). */
  publishRef(name: string, version: number, change: RegistryVersionEvent['change']): void {
    const row = this.repo.version(name, version);
    if (row) this.bus?.publish('registry.version', { name, version, stage: row.stage, change });
  }
}
