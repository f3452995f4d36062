import { z } from 'zod';
import { method, event, type EventsOf } from './define';
import type { MetricValue } from './tracking';

export const modelStages = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelStage = (typeof modelStages)[number];

export const modelFlavors = ['mlflow', 'sklearn', 'onnx', 'pytorch', 'safetensors', 'unknown'] as const;
export type ModelFlavor = (typeof modelFlavors)[number];

export interface ModelFile {
  /** Relative to the version's folder, '/'-separated. */
  path: string;
  sha256: string;
  size: number;
}

export type GateSpec =
  | { kind: 'required_file'; path: string }
  | { kind: 'metric'; metric: string; op: '>=' | '>' | '<=' | '<' | '=='; value: number }
  | { kind: 'max_size'; bytes: number };

export interface GateResult {
  gate: GateSpec;
  passed: boolean;
  /** What the version has: the metric value, the total size, 'present' / 'missing'; null when the metric is absent. */
  actual: string | number | null;
  /** What the gate asks for, as text: ">= 0.9", "<= 1048576 bytes", "present". */
  expected: string;
}

export type GateStatus = 'passed' | 'failed' | 'none';

export interface ModelVersionRef {
  name: string;
  version: number;
}

export interface ModelLineage {
  runId: string | null;
  runName: string | null;
  experimentId: string | null;
  experimentName: string | null;
  params: Record<string, string>;
  imageDigest: string | null;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
  inputs: Array<{ name: string; digest: string; sourceType: string; source: string }>;
  parents: ModelVersionRef[];
  /** Set on versions pulled from an OCI registry: the reference they came from. */
  pulledFrom?: string;
  /** The manifest digest of the pulled artifact. */
  digest?: string;
  /** The lineage the model card carried (null when it had none). */
  originalLineage?: ModelLineage | null;
}

export type ModelSource = { type: 'run'; runId: string; path: string } | { type: 'folder'; path: string };

export interface ModelVersion {
  name: string;
  version: number;
  source: ModelSource;
  /** Where the immutable copy of the files lives: `<dataDir>/models/<name>/<version>`. */
  storagePath: string;
  files: ModelFile[];
  totalSize: number;
  flavor: ModelFlavor;
  /** For MLflow model folders: the keys of `flavors` in MLmodel (python_function, sklearn, …). */
  flavors: string[];
  /** MLmodel `signature.inputs`, parsed; null when unknown. */
  inputSchema: unknown;
  metrics: Record<string, MetricValue>;
  lineage: ModelLineage;
  stage: ModelStage;
  aliases: string[];
  gateStatus: GateStatus;
  gates: GateResult[];
  description: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

export interface StageTransition {
  at: number;
  actor: string;
  from: ModelStage;
  to: ModelStage;
}

/** A push of this version to an OCI registry, from the audit log: lineage's downstream end. */
export interface VersionPush {
  at: number;
  actor: string;
  reference: string;
  digest: string;
}

export interface ModelVersionDetail extends ModelVersion {
  transitions: StageTransition[];
  approvals: ApprovalRequest[];
  pushes: VersionPush[];
}

export interface ModelVersionSummary {
  version: number;
  stage: ModelStage;
  flavor: ModelFlavor;
  gateStatus: GateStatus;
  aliases: string[];
  createdAt: number;
  createdBy: string;
  runId: string | null;
}

export interface RegisteredModelSummary {
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  latestVersion: number | null;
  versionCount: number;
  productionVersion: number | null;
  aliases: Record<string, number>;
}

export interface RegisteredModel extends RegisteredModelSummary {
  versions: ModelVersionSummary[];
  gates: GateSpec[];
  approvals: ApprovalRequest[];
}

export type ApprovalStatus = 'open' | 'approved' | 'rejected';

export interface ApprovalRequest {
  requestId: number;
  name: string;
  version: number;
  targetStage: 'Production';
  requestedBy: string;
  comment: string;
  requestedAt: number;
  status: ApprovalStatus;
  reviewer: string | null;
  reviewComment: string | null;
  reviewedAt: number | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  name: string | null;
  version: number | null;
  details: Record<string, unknown>;
}

export interface RegistryVersionEvent {
  name: string;
  version: number;
  stage: ModelStage;
  change: 'registered' | 'stage' | 'alias' | 'approval' | 'gates';
}

/** A registry change as its audit entry names it: the model (null for none) and the action. */
export interface RegistryAuditEvent {
  name: string | null;
  action: string;
}

/** Bytes of one blob sent so far while pushing a version to an OCI registry. */
export interface RegistryPushProgressEvent {
  name: string;
  version: number;
  digest: string;
  sent: number;
  total: number;
}

export interface RegistryPushResult {
  /** The pushed reference, with the manifest digest. */
  reference: string;
  digest: string;
  /** Blobs sent, and blobs the registry already had. */
  uploaded: number;
  skipped: number;
}

export const registryEvents = {
  'registry.version': event<RegistryVersionEvent>('A model version was registered or changed (stage, alias, gates, approval)'),
  'registry.pushProgress': event<RegistryPushProgressEvent>('Progress of a push to a remote registry'),
  'registry.audit': event<RegistryAuditEvent>("An entry was added to the registry's audit log (any change: gates, aliases, pushes, pulls too)"),
};
export type RegistryEvents = EventsOf<typeof registryEvents>;

/** A model name is also a folder name under `<dataDir>/models`, so it stays plain. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** MLflow's alias rules: letters, digits, '_' and '-'; not 'latest', not 'v<number>' (version references). */
export const ALIAS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const modelName = z.string().regex(MODEL_NAME, "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128)");
const version = z.number().int().min(1, 'must be a version number (1 or more)');
const actor = z.string().trim().min(1, 'must name who does this').max(200);
const alias = z
  .string()
  .regex(ALIAS_NAME, "must contain only letters, digits, '_' or '-'")
  .refine((a) => a.toLowerCase() !== 'latest' && !/^v\d+$/i.test(a), "is reserved ('latest' and 'v<number>' refer to versions)");
const ociReference = z.string().trim().min(1, 'must be an OCI reference (host/repository:tag)').max(1000);
const parentVersions = z.array(z.object({ name: modelName, version }).strict()).max(50).default([]);

export const gateSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('required_file'), path: z.string().min(1).max(1000) }).strict(),
  z
    .object({
      kind: z.literal('metric'),
      metric: z.string().min(1).max(250),
      op: z.enum(['>=', '>', '<=', '<', '==']),
      value: z.number().finite(),
    })
    .strict(),
  z.object({ kind: z.literal('max_size'), bytes: z.number().int().min(0) }).strict(),
]);

