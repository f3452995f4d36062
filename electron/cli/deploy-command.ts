import { rolloutStrategies, type RolloutSettings, type RolloutStrategy } from '../../shared/contract/serving';
import { DEFAULT_ROLLOUT_SETTINGS } from '../services/serving/rollout-defaults';
import { UsageError, type ContractCall, type Scanned } from './cli-args';
import {
  parseAliasName,
  parseCount,
  parseDeploymentName,
  parseDuration,
  parseFraction,
  parseModelName,
  parsePercent,
  parsePositive,
  parseSteps,
  parseVersionRef,
} from './deploy-values';

/** `orrery deploy …`: turns the command line into one serving.* call (or help); nothing here does I/O. */

export const deploySubcommands = ['create', 'rollout', 'status', 'promote', 'rollback', 'pause', 'resume', 'abort', 'scale', 'stop', 'start', 'list', 'logs', 'token', 'delete'] as const;
export type DeploySubcommand = (typeof deploySubcommands)[number];

export interface DeployCommand {
  kind: 'deploy';
  subcommand: DeploySubcommand;
  call: ContractCall;
  json: boolean;
  /** logs --follow: keep printing new lines until interrupted. */
  follow: boolean;
  dataDir?: string;
}

/**
 * What a rollout gets for each option not given: Orrery's own defaults, sent whole, so the rollout
 * records exactly what was asked and `--help` shows the numbers it will use.
 */
export const ROLLOUT_DEFAULTS: Readonly<RolloutSettings> = DEFAULT_ROLLOUT_SETTINGS;
const D = ROLLOUT_DEFAULTS;

const USAGE_LINES = {
  create: `  orrery deploy create NAME --model M --version V|@ALIAS [--replicas 1] [--port P] [--cpus 0.5] [--memory-gb 0.5] [--gpus 0]
        [--image IMAGE] [--timeout 60s] [--max-body-mb 100] [--promote-alias A] [--require-approval] [--require-token] [--no-request-log]`,
  rollout: `  orrery deploy rollout NAME --version V|@ALIAS --strategy canary|blue-green|rolling|shadow [--steps ${D.steps.join(',')}]
        [--min-requests ${D.minRequests}] [--interval ${seconds(D.intervalMs)}] [--max-error-rate ${D.maxErrorRate}] [--max-p95-ms ${D.maxP95Ms ?? 'MS'}]
        [--max-p95-factor ${D.maxP95Factor}] [--failure-limit ${D.failureLimit}] [--shadow-share ${D.shadowShare}] [--min-agreement ${D.shadowMinAgreement ?? 'X'}]
        [--keep-warm ${seconds(D.keepWarmMs)}]`,
  status: '  orrery deploy status NAME                          the URL, versions, replicas, rollout and last decision',
  control: '  orrery deploy promote|rollback|pause|resume|abort NAME',
  scale: '  orrery deploy scale NAME --replicas R',
  power: '  orrery deploy stop|start NAME                      stopped: the URL answers 503 until started',
  list: '  orrery deploy list',
  logs: '  orrery deploy logs NAME [--tail 200] [--follow]    the replicas\' output',
  token: '  orrery deploy token NAME                           the bearer token callers send (--require-token)',
  delete: '  orrery deploy delete NAME',
};

/** The deploy lines of `orrery --help`. */
export const DEPLOY_USAGE = Object.values(USAGE_LINES).join('\n');

const LINE_OF: Record<DeploySubcommand, keyof typeof USAGE_LINES> = {
  create: 'create',
  rollout: 'rollout',
  status: 'status',
  promote: 'control',
  rollback: 'control',
  pause: 'control',
  resume: 'control',
  abort: 'control',
  scale: 'scale',
  stop: 'power',
  start: 'power',
  list: 'list',
  logs: 'logs',
  token: 'token',
  delete: 'delete',
};

const CREATE_VALUES = ['model', 'version', 'replicas', 'port', 'cpus', 'memory-gb', 'gpus', 'image', 'timeout', 'max-body-mb', 'promote-alias', 'actor'];
const ROLLOUT_VALUES = [
  'version',
  'strategy',
  'steps',
  'min-requests',
  'interval',
  'max-error-rate',
  'max-p95-ms',
  'max-p95-factor',
  'failure-limit',
  'shadow-share',
  'min-agreement',
  'keep-warm',
  'actor',
];
const CREATE_FLAGS = ['require-approval', 'require-token', 'no-request-log'];

