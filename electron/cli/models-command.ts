import path from 'node:path';
import { scanArgv, UsageError, type ContractCall } from './cli-args';
import { DEPLOY_OPTIONS, DEPLOY_USAGE, parseDeploy, type DeployCommand } from './deploy-command';
import { JOBS_OPTIONS, JOBS_USAGE, jobsUsage, parseJobs, type JobsCommand } from './jobs-command';
import { ALERTS_USAGE, MONITOR_USAGE, MONITORING_OPTIONS, parseMonitoring, type MonitoringCommand } from './monitor-command';
import { parsePipeline, PIPELINE_OPTIONS, PIPELINE_USAGE, type PipelineCommand } from './pipeline-command';

export { UsageError, type ContractCall } from './cli-args';

/** `orrery …`: turns the command line into one contract call (or help); nothing here does I/O. */

export type ModelsSubcommand = 'register' | 'approve' | 'push' | 'pull' | 'list';

export type CliCommand =
  | { kind: 'help'; text: string }
  | { kind: 'call'; subcommand: ModelsSubcommand; call: ContractCall; dataDir?: string; json: boolean }
  | DeployCommand
  | MonitoringCommand
  | JobsCommand
  | PipelineCommand;

export interface CliDefaults {
  /** Who does register/push/pull when --actor is not given ('' when unknown). */
  actor: string;
  /** --folder (and monitor's files) are relative to this. */
  cwd: string;
  /** Now (ms since epoch), for `alerts silence --until 2h`; default: the clock. */
  now?: number;
}

const SUBCOMMAND_USAGE: Record<ModelsSubcommand, string> = {
  register: `  orrery models register --run RUN_ID [--path P] --name N [--description D] [--parent NAME:VERSION ...]
  orrery models register --folder DIR --name N [--description D] [--parent NAME:VERSION ...]`,
  approve: '  orrery models approve N VERSION --reviewer R [--comment C]',
  push: `  orrery models push N VERSION REF                  REF like 127.0.0.1:5000/models/iris:v3
  orrery models push N VERSION --remote NAME [--tag T]   a remote registry from Settings (tag default v<VERSION>)`,
  pull: '  orrery models pull REF [--name N]',
  list: '  orrery models list',
};

export const CLI_USAGE = `Usage: orrery [--data-dir DIR] [--json] models|jobs|pipeline|deploy|monitor|alerts <command> [options]

Models (the registry):
${Object.values(SUBCOMMAND_USAGE).join('\n')}

Training jobs (your code in an image, queued for GPUs, CPUs and memory, followed into a run):
${JOBS_USAGE}

Pipelines (validate, train, evaluate, register, deploy from one file, or a dvc.yaml; unchanged stages cached):
${PIPELINE_USAGE}

Deployments (serving a model version on a stable local URL):
${DEPLOY_USAGE}

Monitoring (drift and data quality of deployments; monitor drift compares two files right here):
${MONITOR_USAGE}

Alerts (drift, data quality, performance, p95 and error rate of deployments):
${ALERTS_USAGE}

Options:
  --data-dir DIR   the Orrery data dir (default: $ORRERY_HOME, else the OS's per-user data folder)
  --actor A        who registers, pushes, pulls, changes a deployment or its monitoring (default: $USER)
  --json           print the result as JSON, for scripts
  -h, --help       this help

A running Orrery (desktop or npm run serve) is reached through <data-dir>/server.json; when none
answers, a models command opens the store itself (training stays off), and a jobs, pipeline, deploy,
monitor or alerts command fails: jobs, pipelines and deployments are run by a running Orrery (monitor
drift needs none).
No command creates a data dir: one that does not exist is refused.
Exit status: 0 done, 1 failed (the reason on stderr), 2 bad usage.
monitor drift exits 0 when the datasets do not drift, 3 when they do.
jobs wait exits 0 when the job's run finished, 3 when it ended otherwise (how, on stderr).
pipeline run --wait exits 0 when every stage succeeded or was cached, 3 when a stage failed or it was cancelled.`;

function subcommandUsage(sub: ModelsSubcommand): string {
  return `Usage:\n${SUBCOMMAND_USAGE[sub]}\n\nRun 'orrery --help' for the options every command takes.`;
}