export const registryMethods = {
  'registry.listModels': method<RegisteredModelSummary[]>()(z.object({}).strict(), 'Registered models, most recently changed first.'),
  'registry.getModel': method<RegisteredModel>()(z.object({ name: modelName }).strict(), 'A model with its versions, aliases, gates and approval requests.'),
  'registry.getVersion': method<ModelVersionDetail>()(
    z
      .object({ name: modelName, version: version.optional(), alias: z.string().min(1).optional() })
      .strict()
      .refine((v) => (v.version === undefined) !== (v.alias === undefined), { message: 'give exactly one of version or alias', path: ['version'] }),
    'One version (by number or alias): files, flavor, schema, metrics, lineage, gates, transitions and approvals.',
  ),
  'registry.registerFromRun': method<ModelVersion>()(
    z
      .object({
        runId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex run id'),
        path: z.string().max(1000).default(''),
        name: modelName,
        parentVersions,
        description: z.string().max(5000).default(''),
        actor: actor.optional(),
      })
      .strict(),
    "Register a new version from a run's artifacts (a folder within them, or all of them).",
  ),
  'registry.registerFromFolder': method<ModelVersion>()(
    z
      .object({
        folder: z.string().min(1, 'must be an absolute folder path'),
        name: modelName,
        parentVersions,
        description: z.string().max(5000).default(''),
        actor: actor.optional(),
      })
      .strict(),
    'Register a new version from a local folder.',
  ),
  'registry.setStage': method<ModelVersion>()(
    z.object({ name: modelName, version, stage: z.enum(modelStages), archiveExisting: z.boolean().default(false), actor }).strict(),
    'Move a version to a stage; Production needs an approved request.',
  ),
  'registry.setAlias': method<ModelVersion>()(
    z.object({ name: modelName, alias, version, actor, move: z.boolean().default(false) }).strict(),
    'Point an alias (champion, challenger, …) at a version; one already on another version moves only with move: true.',
  ),
  'registry.deleteAlias': method<RegisteredModel>()(z.object({ name: modelName, alias: z.string().min(1), actor }).strict(), 'Remove an alias.'),
  'registry.setGates': method<RegisteredModel>()(
    z.object({ name: modelName, gates: z.array(gateSpecSchema).max(100), actor }).strict(),
    "Replace a model's validation gates (creating the model if needed) and re-evaluate its versions.",
  ),
  'registry.requestApproval': method<ApprovalRequest>()(
    z.object({ name: modelName, version, actor, comment: z.string().max(5000).default('') }).strict(),
    'Ask for approval to move a version to Production.',
  ),
  'registry.review': method<ApprovalRequest>()(
    z
      .object({
        requestId: z.number().int().min(1),
        decision: z.enum(['approve', 'reject']),
        reviewer: actor,
        comment: z.string().max(5000).default(''),
      })
      .strict(),
    'Approve or reject an open request; a version failing a gate cannot be approved.',
  ),
  'registry.approve': method<ApprovalRequest>()(
    z.object({ name: modelName, version, reviewer: actor, comment: z.string().max(5000).default('') }).strict(),
    'Approve a version for Production: its open request, or, when it has none, a request opened and approved in one recorded step.',
  ),
  'registry.push': method<RegistryPushResult>()(
    z
      .object({
        name: modelName,
        version,
        reference: ociReference.optional(),
        remote: z.string().min(1).max(100).optional(),
        tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an OCI tag (letters, digits, '_', '.', '-'; at most 128)").optional(),
        actor,
      })
      .strict()
      .refine((v) => (v.reference === undefined) !== (v.remote === undefined), {
        message: 'give exactly one of reference (host/repository:tag) or remote (a configured registry)',
        path: ['reference'],
      })
      .refine((v) => v.tag === undefined || v.remote !== undefined, { message: 'tag goes with remote; a reference carries its own tag', path: ['tag'] }),
    'Push an approved version to an OCI registry as an Orrery model artifact (blobs the registry has are skipped): to a reference, or to a configured remote as <prefix>/<name>:<tag> (default tag v<version>).',
  ),
  'registry.pull': method<ModelVersion>()(
    z.object({ reference: ociReference, name: modelName.optional(), actor }).strict(),
    "Pull an Orrery model artifact from an OCI registry and register it as a new version (of `name`, default the card's name).",
  ),
  'registry.listAudit': method<AuditEntry[]>()(
    z.object({ name: modelName.optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    'The registry audit log, newest first, for one model or all.',
  ),
};
