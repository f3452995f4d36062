import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type {
  ApprovalRequest,
  AuditEntry,
  GateResult,
  GateSpec,
  ModelFile,
  ModelFlavor,
  ModelLineage,
  ModelSource,
  ModelStage,
  ModelVersion,
  ModelVersionDetail,
  ModelVersionRef,
  RegisteredModel,
  RegisteredModelSummary,
  RegistryPushResult,
  RegistryVersionEvent,
  StageTransition,
  VersionPush,
} from '../../../shared/contract/registry';
import { ALIAS_NAME, MODEL_NAME } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { LeftoverFindings } from '../store/crash-leftovers';
import { parseArtifactPath } from '../tracking/artifact-path';
import type { ArtifactStore } from '../tracking/artifact-store';
import type { TrackingService } from '../tracking/tracking-service';
import { detectFlavor, MLMODEL } from './flavor-detector';
import { describeFailures, evaluateGates, gateStatus } from './gates';
import { copyFiles, localFolderFiles, runArtifactFiles, type SourceFile } from './model-files';
import { buildModelArtifact, pullModel, pushModel, type ModelCard } from './oci/model-artifact';
import { OciClient } from './oci/oci-client';
import { markOciTempFolder } from './oci-temp-folders';
import { orphanPath, PULL_PREFIX, STAGING_PREFIX, sweepModelFolders } from './orphan-folders';
import { parseReference } from './oci/reference';
import type { RemoteRegistries } from './remote-registries';
import { RegistryRepository, type AuditRow, type RequestRow, type VersionRow } from './registry-repository';

export interface ModelRegistryDeps {
  db: Database;
  tracking: TrackingService;
  artifacts: ArtifactStore;
  /** Versions are copied to `<dataDir>/models/<name>/<version>`. */
  dataDir: string;
  bus?: EventBus;
  now?: () => number;
  /** Makes the client for registry.push / registry.pull (compose.ts: docker config credentials, resumable uploads). */
  ociClient?: () => OciClient;
  /** Remote registries from settings, for pushes addressed by remote name. */
  remotes?: RemoteRegistries;
}

export interface PushInput {
  name: string;
  version: number;
  /** host/repository:tag; or give `remote` (and optionally `tag`). */
  reference?: string | undefined;
  remote?: string | undefined;
  tag?: string | undefined;
  actor: string;
}

export interface RegisterFromRunInput {
  runId: string;
  /** A folder (or file) within the run's artifacts; '' for all of them. */
  path: string;
  name: string;
  parentVersions?: ModelVersionRef[];
  description?: string;
  actor?: string | undefined;
}

export interface RegisterFromFolderInput {
  folder: string;
  name: string;
  parentVersions?: ModelVersionRef[];
  description?: string;
  actor?: string | undefined;
}

const DEFAULT_ACTOR = 'local';

function invalid(message: string): OrreryError {
  return new OrreryError('INVALID_INPUT', message);
}

function conflict(message: string): OrreryError {
  return new OrreryError('CONFLICT', message);
}

/**
 * The model registry: immutable versions copied out of runs or local folders, stages and aliases
 * as MLflow has them, validation gates, approvals for Production, and an append-only audit log.
 */
export class ModelRegistryService {
  private readonly repo: RegistryRepository;
  private readonly db: Database;
  private readonly tracking: TrackingService;
  private readonly artifacts: ArtifactStore;
  private readonly modelsRoot: string;
  private readonly bus: EventBus | undefined;
  private readonly now: () => number;
  private readonly ociClient: () => OciClient;
  private readonly remotes: RemoteRegistries | undefined;
  /** Temp folders that registrations and pulls of this process are using (see inUse). */
  private readonly busy = new Set<string>();
  /** Models with a registration in progress in this process, and how many. */
  private readonly busyModels = new Map<string, number>();

  constructor(deps: ModelRegistryDeps) {
    this.db = deps.db;
    this.repo = new RegistryRepository(deps.db);
    this.tracking = deps.tracking;
    this.artifacts = deps.artifacts;
    this.modelsRoot = path.join(deps.dataDir, 'models');
    this.bus = deps.bus;
    this.now = deps.now ?? Date.now;
    this.ociClient = deps.ociClient ?? (() => new OciClient());
    this.remotes = deps.remotes;
  }

  // ---- registration ----

