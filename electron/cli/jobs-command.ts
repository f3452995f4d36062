import path from 'node:path';
import type { JobStatus } from '../../shared/contract/training';
import type { HyperValue } from '../../shared/hyper-value';
import { UsageError, type Scanned } from './cli-args';
import { parseCount, parsePositive } from './deploy-values';
import { parseDataset, parseEnv, parseParam, parsePriority, parseRunner, type DatasetMount } from './jobs-values';

/** `orrery jobs …`: turns the command line into what to do (or help); nothing here does I/O. */

export const jobsSubcommands = ['submit', 'list', 'logs', 'cancel', 'wait'] as const;
export type JobsSubcommand = (typeof jobsSubcommands)[number];
const STATUSES: readonly JobStatus[] = ['queued', 'running', 'finished', 'failed', 'cancelled'];

/** What `submit` sets: everything for a new job, or what changes from the job that made `--from`. */
export interface SubmitOptions {
  image?: string;
  /** The command after `--`. */
  command?: string[];
  name?: string;
  experiment?: string;
  gpus?: number;
  cpus?: number;
  memoryGb?: number;
  params: Record<string, HyperValue>;
  env: Record<string, string>;
  /** Mounted at /workspace, the working directory; absolute (resolved against the caller's folder). */
  workspace?: { source: string; writable: boolean };
  datasets: DatasetMount[];
  priority?: number;
  retries?: number;
  /** `--runner`: a container, or a plain process even when Docker answers; absent: Orrery's default. */
  runner?: 'docker' | 'process';
}

interface Common {
  kind: 'jobs';
  json: boolean;
  dataDir?: string;
}

export type JobsCommand = Common &
  (
    | { subcommand: 'submit'; from?: string; options: SubmitOptions }
    | { subcommand: 'list'; statuses: JobStatus[] }
    | { subcommand: 'logs'; id: string; follow: boolean; tail?: number }
    | { subcommand: 'cancel' | 'wait'; id: string }
  );

const USAGE_LINES: Record<JobsSubcommand, string> = {
  submit: `  orrery jobs submit --image I [--gpus N] [--cpus C] [--memory-gb M] [--param K=V ...] [--experiment E] [--name N]
        [--workspace DIR [--writable]] [--dataset SRC[:TARGET] ...] [--env K=V ...] [--priority P] [--retries R]
        [--runner docker|process] -- CMD ...
        --runner process: a plain process on this machine even when Docker answers (no isolation, the image ignored);
        --runner docker: a container, refused when no Docker engine answers; without it: Docker when an engine answers
  orrery jobs submit --from RUN_ID [--param K=V ...] [any option above, to change it] [-- CMD ...]`,
  list: '  orrery jobs list [--status queued|running|finished|failed|cancelled ...]',
  logs: '  orrery jobs logs ID [--tail N] [--follow]          ID: the job id or the id of the run it made',
  cancel: '  orrery jobs cancel ID',
  wait: '  orrery jobs wait ID                                exit 0 when its run finished, 3 when it ended otherwise',
};

/** The jobs lines of `orrery --help`. */
export const JOBS_USAGE = Object.values(USAGE_LINES).join('\n');

const SUBMIT_VALUES = ['image', 'gpus', 'cpus', 'memory-gb', 'param', 'experiment', 'name', 'workspace', 'dataset', 'env', 'priority', 'retries', 'runner', 'from'];
/** Options given once per value, as often as needed. */
const REPEATABLE = new Set(['param', 'dataset', 'env', 'status']);

/** Options each subcommand takes besides --data-dir and --json: [with a value, without]. */
const ALLOWED: Record<JobsSubcommand, [readonly string[], readonly string[]]> = {
  submit: [SUBMIT_VALUES, ['writable']],
  list: [['status'], []],
  logs: [['tail'], ['follow']],
  cancel: [[], []],
  wait: [[], []],
};

/** Every option `orrery jobs` knows, for the scanner. */
export const JOBS_OPTIONS = {
  values: [...new Set(Object.values(ALLOWED).flatMap(([values]) => values))],
  flags: [...new Set(Object.values(ALLOWED).flatMap(([, flags]) => flags))],
};

export function jobsUsage(sub: JobsSubcommand): string {
  return `Usage:\n${USAGE_LINES[sub]}\n\nRun 'orrery --help' for the options every command takes.`;
}

/**
 * Parses what follows `orrery jobs`: `args` are the positionals after it (subcommand first; for
 * submit, the rest is the command), `scanned` the whole command line's options; `cwd` is what
 * relative paths mean. Throws UsageError for anything malformed.
 */
