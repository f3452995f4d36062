import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ModelLineage, ModelVersion, RegistryPushResult } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import { conflict, invalid, OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { ModelFolderClaims } from './model-folder-claims';
import type { ModelRegistration } from './model-registration';
import { KeyedLock } from './keyed-lock';
import { buildModelArtifact, pullModel, pushModel, type ModelCard } from './oci/model-artifact';
import type { OciClient } from './oci/oci-client';
import { parseReference } from './oci/reference';
import { markOciTempFolder } from './oci-temp-folders';
import { PULL_PREFIX } from './orphan-folders';
import { checkName } from './registry-checks';
import type { RegistryRecords } from './registry-records';
import type { RegistryRepository } from './registry-repository';
import type { RemoteRegistries } from './remote-registries';

export interface PushInput {
  name: string;
  version: number;
  /** host/repository:tag; or give `remote` (and optionally `tag`). */
  reference?: string | undefined;
  remote?: string | undefined;
  tag?: string | undefined;
  actor: string;
}

export interface OciTransferDeps {
  repo: RegistryRepository;
  records: RegistryRecords;
  registration: ModelRegistration;
  claims: ModelFolderClaims;
  /** Makes the client for one push or pull. */
  ociClient: () => OciClient;
  /** Remote registries from settings, for pushes addressed by remote name. */
  remotes?: RemoteRegistries | undefined;
  bus?: EventBus | undefined;
}

/** Versions as OCI artifacts: pushing an approved version to a registry, pulling one back as a new version. */
export class OciTransfer {
  /** Pulls into one model, one at a time from the re-pull check to the new version's row. */
  private readonly pullLocks = new KeyedLock();

  constructor(private readonly deps: OciTransferDeps) {}

  /** Push an approved version to an OCI registry: a config blob (the model card) and one layer per file. */
  async push(input: PushInput): Promise<RegistryPushResult> {
    const { repo, records, bus } = this.deps;
    const row = records.versionRow(input.name, input.version);
    if (!repo.requests(row.model, row.version).some((r) => r.status === 'approved')) {
      throw conflict(`version ${row.version} of ${row.model} is not approved: request and approve it first`);
    }
    const ref = parseReference(this.pushReference(input));
    const version = records.version(row);
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
      const result = await pushModel(this.deps.ociClient(), ref, artifact, (digest, sent, total) =>
        bus?.publish('registry.pushProgress', { name: version.name, version: version.version, digest, sent, total }),
      );
      records.record(input.actor, 'pushed', version.name, version.version, {
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

  /**
   * Pull an Orrery model artifact and register it as a new version of `name` (default: the card's
   * name). An artifact (manifest digest) already pulled into that model, or pushed from one of its
   * versions, is refused as CONFLICT naming the version, before any layer is downloaded; and again,
   * serialised per model and inside the transaction that inserts the version, so of concurrent
   * pulls of one artifact exactly one makes a version.
   */
  async pull(input: { reference: string; name?: string | undefined; actor: string }): Promise<ModelVersion> {
    const { claims, records } = this.deps;
    const reference = input.reference.trim();
    if (input.name !== undefined) checkName(input.name);
    const ref = parseReference(input.reference);
    await fsp.mkdir(claims.modelsRoot, { recursive: true });
    // A leading '.' keeps the staging folder apart from model folders (names start with a letter or digit).
    const staging = path.join(claims.modelsRoot, `${PULL_PREFIX}${randomUUID()}`);
    const release = claims.claim(staging);
    try {
      const pulled = await pullModel(this.deps.ociClient(), ref, staging, {
        beforeDownload: ({ digest, card }) => {
          const name = input.name ?? card.name;
          checkName(name);
          this.refuseRepull(reference, name, digest);
        },
      });
      const name = input.name ?? pulled.card.name;
      const card = pulled.card as ModelCard & { metrics?: unknown; lineage?: unknown };
      const metrics = card.metrics && typeof card.metrics === 'object' && !Array.isArray(card.metrics) ? (card.metrics as Record<string, MetricValue>) : {};
      const originalLineage = card.lineage && typeof card.lineage === 'object' ? (card.lineage as ModelLineage) : null;
      return await this.pullLocks.run(name, async () => {
        // Again: a pull of the same artifact may have finished while this one downloaded.
        this.refuseRepull(reference, name, pulled.digest);
        const version = await this.deps.registration.registerFromFolder(
          { folder: staging, name, actor: input.actor, description: `Pulled from ${reference}` },
          {
            lineage: { pulledFrom: reference, digest: pulled.digest, originalLineage },
            metrics,
            sourcePath: reference,
            beforeInsert: () => this.refuseRepull(reference, name, pulled.digest),
          },
        );
        records.record(input.actor, 'pulled', version.name, version.version, {
          reference,
          digest: pulled.digest,
          cardName: card.name,
          cardVersion: card.version,
        });
        return version;
      });
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
      release();
    }
  }

  /** A second copy of one artifact would be a version that differs from the first in nothing. */
  private refuseRepull(reference: string, name: string, digest: string): void {
    const existing = this.deps.repo.pulledVersion(name, digest);
    if (existing !== undefined) {
      throw conflict(`${reference} was already pulled as version ${existing} of ${name} (the same artifact, ${digest}); no new version was made.`);
    }
    const origin = this.deps.repo.pushedVersion(name, digest);
    if (origin !== undefined) {
      throw conflict(`${reference} is version ${origin.version} of ${name}, pushed as ${origin.reference}; no new version was made.`);
    }
  }

  private pushReference(input: PushInput): string {
    if (input.reference !== undefined) return input.reference;
    if (input.remote === undefined) throw invalid('reference: give a reference (host/repository:tag) or a configured remote');
    if (!this.deps.remotes) throw new OrreryError('UNAVAILABLE', 'remote registries are not configured in this app');
    return this.deps.remotes.referenceFor(input.remote, input.name, input.tag ?? `v${input.version}`);
  }
}