  async registerFromRun(input: RegisterFromRunInput): Promise<ModelVersion> {
    checkName(input.name);
    const run = this.tracking.getRunDetail(input.runId);
    if (run.lifecycleStage !== 'active') throw invalid(`Run ${run.runId} is deleted; restore it before registering a model from it.`);
    const segments = parseArtifactPath(input.path, { encoded: false });
    this.checkParents(input.parentVersions ?? []);
    const files = await runArtifactFiles(this.artifacts, run.experimentId, run.runId, segments);
    if (files.length === 0) {
      const where = segments.length === 0 ? '' : ` under '${segments.join('/')}'`;
      throw invalid(`Run ${run.runId} has no artifacts${where}: there is nothing to register as model '${input.name}'.`);
    }
    let experimentName: string | null = null;
    try {
      experimentName = this.tracking.getExperiment(run.experimentId).name;
    } catch {
      experimentName = null;
    }
    const metrics: Record<string, MetricValue> = Object.fromEntries(Object.values(run.metrics).map((m) => [m.key, m.value]));
    const lineage: ModelLineage = {
      runId: run.runId,
      runName: run.name,
      experimentId: run.experimentId,
      experimentName,
      params: run.params,
      imageDigest: run.source.imageDigest,
      gitCommit: run.source.gitCommit,
      gitBranch: run.source.gitBranch,
      gitDirty: run.source.gitDirty,
      inputs: run.inputs.map((i) => ({ name: i.name, digest: i.digest, sourceType: i.sourceType, source: i.source })),
      parents: input.parentVersions ?? [],
    };
    return this.register({
      name: input.name,
      files,
      source: { type: 'run', runId: run.runId, path: segments.join('/') },
      metrics,
      lineage,
      description: input.description ?? '',
      actor: input.actor ?? (run.userId || DEFAULT_ACTOR),
    });
  }

  async registerFromFolder(input: RegisterFromFolderInput): Promise<ModelVersion> {
    return this.registerFolder(input, {});
  }

  private async registerFolder(
    input: RegisterFromFolderInput,
    extra: { lineage?: Partial<ModelLineage>; metrics?: Record<string, MetricValue>; sourcePath?: string },
  ): Promise<ModelVersion> {
    checkName(input.name);
    this.checkParents(input.parentVersions ?? []);
    const files = await localFolderFiles(input.folder);
    if (files.length === 0) throw invalid(`folder: ${input.folder} holds no files: there is nothing to register as model '${input.name}'.`);
    const lineage: ModelLineage = {
      runId: null,
      runName: null,
      experimentId: null,
      experimentName: null,
      params: {},
      imageDigest: null,
      gitCommit: null,
      gitBranch: null,
      gitDirty: null,
      inputs: [],
      parents: input.parentVersions ?? [],
      ...extra.lineage,
    };
    return this.register({
      name: input.name,
      files,
      source: { type: 'folder', path: extra.sourcePath ?? path.resolve(input.folder) },
      metrics: extra.metrics ?? {},
      lineage,
      description: input.description ?? '',
      actor: input.actor ?? DEFAULT_ACTOR,
    });
  }

