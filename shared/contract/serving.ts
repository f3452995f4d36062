import { z } from 'zod';
import { method, event, type EventsOf } from './define';
import { ALIAS_NAME, MODEL_NAME } from './registry';

/** How a new version replaces the one serving. */
export const rolloutStrategies = ['canary', 'blue-green', 'rolling', 'shadow'] as const;
export type RolloutStrategy = (typeof rolloutStrategies)[number];

/** What a deployment is doing as a whole. */
export type DeploymentStatus = 'starting' | 'running' | 'degraded' | 'stopped' | 'failed';

/** One container of one version. */
export type ReplicaState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface ReplicaView {
  replicaId: string;
  version: number;
  state: ReplicaState;
  /** The container's own scoring URL (http://127.0.0.1:<port>), for calling one replica directly. */
  url: string;
  containerId: string | null;
  restarts: number;
  /** Why it is not ready (its last log lines when it died), null when ready. */
  reason: string | null;
  gpuIndices: number[];
}

/**
 * A version's part in the deployment: 'stable' serves; 'candidate' takes a share during a canary
 * or replaces stable in a rolling or blue-green rollout; 'shadow' gets copies whose answers are
 * discarded; 'retiring' is the old version kept warm after a blue-green switch.
 */
export type VersionRole = 'stable' | 'candidate' | 'shadow' | 'retiring';

export interface DeploymentVersionView {
  version: number;
  /** How it was asked for: "3" or "@champion" (an alias is resolved once, when asked). */
  requestedAs: string;
  role: VersionRole;
  /** Share of traffic in percent, 0–100; the weights of a deployment add up to 100 when it serves. */
  weight: number;
  /** Whether the registry holds an approved approval request for this version. */
  approved: boolean;
  image: string;
  replicas: ReplicaView[];
}

/** Per-deployment settings, chosen at creation (scale changes replicas). */
export interface DeploymentSettings {
  replicas: number;
  /** CPUs each replica reserves (default 0.5). */
  cpus: number;
  /** Memory each replica reserves, GB (default 0.5). */
  memoryGb: number;
  gpus: number;
  /** The serving image; orrery/serve:local or a local image built FROM it. */
  image: string;
  /** A request running longer is answered 504 (default 60 s). */
  timeoutSeconds: number;
  /** A bigger body is answered 413 (default 100 MB). */
  maxBodyMb: number;
  /** Versions must be approved in the registry before they can be deployed here. */
  requireApproval: boolean;
  /** Whether callers must send `Authorization: Bearer <token>` (the token: serving.getDeploymentToken). */
  requireToken: boolean;
  /** Whether requests are written to the request log (inputs and predictions). */
  logRequests: boolean;
  /** A registry alias (e.g. champion) moved to each version this deployment promotes; null: none. */
  promoteAlias: string | null;
}

/** Limits and pace of a rollout; the defaults are those of `orrery deploy rollout`. */
export interface RolloutSettings {
  /** Candidate weights in percent, ascending, the last 100 (canary). */
  steps: number[];
  /** Candidate requests a step needs before it may advance (canary, shadow). */
  minRequests: number;
  /** Time a step needs before it may advance, ms. */
  intervalMs: number;
  /** Highest candidate error rate (0–1) a check passes. */
  maxErrorRate: number;
  /** Highest candidate p95 in ms a check passes; null: no absolute limit. */
  maxP95Ms: number | null;
  /** Highest candidate p95 as a multiple of stable's p95. */
  maxP95Factor: number;
  /** Consecutive failed checks that roll back. */
  failureLimit: number;
  /** Share of requests copied to a shadow, percent. */
  shadowShare: number;
  /** Shadow: promote by itself once agreement is at least this (0–1) and checks pass; null: promote by hand. */
  shadowMinAgreement: number | null;
  /** Blue-green: how long the old version stays warm after the switch, ms. */
  keepWarmMs: number;
}

