import { z } from 'zod';

/**
 * What a user asks for when launching a training job. Hyperparameters reach the script as
 * ORRERY_PARAMS (JSON), /orrery/params.json, and --key=value arguments when asked, and are logged
 * as run params.
 */
const name = z.string().trim().min(1, 'must not be empty').max(250, 'must be at most 250 characters');

/**
 * Variables Orrery sets for every job (tracking, params, outputs, GPUs, the process runner's paths):
 * a spec naming one is refused, since the job would never see its value.
 */
export const RESERVED_JOB_ENV: readonly string[] = [
  'ORRERY_PARAMS',
  'ORRERY_PARAMS_FILE',
  'ORRERY_OUTPUTS_DIR',
  'ORRERY_JOB_ID',
  'ORRERY_CHECKPOINT_DIR',
  'ORRERY_WORKSPACE_DIR',
  'ORRERY_MOUNTS',
  'MLFLOW_TRACKING_URI',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_RUN_ID',
  'MLFLOW_EXPERIMENT_ID',
  'PYTHONUNBUFFERED',
  'CUDA_VISIBLE_DEVICES',
  'CUDA_DEVICE_ORDER',
  'NVIDIA_VISIBLE_DEVICES',
];
/** An environment fits on a command line and in a container's config: values are bounded. */
const ENV_VALUE_MAX = 32 * 1024;
const ENV_TOTAL_MAX = 256 * 1024;
const ENV_COUNT_MAX = 256;
const envValue = z
  .string()
  .max(ENV_VALUE_MAX, `must be at most ${ENV_VALUE_MAX / 1024} KiB (pass big data as a file in a mount)`)
  .refine((v) => !v.includes('\0'), 'must not contain a NUL character');
const hyperValue = z.union([z.string(), z.number(), z.boolean()]);

export const resourcesSchema = z
  .object({
    cpus: z.number().positive('must be more than 0').max(1024).optional(),
    memoryGb: z.number().positive('must be more than 0').max(65536).optional(),
    shmGb: z.number().positive('must be more than 0').max(65536).optional(),
    /** A count ("any 2 free GPUs") or explicit nvidia-smi indices. */
    gpus: z.union([z.number().int().min(0).max(64), z.array(z.number().int().min(0).max(63)).min(1).max(64)]).default(0),
  })
  .strict();

export const mountSchema = z
  .object({
    source: z.string().min(1, 'must be a host path'),
    target: z.string().regex(/^\/[^\0]*$/, 'must be an absolute path inside the container'),
    /** Datasets are mounted read-only, hashed and recorded as run inputs. */
    kind: z.enum(['dataset', 'workspace']).default('dataset'),
    /**
     * A workspace the job may write to (a pipeline stage's folder). Workspaces are read-only
     * otherwise, and datasets always are: a dataset marked writable is refused.
     */
    writable: z.boolean().default(false),
  })
  .strict();

export const earlyStoppingSchema = z
  .object({
    metric: z.string().min(1),
    mode: z.enum(['min', 'max']),
    patience: z.number().int().min(1, 'must be at least 1 evaluation'),
    minDelta: z.number().min(0).default(0),
  })
  .strict();

export const jobSpecSchema = z
  .object({
    name,
    experiment: z.string().trim().min(1).max(500).default('Default'),
    image: z.string().trim().min(1, 'must name a local image'),
    command: z.array(z.string()).min(1, 'must have at least the program to run'),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a valid variable name'), envValue)
      .refine((env) => Object.keys(env).length <= ENV_COUNT_MAX, `must have at most ${ENV_COUNT_MAX} variables`)
      .refine((env) => Object.entries(env).reduce((n, [k, v]) => n + k.length + v.length, 0) <= ENV_TOTAL_MAX, `must be at most ${ENV_TOTAL_MAX / 1024} KiB in all`)
      .default({}),
    hyperparameters: z.record(z.string().min(1), hyperValue).default({}),
    /** Also pass hyperparameters as --key=value arguments after the command. */
    passHyperparametersAsArgs: z.boolean().default(false),
    mounts: z.array(mountSchema).max(32).default([]),
    workingDir: z.string().regex(/^\//, 'must be an absolute path').optional(),
    resources: resourcesSchema.default({ gpus: 0 }),
    maxRuntimeSeconds: z.number().int().positive().max(30 * 24 * 3600).optional(),
    earlyStopping: earlyStoppingSchema.optional(),
    checkpoint: z.object({ dir: z.string().regex(/^\//, 'must be an absolute path'), keepLast: z.number().int().min(1).max(1000).default(3) }).strict().optional(),
    retries: z.number().int().min(0).max(10).default(0),
    priority: z.number().int().min(-100).max(100).default(0),
    /**
     * Let the job run as root (uid 0). Without it a job runs as the owner of its workspace folder,
     * or as an unprivileged uid when that owner is root, whatever user the image names.
     */
    allowRoot: z.boolean().default(false),
    /**
     * How the job runs: 'docker' in a container (refused when no engine answers), 'process' as a
     * plain process on the host even when an engine answers (no isolation; the image is ignored).
     * Absent: the app's default runner (Docker when a local engine answers, else a process).
     */
    runner: z.enum(['docker', 'process']).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    for (const key of Object.keys(spec.env)) {
      if (RESERVED_JOB_ENV.includes(key)) ctx.addIssue({ code: 'custom', path: ['env', key], message: 'is set by Orrery for every job (its value would never reach the job); choose another name' });
    }
    spec.mounts.forEach((mount, i) => {
      if (mount.kind === 'dataset' && mount.writable) {
        ctx.addIssue({ code: 'custom', path: ['mounts', i, 'writable'], message: 'datasets are always mounted read-only; only a workspace can be writable' });
      }
    });
  });

export type JobSpec = z.output<typeof jobSpecSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;

/** A search space for sweeps: a list of values, an integer or float range, or log-uniform. */
export const paramSpaceSchema = z.union([
  z.object({ values: z.array(hyperValue).min(1, 'must list at least one value') }).strict(),
  z
    .object({ min: z.number(), max: z.number(), step: z.number().positive().optional(), integer: z.boolean().default(false) })
    .strict()
    .refine((r) => r.max >= r.min, { message: 'max must not be below min' }),
  z
    .object({ logUniform: z.object({ min: z.number().positive('must be above 0'), max: z.number().positive('must be above 0') }).strict() })
    .strict()
    .refine((r) => r.logUniform.max >= r.logUniform.min, { message: 'max must not be below min' }),
]);

export const sweepSchema = z
  .object({
    strategy: z.enum(['grid', 'random']),
    space: z.record(z.string().min(1), paramSpaceSchema).refine((s) => Object.keys(s).length > 0, { message: 'must have at least one parameter' }),
    maxTrials: z.number().int().min(1).max(10_000).default(20),
    maxParallel: z.number().int().min(1).max(64).default(1),
    /** The metric that picks the best trial, shown on the sweep's parent run. */
    objective: z.object({ metric: z.string().min(1), mode: z.enum(['min', 'max']) }).strict(),
    seed: z.number().int().optional(),
  })
  .strict();

export type ParamSpace = z.output<typeof paramSpaceSchema>;
export type SweepSpec = z.output<typeof sweepSchema>;