  private async register(input: {
    name: string;
    files: SourceFile[];
    source: ModelSource;
    metrics: Record<string, MetricValue>;
    lineage: ModelLineage;
    description: string;
    actor: string;
  }): Promise<ModelVersion> {
    const modelDir = path.join(this.modelsRoot, input.name);
    const staging = path.join(modelDir, `${STAGING_PREFIX}${randomUUID()}`);
    const asides: string[] = [];
    const release = this.claim(staging, modelDir);
    let registered: ModelVersionDetail | undefined;
    try {
      const files = await copyFiles(input.files, staging);
      const mlmodel = files.some((f) => f.path === MLMODEL) ? await fsp.readFile(path.join(staging, MLMODEL), 'utf8') : null;
      const detected = detectFlavor(
        files.map((f) => f.path),
        mlmodel,
      );
      const totalSize = files.reduce((sum, f) => sum + f.size, 0);
      // The folder takes its place as the last step before COMMIT, and goes back to staging (then
      // is deleted) when the COMMIT fails, as on a full disk: a failed registration leaves no
      // folder. A crash between the rename and the COMMIT leaves a version folder without a row,
      // which the start-up sweep removes; there is never a row without its folder.
      const placed: Array<{ storagePath: string; number: number }> = [];
      let version: number;
      try {
        version = this.db.transaction(() => {
          const now = this.now();
          if (!this.repo.model(input.name)) {
            this.repo.insertModel(input.name, '', input.actor, now);
            this.record(input.actor, 'model.create', input.name, null, {});
          }
          const number = this.repo.nextVersion(input.name);
          const results = evaluateGates(this.repo.gates(input.name), { files, totalSize, metrics: input.metrics });
          const storagePath = path.join(modelDir, String(number));
          this.repo.insertVersion({
            model: input.name,
            version: number,
            source_type: input.source.type,
            source_run_id: input.source.type === 'run' ? input.source.runId : null,
            source_path: input.source.path,
            storage_path: storagePath,
            files: JSON.stringify(files),
            total_size: totalSize,
            flavor: detected.flavor,
            flavors: JSON.stringify(detected.flavors),
            input_schema: detected.inputSchema === null ? null : JSON.stringify(detected.inputSchema),
            metrics: JSON.stringify(input.metrics),
            lineage: JSON.stringify(input.lineage),
            stage: 'None',
            gate_status: gateStatus(results),
            gate_results: JSON.stringify(results),
            description: input.description,
            created_at: now,
            created_by: input.actor,
            updated_at: now,
          });
          this.repo.touchModel(input.name, now);
          this.record(input.actor, 'version.register', input.name, number, {
            source: input.source,
            flavor: detected.flavor,
            files: files.length,
            totalSize,
            gateStatus: gateStatus(results),
            gates: results,
            parents: input.lineage.parents,
          });
          // No row has this number (it is one past the highest), so a folder already there was left
          // by a failed registration or a crash: it is moved aside (and deleted below), never in the way.
          if (fs.existsSync(storagePath)) {
            const aside = orphanPath(modelDir, number);
            fs.renameSync(storagePath, aside);
            asides.push(aside);
            this.busy.add(aside);
          }
          fs.renameSync(staging, storagePath);
          placed.push({ storagePath, number });
          return number;
        })();
      } catch (error) {
        for (const p of placed) this.unplace(p, staging, input.name);
        throw error;
      }
      registered = this.getVersion(input.name, version);
      this.publish(registered, 'registered');
      return registered;
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
      for (const aside of asides) {
        await fsp.rm(aside, { recursive: true, force: true }).catch(() => undefined);
        this.busy.delete(aside);
      }
      release();
      // A failed first registration leaves no empty model folder. Synchronous, so no registration
      // of this process can start using the folder in between; rmdir refuses a non-empty one.
      if (!registered && !this.busyModels.has(input.name)) {
        try {
          fs.rmdirSync(modelDir);
        } catch {
          // Not empty (other versions), or never made.
        }
      }
    }
  }

  /** After a failed COMMIT: the version's folder goes back to staging, unless the row is there after all. */
  private unplace(placed: { storagePath: string; number: number }, staging: string, name: string): void {
    try {
      if (this.repo.version(name, placed.number)) return;
    } catch {
      // The database cannot say; the rollback it reported stands.
    }
    try {
      fs.renameSync(placed.storagePath, staging);
    } catch {
      // Left without a row: the next registration moves it aside, the start-up sweep removes it.
      fs.rmSync(placed.storagePath, { recursive: true, force: true });
    }
  }

  /**
   * Marks a temp folder (and the model folder holding it) as in use by an operation of this
   * process, so the start-up sweep leaves them alone; the returned function releases them.
   */
  private claim(dir: string, modelDir?: string): () => void {
    this.busy.add(dir);
    const model = modelDir === undefined ? undefined : path.basename(modelDir);
    if (model !== undefined) this.busyModels.set(model, (this.busyModels.get(model) ?? 0) + 1);
    return () => {
      this.busy.delete(dir);
      if (model === undefined) return;
      const left = (this.busyModels.get(model) ?? 1) - 1;
      if (left > 0) this.busyModels.set(model, left);
      else this.busyModels.delete(model);
    };
  }

  /** True while an operation of this process uses `file`: a staging, pull or moved-aside folder, or a model folder. */
  private inUse(file: string): boolean {
    const parent = path.dirname(file);
    const name = path.basename(file);
    if (parent === this.modelsRoot && this.busyModels.has(name)) return true;
    for (const dir of this.busy) {
      if (file === dir || file.startsWith(`${dir}${path.sep}`)) return true;
      // pullModel stages next to its target, as `.<target name>.pull-XXXXXX`.
      if (parent === path.dirname(dir) && name.startsWith(`.${path.basename(dir)}.`)) return true;
    }
    return false;
  }