const VALUE_OPTIONS = ['data-dir', 'actor', 'run', 'folder', 'path', 'name', 'description', 'parent', 'reviewer', 'comment', 'remote', 'tag'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
/** The scanner knows every command's options, so it can tell an option's value from a positional. */
const ALL_OPTIONS = {
  values: [...new Set([...VALUE_OPTIONS, ...DEPLOY_OPTIONS.values, ...MONITORING_OPTIONS.values, ...JOBS_OPTIONS.values, ...PIPELINE_OPTIONS.values])],
  flags: [...new Set(['json', ...DEPLOY_OPTIONS.flags, ...MONITORING_OPTIONS.flags, ...JOBS_OPTIONS.flags, ...PIPELINE_OPTIONS.flags])],
};
const COMMON: readonly ValueOption[] = ['data-dir'];
const ALLOWED: Record<ModelsSubcommand, readonly ValueOption[]> = {
  register: ['run', 'folder', 'path', 'name', 'description', 'parent', 'actor'],
  approve: ['reviewer', 'comment'],
  push: ['remote', 'tag', 'actor'],
  pull: ['name', 'actor'],
  list: [],
};
const SUBCOMMANDS = Object.keys(ALLOWED) as ModelsSubcommand[];

/** Parses `orrery …` into a contract call; throws UsageError for anything malformed. */
export function parseCli(argv: readonly string[], defaults: CliDefaults): CliCommand {
  const scanned = scanJobsAware(argv);
  const [group, subName, ...rest] = scanned.positionals;
  if (group === undefined) {
    if (scanned.help) return { kind: 'help', text: CLI_USAGE };
    throw new UsageError('Missing command.');
  }
  if (group === 'deploy') {
    if (subName === undefined && scanned.help) return { kind: 'help', text: CLI_USAGE };
    return parseDeploy(scanned.positionals.slice(1), scanned, { actor: defaults.actor });
  }
  if (group === 'jobs') {
    if (subName === undefined && scanned.help) return { kind: 'help', text: CLI_USAGE };
    return parseJobs(scanned.positionals.slice(1), scanned, { cwd: defaults.cwd });
  }
  if (group === 'pipeline') {
    if (subName === undefined && scanned.help) return { kind: 'help', text: CLI_USAGE };
    return parsePipeline(scanned.positionals.slice(1), scanned, { cwd: defaults.cwd });
  }
  if (group === 'monitor' || group === 'alerts') {
    if (subName === undefined && scanned.help) return { kind: 'help', text: CLI_USAGE };
    return parseMonitoring(group, scanned.positionals.slice(1), scanned, { actor: defaults.actor, cwd: defaults.cwd, now: defaults.now ?? Date.now() });
  }
  if (group !== 'models') throw new UsageError(`Unknown command '${group}'.`);
  if (subName === undefined) {
    if (scanned.help) return { kind: 'help', text: CLI_USAGE };
    throw new UsageError('Missing command after models.');
  }
  if (!(SUBCOMMANDS as string[]).includes(subName)) throw new UsageError(`Unknown command 'models ${subName}'.`);
  const sub = subName as ModelsSubcommand;
  const usage = subcommandUsage(sub);
  if (scanned.help) return { kind: 'help', text: usage };

  for (const [option, values] of scanned.values) {
    if (!COMMON.includes(option as ValueOption) && !ALLOWED[sub].includes(option as ValueOption)) throw new UsageError(`--${option} is not an option of 'models ${sub}'.`, usage);
    if (values.length > 1 && option !== 'parent') throw new UsageError(`--${option} is given more than once.`, usage);
  }
  for (const flag of scanned.flags) if (flag !== 'json') throw new UsageError(`--${flag} is not an option of 'models ${sub}'.`, usage);
  const one = (option: ValueOption): string | undefined => scanned.values.get(option)?.[0];
  const required = (option: ValueOption, what: string): string => {
    const value = one(option);
    if (value === undefined) throw new UsageError(`models ${sub} needs --${option} ${what}.`, usage);
    return value;
  };
  const positionals = (names: string[], optional = 0): string[] => {
    if (rest.length < names.length - optional) throw new UsageError(`models ${sub} needs ${names.slice(rest.length).join(' ')}.`, usage);
    if (rest.length > names.length) throw new UsageError(`Unexpected argument '${rest[names.length]}'.`, usage);
    return rest;
  };
  const actor = (): string => {
    const value = one('actor') ?? defaults.actor;
    if (!value.trim()) throw new UsageError('No user name is known here; pass --actor A.', usage);
    return value;
  };

  let call: ContractCall;
  switch (sub) {
    case 'register': {
      positionals([]);
      const name = required('name', 'N');
      const run = one('run');
      const folder = one('folder');
      if ((run === undefined) === (folder === undefined)) throw new UsageError('models register needs exactly one of --run RUN_ID or --folder DIR.', usage);
      if (folder !== undefined && one('path') !== undefined) throw new UsageError('--path goes with --run (a folder within the run\'s artifacts).', usage);
      const who = one('actor') ?? defaults.actor;
      const common = {
        name,
        parentVersions: (scanned.values.get('parent') ?? []).map((p) => parseParent(p, usage)),
        description: one('description') ?? '',
        // Optional for registering: the app then records its default.
        ...(who.trim() ? { actor: who } : {}),
      };
      call =
        run !== undefined
          ? { method: 'registry.registerFromRun', input: { runId: run, path: one('path') ?? '', ...common } }
          : { method: 'registry.registerFromFolder', input: { folder: path.resolve(defaults.cwd, folder ?? ''), ...common } };
      break;
    }
    case 'approve': {
      const [name = '', version = ''] = positionals(['N', 'VERSION']);
      call = {
        method: 'registry.approve',
        input: { name, version: parseVersion(version, usage), reviewer: required('reviewer', 'R'), comment: one('comment') ?? '' },
      };
      break;
    }
    case 'push': {
      const [name = '', version = '', reference] = positionals(['N', 'VERSION', 'REF'], 1);
      const remote = one('remote');
      const tag = one('tag');
      const v = parseVersion(version, usage);
      if ((reference === undefined) === (remote === undefined)) throw new UsageError('models push needs exactly one of REF or --remote NAME.', usage);
      if (tag !== undefined && remote === undefined) throw new UsageError('--tag goes with --remote; REF carries its own tag.', usage);
      call =
        remote !== undefined
          ? { method: 'registry.push', input: { name, version: v, remote, ...(tag !== undefined ? { tag } : {}), actor: actor() } }
          : { method: 'registry.push', input: { name, version: v, reference, actor: actor() } };
      break;
    }
    case 'pull': {
      const [reference = ''] = positionals(['REF']);
      const name = one('name');
      call = { method: 'registry.pull', input: { reference, ...(name !== undefined ? { name } : {}), actor: actor() } };
      break;
    }
    case 'list':
      positionals([]);
      call = { method: 'registry.listModels', input: {} };
      break;
  }
  const dataDir = one('data-dir');
  return { kind: 'call', subcommand: sub, call, json: scanned.flags.has('json'), ...(dataDir !== undefined ? { dataDir } : {}) };
}

/** Scans argv; an unknown option in `jobs submit` is most likely the command's own, given without `--` before it. */
function scanJobsAware(argv: readonly string[]) {
  try {
    return scanArgv(argv, ALL_OPTIONS);
  } catch (error) {
    const beforeCommand = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    const submitting = beforeCommand.includes('jobs') && beforeCommand.includes('submit');
    if (!(error instanceof UsageError) || !submitting || !error.message.startsWith('Unknown option')) throw error;
    throw new UsageError(`${error.message} The command to run and its own options go after --, like: orrery jobs submit --image I -- python3 -u train.py --lr 0.1`, jobsUsage('submit'));
  }
}

function parseVersion(text: string, usage: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new UsageError(`VERSION must be a version number (1, 2, …), got '${text}'.`, usage);
  return Number(text);
}

function parseParent(text: string, usage: string): { name: string; version: number } {
  const at = text.lastIndexOf(':');
  const version = text.slice(at + 1);
  if (at <= 0 || !/^[1-9]\d{0,8}$/.test(version)) throw new UsageError(`--parent must be NAME:VERSION (like iris:2), got '${text}'.`, usage);
  return { name: text.slice(0, at), version: Number(version) };
}