/** Options each subcommand takes besides --data-dir and --json: [with a value, without]. */
const ALLOWED: Record<DeploySubcommand, [readonly string[], readonly string[]]> = {
  create: [CREATE_VALUES, CREATE_FLAGS],
  rollout: [ROLLOUT_VALUES, []],
  status: [[], []],
  promote: [['actor'], []],
  rollback: [['actor'], []],
  pause: [['actor'], []],
  resume: [['actor'], []],
  abort: [['actor'], []],
  scale: [['replicas', 'actor'], []],
  stop: [['actor'], []],
  start: [['actor'], []],
  list: [[], []],
  logs: [['tail'], ['follow']],
  token: [[], []],
  delete: [['actor'], []],
};

/** Every option `orrery deploy` knows, for the scanner. */
export const DEPLOY_OPTIONS = {
  values: [...new Set(Object.values(ALLOWED).flatMap(([values]) => values))],
  flags: [...new Set(Object.values(ALLOWED).flatMap(([, flags]) => flags))],
};

/** Rollout options that mean something for one strategy only. */
const STRATEGY_ONLY: Record<string, RolloutStrategy> = { steps: 'canary', 'shadow-share': 'shadow', 'min-agreement': 'shadow', 'keep-warm': 'blue-green' };

export function deployUsage(sub: DeploySubcommand): string {
  return `Usage:\n${USAGE_LINES[LINE_OF[sub]]}\n\nRun 'orrery --help' for the options every command takes.`;
}

export interface DeployDefaults {
  /** Who creates, rolls out, promotes … when --actor is not given ('' when unknown: Orrery records its default). */
  actor: string;
}

/**
 * Parses what follows `orrery deploy`: `args` are the positionals after it (subcommand first),
 * `scanned` the whole command line's options. Throws UsageError for anything malformed.
 */