export function parseJobs(args: readonly string[], scanned: Scanned, defaults: { cwd: string }): JobsCommand | { kind: 'help'; text: string } {
  const [subName, ...rest] = args;
  if (subName === undefined) throw new UsageError('Missing command after jobs.');
  if (!(jobsSubcommands as readonly string[]).includes(subName)) throw new UsageError(`Unknown command 'jobs ${subName}'.`);
  const sub = subName as JobsSubcommand;
  const usage = jobsUsage(sub);
  if (scanned.help) return { kind: 'help', text: usage };
  const bad = (message: string): never => {
    throw new UsageError(message, usage);
  };

  const [values, flags] = ALLOWED[sub];
  for (const [option, given] of scanned.values) {
    if (option !== 'data-dir' && !values.includes(option)) bad(`--${option} is not an option of 'jobs ${sub}'.`);
    if (given.length > 1 && !REPEATABLE.has(option)) bad(`--${option} is given more than once.`);
  }
  for (const flag of scanned.flags) if (flag !== 'json' && !flags.includes(flag)) bad(`--${flag} is not an option of 'jobs ${sub}'.`);

  const one = (option: string): string | undefined => scanned.values.get(option)?.[0];
  const all = (option: string): string[] => scanned.values.get(option) ?? [];
  /** Reads an option's value with a parser whose message becomes a usage error. */
  const read = <T>(option: string, parse: (flag: string, text: string) => T): T | undefined => {
    const text = one(option);
    return text === undefined ? undefined : attempt(() => parse(`--${option}`, text));
  };
  const attempt = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      return bad((error as Error).message);
    }
  };
  const takeId = (): string => {
    if (rest.length === 0) bad(`jobs ${sub} needs ID.`);
    if (rest.length > 1) bad(`Unexpected argument '${rest[1]}'.`);
    return checkId('ID', rest[0]!, bad);
  };
  const common: Common = { kind: 'jobs', json: scanned.flags.has('json'), ...defined('dataDir', one('data-dir')) };

  switch (sub) {
    case 'submit': {
      const from = one('from') === undefined ? undefined : checkId('--from', one('from')!, bad, 'a run id (32 hex characters)');
      if (from === undefined && one('image') === undefined) bad('jobs submit needs --image I (or --from RUN_ID to re-run a job).');
      if (from === undefined && rest.length === 0) bad('jobs submit needs the command to run after --, like -- python3 train.py.');
      if (scanned.flags.has('writable') && one('workspace') === undefined) bad('--writable goes with --workspace DIR.');
      const workspace = one('workspace');
      const options: SubmitOptions = {
        ...defined('image', one('image')?.trim() || undefined),
        ...(rest.length > 0 ? { command: [...rest] } : {}),
        ...defined('name', one('name')),
        ...defined('experiment', one('experiment')),
        ...defined('gpus', read('gpus', (f, t) => parseCount(f, t, 0, 64))),
        ...defined('cpus', read('cpus', (f, t) => parsePositive(f, t, 1024))),
        ...defined('memoryGb', read('memory-gb', (f, t) => parsePositive(f, t, 65536))),
        params: Object.fromEntries(all('param').map((text) => attempt(() => parseParam('--param', text)))),
        env: Object.fromEntries(all('env').map((text) => attempt(() => parseEnv('--env', text)))),
        ...(workspace !== undefined ? { workspace: { source: path.resolve(defaults.cwd, workspace), writable: scanned.flags.has('writable') } } : {}),
        datasets: all('dataset').map((text) => attempt(() => parseDataset('--dataset', text, defaults.cwd))),
        ...defined('priority', read('priority', parsePriority)),
        ...defined('retries', read('retries', (f, t) => parseCount(f, t, 0, 10))),
        ...defined('runner', read('runner', parseRunner)),
      };
      return { ...common, subcommand: 'submit', ...defined('from', from), options };
    }
    case 'list': {
      if (rest.length > 0) bad(`Unexpected argument '${rest[0]}'.`);
      const statuses = all('status').flatMap((text) => text.split(','));
      for (const status of statuses) {
        if (!(STATUSES as string[]).includes(status)) bad(`--status: must be one of ${STATUSES.join(', ')}, got '${status}'.`);
      }
      return { ...common, subcommand: 'list', statuses: [...new Set(statuses)] as JobStatus[] };
    }
    case 'logs':
      return { ...common, subcommand: 'logs', id: takeId(), follow: scanned.flags.has('follow'), ...defined('tail', read('tail', (f, t) => parseCount(f, t, 1, 100_000))) };
    case 'cancel':
    case 'wait':
      return { ...common, subcommand: sub, id: takeId() };
  }
}

function checkId(what: string, text: string, bad: (message: string) => never, noun = 'a job id or the id of its run (32 hex characters)'): string {
  const id = text.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) bad(`${what}: must be ${noun}, got '${text}'.`);
  return id;
}

/** `{ key: value }` when the value was given, `{}` when not, so absent options stay absent. */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