export type RolloutState =
  | 'starting' // candidate replicas starting / warming up
  | 'waiting-for-traffic' // not enough candidate requests yet to judge
  | 'analysing'
  | 'paused'
  | 'switching' // blue-green switch / rolling replacement in progress
  | 'promoted'
  | 'rolled-back'
  | 'aborted';

/** One limit the analysis held a version to, with what it saw. */
export interface AnalysisCheck {
  name: 'error-rate' | 'p95' | 'p95-factor' | 'min-requests' | 'min-time' | 'agreement';
  limit: number | null;
  actual: number | null;
  passed: boolean;
}

export interface VersionStatsView {
  requests: number;
  errors: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface AnalysisView {
  at: number;
  candidate: VersionStatsView;
  stable: VersionStatsView;
  checks: AnalysisCheck[];
  consecutiveFailures: number;
  /** Shadow only: share of compared answers equal to stable's, and the mean absolute difference of numbers. */
  agreement?: { compared: number; equalShare: number | null; meanAbsDiff: number | null } | null;
}

export type DecisionKind = 'advance' | 'promote' | 'rollback' | 'hold' | 'pause' | 'resume' | 'abort' | 'switch' | 'replace' | 'start';

export interface DeploymentEventView {
  id: number;
  deployment: string;
  at: number;
  kind: string;
  /** Words a user reads: why it happened. */
  message: string;
  /** The numbers the decision saw (error rate, p95, requests …). */
  numbers: Record<string, number | null>;
  actor: string;
}

export interface RolloutView {
  rolloutId: number;
  strategy: RolloutStrategy;
  fromVersion: number;
  toVersion: number;
  state: RolloutState;
  /** Index into settings.steps (canary), replicas replaced (rolling); 0 otherwise. */
  step: number;
  candidateWeight: number;
  settings: RolloutSettings;
  startedAt: number;
  stepStartedAt: number;
  endedAt: number | null;
  analysis: AnalysisView | null;
  /** What the rollout waits for, in words ("waiting for traffic: 12 of 50 candidate requests"); null when nothing. */
  note: string | null;
  lastDecision: DeploymentEventView | null;
}

export interface Deployment {
  name: string;
  modelName: string;
  /** The stable URL: http://127.0.0.1:<port>/invocations. */
  url: string;
  port: number;
  status: DeploymentStatus;
  /** Why the status is not 'running', in words; null when running. */
  reason: string | null;
  settings: DeploymentSettings;
  versions: DeploymentVersionView[];
  rollout: RolloutView | null;
  /** True when a version that serves is not approved. */
  unapproved: boolean;
  createdAt: number;
  createdBy: string;
}

export interface DeploymentSummary {
  name: string;
  modelName: string;
  url: string;
  status: DeploymentStatus;
  versions: Array<{ version: number; role: VersionRole; weight: number; approved: boolean }>;
  rolloutState: RolloutState | null;
  /** Over the last 10 s, across versions. */
  requestsPerSecond: number;
  p95Ms: number | null;
  errorRate: number | null;
}

/** One point of a version's live metrics (1 s buckets live, 10 s once stored). */
export interface MetricsPoint {
  at: number;
  version: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface RequestLogEntry {
  id: number;
  at: number;
  deployment: string;
  version: number;
  replicaId: string;
  status: number;
  latencyMs: number;
  requestId: string;
  /** The model's predict raised (MLflow answers those 400 like a malformed request). */
  modelError: boolean;
  /** Input rows as JSON records (the first rows when the request was over the log's cap). */
  inputs: unknown;
  predictions: unknown;
  /** Rows the request had; more than the logged rows when it was cut. */
  rowCount: number;
  truncated: boolean;
}

export interface InvokeResult {
  status: number;
  version: number | null;
  requestId: string | null;
  latencyMs: number;
  contentType: string | null;
  body: string;
}

export interface DeploymentLogLine {
  deployment: string;
  replicaId: string;
  version: number;
  stream: 'stdout' | 'stderr';
  line: string;
  at: number;
}

export interface DeploymentChangedEvent {
  name: string;
  /** Null when deleted. */
  status: DeploymentStatus | null;
}

const deploymentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit");
const modelName = z.string().regex(MODEL_NAME, "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128)");
/** A version number, or "@alias" (resolved when the deployment or rollout is created). */
export const versionRef = z.union([
  z.number().int().min(1, 'must be a version number (1 or more) or @alias'),
  z
    .string()
    .regex(/^(?:\d+|@[A-Za-z0-9_-]{1,255})$/, 'must be a version number or @alias')
    .refine((v) => !v.startsWith('@') || ALIAS_NAME.test(v.slice(1)), 'must be a version number or @alias'),
]);
const port = z.number().int().min(1024, 'must be 1024–65535').max(65535, 'must be 1024–65535');
const actor = z.string().trim().min(1).max(200).default('local user');

export const rolloutSettingsSchema = z
  .object({
    steps: z
      .array(z.number().min(1, 'each step must be 1–100').max(100, 'each step must be 1–100'))
      .min(1)
      .max(20)
      .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), 'must be ascending')
      .refine((s) => s.at(-1) === 100, 'must end at 100')
      .optional(),
    minRequests: z.number().int().min(1, 'must be at least 1').max(1_000_000).optional(),
    intervalMs: z.number().int().min(0).max(86_400_000).optional(),
    maxErrorRate: z.number().min(0, 'must be 0–1').max(1, 'must be 0–1').optional(),
    maxP95Ms: z.number().positive('must be more than 0').nullable().optional(),
    maxP95Factor: z.number().min(1, 'must be at least 1').max(1000).optional(),
    failureLimit: z.number().int().min(1, 'must be at least 1').max(1000).optional(),
    shadowShare: z.number().min(1, 'must be 1–100').max(100, 'must be 1–100').optional(),
    shadowMinAgreement: z.number().min(0).max(1).nullable().optional(),
    keepWarmMs: z.number().int().min(0).max(86_400_000).optional(),
  })
  .strict();