  /**
   * The start-up sweep of `<dataDir>/models` (orphan-folders.ts): leftovers of crashed
   * registrations and pulls, version folders without rows, empty model folders. Safe while the app
   * serves requests: what this process is using, and everything with a row, stays.
   */
  sweepLeftovers(stopped?: () => boolean): Promise<LeftoverFindings> {
    return sweepModelFolders(
      {
        modelsRoot: this.modelsRoot,
        hasVersion: (model, version) => this.repo.versionExists(model, version),
        hasVersions: (model) => this.repo.versionCount(model) > 0,
        inUse: (file) => this.inUse(file),
      },
      stopped,
    );
  }

  private checkParents(parents: readonly ModelVersionRef[]): void {
    for (const parent of parents) {
      if (!this.repo.version(parent.name, parent.version)) {
        throw new OrreryError('NOT_FOUND', `parentVersions: model '${parent.name}' has no version ${parent.version}`);
      }
    }
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
    return { ...this.toVersion(row), transitions, approvals: this.repo.requests(row.model, row.version).map(toRequest), pushes };
  }

  private record(actor: string, action: string, model: string | null, version: number | null, details: Record<string, unknown>): void {
    this.repo.appendAudit({ at: this.now(), actor, action, model, version, details });
  }

  auditLog(name?: string, limit = 500): AuditEntry[] {
    return this.repo.audit(name, limit).map(toAudit);
  }

  // ---- stages ----

  setStage(input: { name: string; version: number; stage: ModelStage; archiveExisting: boolean; actor: string }): ModelVersion {
    const archived: number[] = [];
    this.db.transaction(() => {
      const row = this.versionRow(input.name, input.version);
      if (row.stage === input.stage) return;
      const now = this.now();
      if (input.stage === 'Production') {
        const approved = this.repo.requests(row.model, row.version).some((r) => r.status === 'approved');
        if (!approved) {
          throw conflict(
            `Version ${row.version} of model '${row.model}' has no approved request for Production: ask with registry.requestApproval and have it approved first.`,
          );
        }
        const results = this.evaluate(row);
        if (results.some((r) => !r.passed)) {
          throw conflict(`Version ${row.version} of model '${row.model}' fails its gates (${describeFailures(results)}); it cannot go to Production.`);
        }
        const current = this.repo.productionVersion(row.model);
        if (current !== null) {
          if (!input.archiveExisting) {
            throw conflict(
              `Model '${row.model}' already has version ${current} in Production (one Production version per model): pass archiveExisting: true to archive it.`,
            );
          }
          this.repo.setStage(row.model, current, 'Archived', now);
          this.record(input.actor, 'stage.set', row.model, current, { from: 'Production', to: 'Archived', reason: `version ${row.version} promoted` });
          archived.push(current);
        }
      }
      this.repo.setStage(row.model, row.version, input.stage, now);
      this.repo.touchModel(row.model, now);
      this.record(input.actor, 'stage.set', row.model, row.version, { from: row.stage, to: input.stage, archived });
    })();
    for (const version of archived) this.publish(this.getVersion(input.name, version), 'stage');
    const result = this.getVersion(input.name, input.version);
    this.publish(result, 'stage');
    return result;
  }

  // ---- aliases ----

  setAlias(input: { name: string; alias: string; version: number; actor: string; move?: boolean }): ModelVersion {
    checkAlias(input.alias);
    this.db.transaction(() => {
      const row = this.versionRow(input.name, input.version);
      const existing = this.repo.alias(row.model, input.alias);
      if (existing === row.version) return;
      if (existing !== undefined && !input.move) {
        throw new OrreryError(
          'ALREADY_EXISTS',
          `Alias '${input.alias}' of model '${row.model}' is already on version ${existing}: pass move: true to move it to version ${row.version}.`,
        );
      }
      this.repo.setAlias(row.model, input.alias, row.version);
      this.repo.touchModel(row.model, this.now());
      this.record(input.actor, 'alias.set', row.model, row.version, { alias: input.alias, previousVersion: existing ?? null });
    })();
    const result = this.getVersion(input.name, input.version);
    this.publish(result, 'alias');
    return result;
  }

