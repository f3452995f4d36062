import path from 'node:path';
import type {
  ApprovalRequest,
  AuditEntry,
  GateSpec,
  ModelStage,
  ModelVersion,
  ModelVersionDetail,
  RegisteredModel,
  RegisteredModelSummary,
  RegistryPushResult,
} from '../../../shared/contract/registry';
import type { EventBus } from '../events/event-bus';
import type { LeftoverFindings } from '../store/crash-leftovers';
import { ModelFolderClaims } from './model-folder-claims';
import { ModelRegistration, type RegisterFromFolderInput, type RegisterFromRunInput } from './model-registration';
import type { OciClient } from './oci/oci-client';
import { OciTransfer, type PushInput } from './oci-transfer';
import { sweepModelFolders } from './orphan-folders';
import type { RunArtifactsReader, RunInfoReader } from './ports';
import { RegistryRecords } from './registry-records';
import type { RegistryRepository } from './registry-repository';
import type { RemoteRegistries } from './remote-registries';
import { StagesAndAliases } from './stages-and-aliases';
import { VersionApprovals } from './version-approvals';

export type { RegisterFromFolderInput, RegisterFromRunInput } from './model-registration';
export type { PushInput } from './oci-transfer';

export interface ModelRegistryDeps {
  /** The registry's tables. */
  repository: RegistryRepository;
  /** The runs versions are registered from (TrackingService). */
  tracking: RunInfoReader;
  /** Their artifact folders (ArtifactStore). */
  artifacts: RunArtifactsReader;
  /** Versions are copied to `<dataDir>/models/<name>/<version>`. */
  dataDir: string;
  bus?: EventBus;
  now?: () => number;
  /** Makes the client for registry.push / registry.pull (the registry area: docker config credentials, resumable uploads). */
  ociClient: () => OciClient;
  /** Remote registries from settings, for pushes addressed by remote name. */
  remotes?: RemoteRegistries;
}

/**
 * The model registry: immutable versions copied out of runs or local folders, stages and aliases
 * as MLflow has them, validation gates, approvals for Production, and an append-only audit log.
 * A facade over its parts (registration, stages and aliases, approvals, OCI transfer), which the
 * RPC handlers and the start-up sweep call through.
 */
export class ModelRegistryService {
  private readonly repo: RegistryRepository;
  private readonly records: RegistryRecords;
  private readonly claims: ModelFolderClaims;
  private readonly registration: ModelRegistration;
  private readonly stages: StagesAndAliases;
  private readonly approvals: VersionApprovals;
  private readonly transfer: OciTransfer;

  constructor(deps: ModelRegistryDeps) {
    const repo = deps.repository;
    const records = new RegistryRecords(repo, deps.now ?? Date.now, deps.bus);
    const claims = new ModelFolderClaims(path.join(deps.dataDir, 'models'));
    const registration = new ModelRegistration({ repo, records, claims, runs: deps.tracking, artifacts: deps.artifacts });
    this.repo = repo;
    this.records = records;
    this.claims = claims;
    this.registration = registration;
    this.stages = new StagesAndAliases(repo, records);
    this.approvals = new VersionApprovals(repo, records);
    this.transfer = new OciTransfer({
      repo,
      records,
      registration,
      claims,
      ociClient: deps.ociClient,
      remotes: deps.remotes,
      bus: deps.bus,
    });
  }

  // ---- registration ----

  registerFromRun(input: RegisterFromRunInput): Promise<ModelVersion> {
    return this.registration.registerFromRun(input);
  }

  registerFromFolder(input: RegisterFromFolderInput): Promise<ModelVersion> {
    return this.registration.registerFromFolder(input);
  }

  /**
   * The start-up sweep of `<dataDir>/models` (orphan-folders.ts): leftovers of crashed
   * registrations and pulls, version folders without rows, empty model folders. Safe while the app
   * serves requests: what this process is using, and everything with a row, stays.
   */
  sweepLeftovers(stopped?: () => boolean): Promise<LeftoverFindings> {
    return sweepModelFolders(
      {
        modelsRoot: this.claims.modelsRoot,
        hasVersion: (model, version) => this.repo.versionExists(model, version),
        hasVersions: (model) => this.repo.versionCount(model) > 0,
        inUse: (file) => this.claims.inUse(file),
      },
      stopped,
    );
  }

  // ---- reading ----

  listModels(): RegisteredModelSummary[] {
    return this.records.listModels();
  }

  getModel(name: string): RegisteredModel {
    return this.records.getModel(name);
  }

  /** A version by number, or by alias. */
  getVersion(name: string, ref: number | { alias: string }): ModelVersionDetail {
    return this.records.getVersion(name, ref);
  }

  auditLog(name?: string, limit = 500): AuditEntry[] {
    return this.records.auditLog(name, limit);
  }

  request(requestId: number): ApprovalRequest {
    return this.records.request(requestId);
  }

  // ---- stages and aliases ----

  setStage(input: { name: string; version: number; stage: ModelStage; archiveExisting: boolean; actor: string }): ModelVersion {
    return this.stages.setStage(input);
  }

  setAlias(input: { name: string; alias: string; version: number; actor: string; move?: boolean }): ModelVersion {
    return this.stages.setAlias(input);
  }

  deleteAlias(input: { name: string; alias: string; actor: string }): RegisteredModel {
    return this.stages.deleteAlias(input);
  }

  // ---- gates and approvals ----

  setGates(input: { name: string; gates: readonly GateSpec[]; actor: string }): RegisteredModel {
    return this.approvals.setGates(input);
  }

  requestApproval(input: { name: string; version: number; actor: string; comment?: string }): ApprovalRequest {
    return this.approvals.requestApproval(input);
  }

  review(input: { requestId: number; decision: 'approve' | 'reject'; reviewer: string; comment?: string }): ApprovalRequest {
    return this.approvals.review(input);
  }

  approve(input: { name: string; version: number; reviewer: string; comment?: string }): ApprovalRequest {
    return this.approvals.approve(input);
  }

  // ---- OCI push / pull ----

  push(input: PushInput): Promise<RegistryPushResult> {
    return this.transfer.push(input);
  }

  pull(input: { reference: string; name?: string | undefined; actor: string }): Promise<ModelVersion> {
    return this.transfer.pull(input);
  }
}
