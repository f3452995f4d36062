import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ModelLineage, ModelSource, ModelVersion, ModelVersionDetail, ModelVersionRef } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import { invalid, OrreryError } from '../../../shared/errors';
import { parseArtifactPath } from '../../../shared/artifact-path';
import { detectFlavor, MLMODEL } from './flavor-detector';
import { evaluateGates, gateStatus } from './gates';
import type { ModelFolderClaims } from './model-folder-claims';
import { copyFiles, localFolderFiles, runArtifactFiles, type SourceFile } from './model-files';
import { orphanPath, STAGING_PREFIX } from './orphan-folders';
import type { RunArtifactsReader, RunInfoReader } from './ports';
import { checkName, DEFAULT_ACTOR } from './registry-checks';
import type { RegistryRecords } from './registry-records';
import type { RegistryRepository } from './registry-repository';

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

/** What a pull adds to a folder registration: where it came from, and the card's metrics. */
export interface RegistrationExtras {
  lineage?: Partial<ModelLineage>;
  metrics?: Record<string, MetricValue>;
  sourcePath?: string;
  /**
   * Runs inside the transaction that inserts the version, before the number is taken: throwing
   * refuses the registration with nothing written (a pull re-checks that its artifact is not a version yet).
   */
  beforeInsert?: () => void;
}

export interface ModelRegistrationDeps {
  repo: RegistryRepository;
  records: RegistryRecords;
  claims: ModelFolderClaims;
  runs: RunInfoReader;
  artifacts: RunArtifactsReader;
}

/**
 * Registering a version: its files copied (and hashed) out of a run's artifacts or a local folder
 * into `<models>/<name>/<version>`, its flavor detected, its gates evaluated, its lineage kept.
 */
export class ModelRegistration {
  constructor(private readonly deps: ModelRegistrationDeps) {}

  async registerFromRun(input: RegisterFromRunInput): Promise<ModelVersion> {
    checkName(input.name);
    const { runs } = this.deps;
    const run = runs.getRunDetail(input.runId);
    if (run.lifecycleStage !== 'active') throw invalid(`Run ${run.runId} is deleted; restore it before registering a model from it.`);
    const segments = parseArtifactPath(input.path, { encoded: false });
    this.checkParents(input.parentVersions ?? []);
    const files = await runArtifactFiles(this.deps.artifacts, run.experimentId, run.runId, segments);
    if (files.length === 0) {
      const where = segments.length === 0 ? '' : ` under '${segments.join('/')}'`;
      throw invalid(`Run ${run.runId} has no artifacts${where}: there is nothing to register as model '${input.name}'.`);
    }
    let experimentName: string | null = null;
    try {
      experimentName = runs.getExperiment(run.experimentId).name;
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

  async registerFromFolder(input: RegisterFromFolderInput, extra: RegistrationExtras = {}): Promise<ModelVersion> {
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
      beforeInsert: extra.beforeInsert,
    });
  }

  private checkParents(parents: readonly ModelVersionRef[]): void {
    for (const parent of parents) {
      if (!this.deps.repo.version(parent.name, parent.version)) {
        throw new OrreryError('NOT_FOUND', `parentVersions: model '${parent.name}' has no version ${parent.version}`);
      }
    }
  }

  private async register(input: {
    name: string;
    files: SourceFile[];
    source: ModelSource;
    metrics: Record<string, MetricValue>;
    lineage: ModelLineage;
    description: string;
    actor: string;
    beforeInsert?: (() => void) | undefined;
  }): Promise<ModelVersion> {
    const { repo, records, claims } = this.deps;
    const modelDir = path.join(claims.modelsRoot, input.name);
    const staging = path.join(modelDir, `${STAGING_PREFIX}${randomUUID()}`);
    const asides: string[] = [];
    const release = claims.claim(staging, modelDir);
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
        version = repo.transaction(() => {
          input.beforeInsert?.();
          const now = records.now();
          records.ensureModel(input.name, input.actor, now);
          const number = repo.nextVersion(input.name);
          const results = evaluateGates(repo.gates(input.name), { files, totalSize, metrics: input.metrics });
          const storagePath = path.join(modelDir, String(number));
          repo.insertVersion({
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
          repo.touchModel(input.name, now);
          records.record(input.actor, 'version.register', input.name, number, {
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
            claims.hold(aside);
          }
          fs.renameSync(staging, storagePath);
          placed.push({ storagePath, number });
          return number;
        });
      } catch (error) {
        for (const p of placed) this.unplace(p, staging, input.name);
        throw error;
      }
      registered = records.getVersion(input.name, version);
      records.publish(registered, 'registered');
      return registered;
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
      for (const aside of asides) {
        await fsp.rm(aside, { recursive: true, force: true }).catch(() => undefined);
        claims.release(aside);
      }
      release();
      // A failed first registration leaves no empty model folder. Synchronous, so no registration
      // of this process can start using the folder in between; rmdir refuses a non-empty one.
      if (!registered && !claims.modelBusy(input.name)) {
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
      if (this.deps.repo.version(name, placed.number)) return;
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
}