  deleteAlias(input: { name: string; alias: string; actor: string }): RegisteredModel {
    this.db.transaction(() => {
      this.modelRow(input.name);
      const version = this.repo.alias(input.name, input.alias);
      if (version === undefined) throw new OrreryError('NOT_FOUND', `Model '${input.name}' has no alias '${input.alias}'`);
      this.repo.deleteAlias(input.name, input.alias);
      this.repo.touchModel(input.name, this.now());
      this.record(input.actor, 'alias.delete', input.name, version, { alias: input.alias });
    })();
    return this.getModel(input.name);
  }

  // ---- gates ----

  /** Replaces a model's gates (creating the model if it has no version yet) and re-evaluates its versions. */
  setGates(input: { name: string; gates: readonly GateSpec[]; actor: string }): RegisteredModel {
    checkName(input.name);
    this.db.transaction(() => {
      const now = this.now();
      if (!this.repo.model(input.name)) {
        this.repo.insertModel(input.name, '', input.actor, now);
        this.record(input.actor, 'model.create', input.name, null, {});
      }
      this.repo.replaceGates(input.name, input.gates);
      for (const row of this.repo.versions(input.name)) {
        const results = this.evaluate(row);
        this.repo.setGateResults(row.model, row.version, gateStatus(results), JSON.stringify(results));
      }
      this.repo.touchModel(input.name, now);
      this.record(input.actor, 'gates.set', input.name, null, { gates: input.gates });
    })();
    return this.getModel(input.name);
  }

  // ---- approvals ----

  requestApproval(input: { name: string; version: number; actor: string; comment?: string }): ApprovalRequest {
    const id = this.db.transaction(() => {
      const row = this.versionRow(input.name, input.version);
      if (row.stage === 'Production') throw conflict(`Version ${row.version} of model '${row.model}' is already in Production.`);
      const open = this.repo.requests(row.model, row.version).find((r) => r.status === 'open');
      if (open) throw conflict(`Version ${row.version} of model '${row.model}' already has an open approval request (${open.request_id}).`);
      const requestId = this.repo.insertRequest(row.model, row.version, input.actor, input.comment ?? '', this.now());
      this.record(input.actor, 'approval.request', row.model, row.version, { requestId, targetStage: 'Production', comment: input.comment ?? '' });
      return requestId;
    })();
    const request = this.request(id);
    this.publishRef(request.name, request.version, 'approval');
    return request;
  }

  review(input: { requestId: number; decision: 'approve' | 'reject'; reviewer: string; comment?: string }): ApprovalRequest {
    this.db.transaction(() => {
      const request = this.repo.request(input.requestId);
      if (!request) throw new OrreryError('NOT_FOUND', `No approval request ${input.requestId}`);
      const what = `version ${request.version} of model '${request.model}'`;
      if (request.status === 'rejected' && input.decision === 'approve') {
        throw conflict(
          `Approval request ${request.request_id} for ${what} was rejected by ${request.reviewer ?? 'a reviewer'}; a rejected request cannot be approved. Ask again with registry.requestApproval.`,
        );
      }
      if (request.status !== 'open') throw conflict(`Approval request ${request.request_id} for ${what} is already ${request.status}.`);
      if (input.decision === 'approve') {
        const results = this.evaluate(this.versionRow(request.model, request.version));
        if (results.some((r) => !r.passed)) {
          throw conflict(`The ${what} fails its gates (${describeFailures(results)}); it cannot be approved.`);
        }
      }
      const status = input.decision === 'approve' ? 'approved' : 'rejected';
      this.repo.review(request.request_id, status, input.reviewer, input.comment ?? '', this.now());
      this.record(input.reviewer, `approval.${status === 'approved' ? 'approve' : 'reject'}`, request.model, request.version, {
        requestId: request.request_id,
        comment: input.comment ?? '',
      });
    })();
    const request = this.request(input.requestId);
    this.publishRef(request.name, request.version, 'approval');
    return request;
  }