const name = z.object({ name: deploymentName, actor }).strict();

export const servingMethods = {
  'serving.listDeployments': method<DeploymentSummary[]>()(z.object({}).strict(), 'Deployments with their versions, traffic shares and live numbers.'),
  'serving.getDeployment': method<Deployment>()(z.object({ name: deploymentName }).strict(), 'One deployment: URL, versions, replicas, rollout and its analysis.'),
  'serving.listVersionDeployments': method<DeploymentSummary[]>()(
    z.object({ model: modelName, version: z.number().int().min(1) }).strict(),
    'Deployments that serve (or are rolling out) one model version.',
  ),
  'serving.createDeployment': method<Deployment>()(
    z
      .object({
        name: deploymentName,
        model: modelName,
        version: versionRef,
        replicas: z.number().int().min(1, 'must be 1–16').max(16, 'must be 1–16').default(1),
        port: port.optional(),
        cpus: z.number().min(0.01, 'must be at least 0.01 (Docker\'s smallest CPU share)').max(1024).optional(),
        memoryGb: z.number().min(0.01, 'must be at least 0.01 GB (Docker refuses less than 6 MB)').max(4096).optional(),
        gpus: z.number().int().min(0).max(64).optional(),
        image: z.string().trim().min(1).max(300).optional(),
        timeoutSeconds: z.number().positive('must be more than 0').max(3600).optional(),
        maxBodyMb: z.number().min(0.01, 'must be at least 0.01 MB').max(2048).optional(),
        requireApproval: z.boolean().optional(),
        requireToken: z.boolean().optional(),
        logRequests: z.boolean().optional(),
        promoteAlias: z.string().regex(ALIAS_NAME, "must contain only letters, digits, '_' or '-'").nullable().optional(),
        actor,
      })
      .strict(),
    'Serve a model version on a stable loopback URL; fails at once when its resources are not free.',
  ),
  'serving.startRollout': method<Deployment>()(
    z.object({ name: deploymentName, version: versionRef, strategy: z.enum(rolloutStrategies), settings: rolloutSettingsSchema.default({}), actor }).strict(),
    'Roll out another version behind the same URL: canary, blue-green, rolling or shadow.',
  ),
  'serving.promoteRollout': method<Deployment>()(name, 'Promote the candidate now: it takes all traffic and becomes stable.'),
  'serving.rollbackRollout': method<Deployment>()(name, 'Roll back now: stable takes all traffic, the candidate stops.'),
  'serving.pauseRollout': method<Deployment>()(name, 'Hold the rollout where it is (no automatic decision until resumed).'),
  'serving.resumeRollout': method<Deployment>()(name, 'Let a paused rollout go on.'),
  'serving.abortRollout': method<Deployment>()(name, 'Stop the rollout: weights go back to stable, the candidate stops.'),
  'serving.scaleDeployment': method<Deployment>()(
    z.object({ name: deploymentName, replicas: z.number().int().min(1, 'must be 1–16').max(16, 'must be 1–16'), actor }).strict(),
    "Change the stable version's replica count.",
  ),
  'serving.updateDeployment': method<Deployment>()(
    z
      .object({
        name: deploymentName,
        logRequests: z.boolean().optional(),
        requireApproval: z.boolean().optional(),
        requireToken: z.boolean().optional(),
        promoteAlias: z.string().regex(ALIAS_NAME, "must contain only letters, digits, '_' or '-'").nullable().optional(),
        actor,
      })
      .strict(),
    'Switch the request log on or off, require approval or a token (a new token is made), or change the promote alias.',
  ),
  'serving.stopDeployment': method<Deployment>()(name, 'Stop every replica and free their resources; the URL answers 503 until started.'),
  'serving.startDeployment': method<Deployment>()(name, 'Start a stopped deployment again on the same URL.'),
  'serving.deleteDeployment': method<{ deleted: true }>()(name, 'Stop and remove a deployment, its replicas and rollout (its request log goes too).'),
  'serving.getDeploymentToken': method<{ token: string | null }>()(z.object({ name: deploymentName }).strict(), 'The bearer token callers send when the deployment requires one.'),
  'serving.queryMetrics': method<MetricsPoint[]>()(
    z.object({ name: deploymentName, sinceMs: z.number().int().min(0).optional() }).strict(),
    'Per-version request counts, errors and latency percentiles over time (1 s live, 10 s stored).',
  ),
  'serving.listRequests': method<RequestLogEntry[]>()(
    z.object({ name: deploymentName, limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    'The newest logged requests with inputs and predictions.',
  ),
  'serving.listEvents': method<DeploymentEventView[]>()(
    z.object({ name: deploymentName, limit: z.number().int().min(1).max(5000).default(200) }).strict(),
    'Decisions and changes, newest first, each with its reason and numbers.',
  ),
  'serving.readLogs': method<DeploymentLogLine[]>()(
    z.object({ name: deploymentName, tail: z.number().int().min(1).max(10_000).default(200) }).strict(),
    "The last lines of the replicas' logs.",
  ),
  'serving.invoke': method<InvokeResult>()(
    z
      .object({
        name: deploymentName,
        body: z.string().max(10 * 1024 * 1024),
        contentType: z.string().max(200).regex(/^[^\r\n]*$/, 'must be one line (a media type such as application/json)').default('application/json'),
        version: z.number().int().min(1).optional(),
      })
      .strict(),
    'Send one request through the deployment\'s gateway (the "try it" box), optionally pinned to a version.',
  ),
};

export const servingEvents = {
  'serving.deployment': event<DeploymentChangedEvent>('A deployment changed: status, replicas, weights or rollout state'),
  'serving.decision': event<DeploymentEventView>('A rollout decision or deployment change, with its reason and numbers'),
  'serving.log': event<DeploymentLogLine>("A line of a replica's output"),
};
export type ServingEvents = EventsOf<typeof servingEvents>;