export function parseDeploy(args: readonly string[], scanned: Scanned, defaults: DeployDefaults): DeployCommand | { kind: 'help'; text: string } {
  const [subName, ...rest] = args;
  if (subName === undefined) throw new UsageError('Missing command after deploy.');
  if (!(deploySubcommands as readonly string[]).includes(subName)) throw new UsageError(`Unknown command 'deploy ${subName}'.`);
  const sub = subName as DeploySubcommand;
  const usage = deployUsage(sub);
  if (scanned.help) return { kind: 'help', text: usage };
  const bad = (message: string): never => {
    throw new UsageError(message, usage);
  };

  const [values, flags] = ALLOWED[sub];
  for (const [option, given] of scanned.values) {
    if (option !== 'data-dir' && !values.includes(option)) bad(`--${option} is not an option of 'deploy ${sub}'.`);
    if (given.length > 1) bad(`--${option} is given more than once.`);
  }
  for (const flag of scanned.flags) if (flag !== 'json' && !flags.includes(flag)) bad(`--${flag} is not an option of 'deploy ${sub}'.`);

  const one = (option: string): string | undefined => scanned.values.get(option)?.[0];
  const required = (option: string, what: string): string => one(option) ?? bad(`deploy ${sub} needs --${option} ${what}.`);
  /** Reads an option's value with a deploy-values parser; its message becomes a usage error. */
  const read = <T>(option: string, parse: (flag: string, text: string) => T): T | undefined => {
    const text = one(option);
    if (text === undefined) return undefined;
    try {
      return parse(`--${option}`, text);
    } catch (error) {
      return bad((error as Error).message);
    }
  };
  const takeName = (): string => {
    if (sub === 'list') {
      if (rest.length > 0) bad(`Unexpected argument '${rest[0]}'.`);
      return '';
    }
    if (rest.length === 0) bad(`deploy ${sub} needs NAME.`);
    if (rest.length > 1) bad(`Unexpected argument '${rest[1]}'.`);
    try {
      return parseDeploymentName('NAME', rest[0]!);
    } catch (error) {
      return bad((error as Error).message);
    }
  };
  const who = one('actor') ?? defaults.actor;
  // Left out when nobody is known: Orrery records its own default.
  const actor = who.trim() ? { actor: who } : {};
  const name = takeName();

  let call: ContractCall;
  switch (sub) {
    case 'create': {
      required('model', 'M');
      required('version', 'V|@ALIAS');
      const input = {
        name,
        model: read('model', parseModelName)!,
        version: read('version', parseVersionRef)!,
        ...defined('replicas', read('replicas', (f, t) => parseCount(f, t, 1, 16))),
        ...defined('port', read('port', (f, t) => parseCount(f, t, 1024, 65535))),
        ...defined('cpus', read('cpus', (f, t) => parsePositive(f, t, 1024))),
        ...defined('memoryGb', read('memory-gb', (f, t) => parsePositive(f, t, 4096))),
        ...defined('gpus', read('gpus', (f, t) => parseCount(f, t, 0, 64))),
        ...defined('image', one('image')),
        ...defined('timeoutSeconds', read('timeout', (f, t) => parseDuration(f, t, { ms: 3_600_000, words: '1h' }, false) / 1000)),
        ...defined('maxBodyMb', read('max-body-mb', (f, t) => parsePositive(f, t, 2048))),
        ...defined('promoteAlias', read('promote-alias', parseAliasName)),
        ...(scanned.flags.has('require-approval') ? { requireApproval: true } : {}),
        ...(scanned.flags.has('require-token') ? { requireToken: true } : {}),
        ...(scanned.flags.has('no-request-log') ? { logRequests: false } : {}),
        ...actor,
      };
      call = { method: 'serving.createDeployment', input };
      break;
    }
    case 'rollout': {
      required('version', 'V|@ALIAS');
      const strategy = required('strategy', rolloutStrategies.join('|'));
      if (!(rolloutStrategies as readonly string[]).includes(strategy)) bad(`--strategy: must be one of ${rolloutStrategies.join(', ')}, got '${strategy}'.`);
      for (const [option, only] of Object.entries(STRATEGY_ONLY)) {
        if (one(option) !== undefined && strategy !== only) bad(`--${option} goes with --strategy ${only}.`);
      }
      const settings: RolloutSettings = {
        steps: read('steps', parseSteps) ?? [...D.steps],
        minRequests: read('min-requests', (f, t) => parseCount(f, t, 1, 1_000_000)) ?? D.minRequests,
        intervalMs: read('interval', parseDuration) ?? D.intervalMs,
        maxErrorRate: read('max-error-rate', parseFraction) ?? D.maxErrorRate,
        maxP95Ms: read('max-p95-ms', (f, t) => parsePositive(f, t, 3_600_000)) ?? D.maxP95Ms,
        maxP95Factor: read('max-p95-factor', (f, t) => parsePositive(f, t, 1000, 1)) ?? D.maxP95Factor,
        failureLimit: read('failure-limit', (f, t) => parseCount(f, t, 1, 1000)) ?? D.failureLimit,
        shadowShare: read('shadow-share', parsePercent) ?? D.shadowShare,
        shadowMinAgreement: read('min-agreement', parseFraction) ?? D.shadowMinAgreement,
        keepWarmMs: read('keep-warm', parseDuration) ?? D.keepWarmMs,
      };
      call = {
        method: 'serving.startRollout',
        input: { name, version: read('version', parseVersionRef)!, strategy: strategy as RolloutStrategy, settings, ...actor },
      };
      break;
    }
    case 'scale':
      call = { method: 'serving.scaleDeployment', input: { name, replicas: read('replicas', (f, t) => parseCount(f, t, 1, 16)) ?? bad('deploy scale needs --replicas R.'), ...actor } };
      break;
    case 'status':
      call = { method: 'serving.getDeployment', input: { name } };
      break;
    case 'list':
      call = { method: 'serving.listDeployments', input: {} };
      break;
    case 'token':
      call = { method: 'serving.getDeploymentToken', input: { name } };
      break;
    case 'logs':
      call = { method: 'serving.readLogs', input: { name, ...defined('tail', read('tail', (f, t) => parseCount(f, t, 1, 10_000))) } };
      break;
    default:
      call = { method: NAME_ONLY_METHOD[sub], input: { name, ...actor } };
  }
  const dataDir = one('data-dir');
  return { kind: 'deploy', subcommand: sub, call, json: scanned.flags.has('json'), follow: scanned.flags.has('follow'), ...(dataDir !== undefined ? { dataDir } : {}) };
}

const NAME_ONLY_METHOD = {
  promote: 'serving.promoteRollout',
  rollback: 'serving.rollbackRollout',
  pause: 'serving.pauseRollout',
  resume: 'serving.resumeRollout',
  abort: 'serving.abortRollout',
  stop: 'serving.stopDeployment',
  start: 'serving.startDeployment',
  delete: 'serving.deleteDeployment',
} as const;

/** `{ key: value }` when the value was given, `{}` when not, so absent options stay absent. */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** 30000 → "30s", 1500 → "1500ms": how a default duration is written on the command line. */
function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