  /**
   * Approve a version: its open request, or (for scripts and CI) a request opened and approved in
   * one recorded step. A version whose last request was rejected needs a new request first.
   */
  approve(input: { name: string; version: number; reviewer: string; comment?: string }): ApprovalRequest {
    const id = this.db.transaction(() => {
      const row = this.versionRow(input.name, input.version);
      const requests = this.repo.requests(row.model, row.version);
      const open = requests.find((r) => r.status === 'open');
      if (open) return open.request_id;
      const what = `version ${row.version} of model '${row.model}'`;
      const last = requests.reduce<RequestRow | undefined>((latest, r) => (latest === undefined || r.request_id > latest.request_id ? r : latest), undefined);
      if (last?.status === 'approved') throw conflict(`The ${what} is already approved (request ${last.request_id}, by ${last.reviewer ?? 'a reviewer'}).`);
      if (last?.status === 'rejected') {
        throw conflict(
          `The ${what} was rejected by ${last.reviewer ?? 'a reviewer'} (request ${last.request_id}${last.review_comment ? `: ${last.review_comment}` : ''}); open a new approval request before approving it.`,
        );
      }
      if (row.stage === 'Production') throw conflict(`The ${what} is already in Production.`);
      const results = this.evaluate(row);
      if (results.some((r) => !r.passed)) throw conflict(`The ${what} fails its gates (${describeFailures(results)}); it cannot be approved.`);
      const now = this.now();
      const requestId = this.repo.insertRequest(row.model, row.version, input.reviewer, input.comment ?? '', now);
      this.repo.review(requestId, 'approved', input.reviewer, input.comment ?? '', now);
      this.record(input.reviewer, 'approval.approve', row.model, row.version, { requestId, comment: input.comment ?? '', openedAndApproved: true });
      return null;
    })();
    if (id !== null) return this.review({ requestId: id, decision: 'approve', reviewer: input.reviewer, comment: input.comment ?? '' });
    const latest = this.repo.requests(input.name, input.version).reduce((a, b) => (b.request_id > a.request_id ? b : a));
    this.publishRef(input.name, input.version, 'approval');
    return toRequest(latest);
  }

  request(requestId: number): ApprovalRequest {
    const row = this.repo.request(requestId);
    if (!row) throw new OrreryError('NOT_FOUND', `No approval request ${requestId}`);
    return toRequest(row);
  }

  // ---- OCI push / pull ----

  /** Push an approved version to an OCI registry: a config blob (the model card) and one layer per file. */
  async push(input: PushInput): Promise<RegistryPushResult> {
    const row = this.versionRow(input.name, input.version);
    if (!this.repo.requests(row.model, row.version).some((r) => r.status === 'approved')) {
      throw conflict(`version ${row.version} of ${row.model} is not approved: request and approve it first`);
    }
    const ref = parseReference(this.pushReference(input));
    const version = this.toVersion(row);
    const card: ModelCard = {
      name: version.name,
      version: String(version.version),
      flavor: version.flavor,
      metrics: version.metrics,
      lineage: version.lineage,
      files: version.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
    };
    const artifact = await buildModelArtifact(
      version.files.map((f) => ({ path: f.path, absPath: path.join(version.storagePath, ...f.path.split('/')), sha256: f.sha256 })),
      card,
    );
    markOciTempFolder(artifact.workDir);
    try {
      const result = await pushModel(this.ociClient(), ref, artifact, (digest, sent, total) =>
        this.bus?.publish('registry.pushProgress', { name: version.name, version: version.version, digest, sent, total }),
      );
      this.record(input.actor, 'pushed', version.name, version.version, {
        reference: result.reference,
        digest: result.digest,
        uploaded: result.uploaded.length,
        skipped: result.skipped.length,
        bytesSent: result.bytesSent,
      });
      return { reference: result.reference, digest: result.digest, uploaded: result.uploaded.length, skipped: result.skipped.length };
    } finally {
      await artifact.dispose();
    }
  }

  /** Pull an Orrery model artifact and register it as a new version of `name` (default: the card's name). */
  async pull(input: { reference: string; name?: string | undefined; actor: string }): Promise<ModelVersion> {
    if (input.name !== undefined) checkName(input.name);
    const ref = parseReference(input.reference);
    await fsp.mkdir(this.modelsRoot, { recursive: true });
    // A leading '.' keeps the staging folder apart from model folders (names start with a letter or digit).
    const staging = path.join(this.modelsRoot, `${PULL_PREFIX}${randomUUID()}`);
    const release = this.claim(staging);
    try {
      const pulled = await pullModel(this.ociClient(), ref, staging);
      const name = input.name ?? pulled.card.name;
      checkName(name);
      const card = pulled.card as ModelCard & { metrics?: unknown; lineage?: unknown };
      const metrics = card.metrics && typeof card.metrics === 'object' && !Array.isArray(card.metrics) ? (card.metrics as Record<string, MetricValue>) : {};
      const originalLineage = card.lineage && typeof card.lineage === 'object' ? (card.lineage as ModelLineage) : null;
      const reference = input.reference.trim();
      const version = await this.registerFolder(
        { folder: staging, name, actor: input.actor, description: `Pulled from ${reference}` },
        { lineage: { pulledFrom: reference, digest: pulled.digest, originalLineage }, metrics, sourcePath: reference },
      );
      this.record(input.actor, 'pulled', version.name, version.version, {
        reference,
        digest: pulled.digest,
        cardName: card.name,
        cardVersion: card.version,
      });
      return version;
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
      release();
    }
  }

  // ---- helpers ----

  private pushReference(input: PushInput): string {
    if (input.reference !== undefined) return input.reference;
    if (input.remote === undefined) throw invalid('reference: give a reference (host/repository:tag) or a configured remote');
    if (!this.remotes) throw new OrreryError('UNAVAILABLE', 'remote registries are not configured in this app');
    return this.remotes.referenceFor(input.remote, input.name, input.tag ?? `v${input.version}`);
  }

  private evaluate(row: VersionRow): GateResult[] {
    return evaluateGates(this.repo.gates(row.model), {
      files: JSON.parse(row.files) as ModelFile[],
      totalSize: row.total_size,
      metrics: JSON.parse(row.metrics) as Record<string, MetricValue>,
    });
  }

  private modelRow(name: string) {
    const row = this.repo.model(name);
    if (!row) throw new OrreryError('NOT_FOUND', `No registered model named '${name}'`);
    return row;
  }

  private versionRow(name: string, version: number): VersionRow {
    this.modelRow(name);
    const row = this.repo.version(name, version);
    if (!row) throw new OrreryError('NOT_FOUND', `Model '${name}' has no version ${version}`);
    return row;
  }

  private resolveAlias(name: string, alias: string): number {
    this.modelRow(name);
    const version = this.repo.alias(name, alias);
    if (version === undefined) throw new OrreryError('NOT_FOUND', `Model '${name}' has no alias '${alias}'`);
    return version;
  }

  private toVersion(row: VersionRow): ModelVersion {
    const source: ModelSource =
      row.source_type === 'run' ? { type: 'run', runId: row.source_run_id ?? '', path: row.source_path } : { type: 'folder', path: row.source_path };
    return {
      name: row.model,
      version: row.version,
      source,
      storagePath: row.storage_path,
      files: JSON.parse(row.files) as ModelFile[],
      totalSize: row.total_size,
      flavor: row.flavor as ModelFlavor,
      flavors: JSON.parse(row.flavors) as string[],
      inputSchema: row.input_schema === null ? null : (JSON.parse(row.input_schema) as unknown),
      metrics: JSON.parse(row.metrics) as Record<string, MetricValue>,
      lineage: JSON.parse(row.lineage) as ModelLineage,
      stage: row.stage,
      aliases: this.repo
        .aliases(row.model)
        .filter((a) => a.version === row.version)
        .map((a) => a.alias),
      gateStatus: row.gate_status,
      gates: JSON.parse(row.gate_results) as GateResult[],
      description: row.description,
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
    };
  }

  private publish(version: ModelVersion, change: RegistryVersionEvent['change']): void {
    this.bus?.publish('registry.version', { name: version.name, version: version.version, stage: version.stage, change });
  }

  private publishRef(name: string, version: number, change: RegistryVersionEvent['change']): void {
    const row = this.repo.version(name, version);
    if (row) this.bus?.publish('registry.version', { name, version, stage: row.stage, change });
  }
}

function checkName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw invalid(`name: ${JSON.stringify(name)} is not a valid model name (letters, digits, '.', '_' or '-', starting with a letter or digit).`);
  }
}

function checkAlias(alias: string): void {
  if (!ALIAS_NAME.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw invalid(`alias: ${JSON.stringify(alias)} is not a valid alias (letters, digits, '_' or '-'; not 'latest' or 'v<number>').`);
  }
}

function toRequest(row: RequestRow): ApprovalRequest {
  return {
    requestId: row.request_id,
    name: row.model,
    version: row.version,
    targetStage: row.target_stage,
    requestedBy: row.requested_by,
    comment: row.comment,
    requestedAt: row.requested_at,
    status: row.status,
    reviewer: row.reviewer,
    reviewComment: row.review_comment,
    reviewedAt: row.reviewed_at,
  };
}

function toAudit(row: AuditRow): AuditEntry {
  return {
    id: row.audit_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    name: row.model,
    version: row.version,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
