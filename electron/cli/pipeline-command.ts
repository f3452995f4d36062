import path from 'node:path';
import type { MethodInput } from '../../shared/contract/index';
import { UsageError, type Scanned } from './cli-args';
import { parseRunner } from './jobs-values';

/** `orrery pipeline …`: turns the command line into what to do (or help); nothing here does I/O. */

export const pipelineSubcommands = ['run', 'status', 'list', 'cancel', 'trigger add', 'trigger list', 'trigger remove'] as const;
export type PipelineSubcommand = (typeof pipelineSubcommands)[number];

export type TriggerInput = MethodInput<'pipelines.createTrigger'>['trigger'];

interface Common {
  kind: 'pipeline';
  json: boolean;
  dataDir?: string;
}

export type PipelineCommand = Common &
  (
    | { subcommand: 'run'; file: string; force: boolean; forceStages: string[]; from?: string; runner?: 'docker' | 'process'; wait: boolean }
    /** `target`: what was typed (a run id, or a file) and that resolved as a path; absent: the newest run of any pipeline. */
    | { subcommand: 'status'; target?: { text: string; file: string } }
    | { subcommand: 'list' }
    | { subcommand: 'cancel'; runId: string }
    | { subcommand: 'trigger add'; file: string; trigger: TriggerInput }
    | { subcommand: 'trigger list'; file?: string }
    | { subcommand: 'trigger remove'; triggerId: string }
  );

const USAGE_LINES: Record<PipelineSubcommand, string> = {
  run: `  orrery pipeline run FILE [--force] [--force-stage STAGE ...] [--from STAGE] [--runner docker|process] [--wait]
        FILE: an orrery.pipeline.yaml or a dvc.yaml; a stage whose inputs did not change is cached, not run again;
        --force: run every stage; --force-stage: that stage and what depends on it; --from: re-run from there;
        --runner process: dvc.yaml stages as plain processes even when Docker answers;
        --wait: print each stage's status as it changes; exit 0 when every stage succeeded or was cached,
        3 when a stage failed (named on stderr) or the run was cancelled`,
  status: '  orrery pipeline status [RUN | FILE]                a run\'s stages (default: the newest run of any pipeline)',
  list: '  orrery pipeline list                               pipelines run or watched: last run, next trigger',
  cancel: '  orrery pipeline cancel RUN',
  'trigger add': `  orrery pipeline trigger add FILE --cron EXPR | --on-dataset PATH | --on-commit REPO:BRANCH | --on-alert DEPLOYMENT
        start FILE on a schedule, when a dataset's content changes, on a new commit, or when a deployment's alert fires`,
  'trigger list': '  orrery pipeline trigger list [FILE]',
  'trigger remove': '  orrery pipeline trigger remove TRIGGER_ID',
};

/** The pipeline lines of `orrery --help`. */
export const PIPELINE_USAGE = Object.values(USAGE_LINES).join('\n');

const TRIGGER_OPTIONS = ['cron', 'on-dataset', 'on-commit', 'on-alert'] as const;

/** Options each subcommand takes besides --data-dir and --json: [with a value, without]. */
const ALLOWED: Record<PipelineSubcommand, [readonly string[], readonly string[]]> = {
  run: [['force-stage', 'from', 'runner'], ['force', 'wait']],
  status: [[], []],
  list: [[], []],
  cancel: [[], []],
  'trigger add': [TRIGGER_OPTIONS, []],
  'trigger list': [[], []],
  'trigger remove': [[], []],
};
const REPEATABLE = new Set(['force-stage']);

/** Every option `orrery pipeline` knows, for the scanner. */
export const PIPELINE_OPTIONS = {
  values: [...new Set(Object.values(ALLOWED).flatMap(([values]) => values))],
  flags: [...new Set(Object.values(ALLOWED).flatMap(([, flags]) => flags))],
};

export function pipelineUsage(sub: PipelineSubcommand): string {
  return `Usage:\n${USAGE_LINES[sub]}\n\nRun 'orrery --help' for the options every command takes.`;
}

/**
 * Parses what follows `orrery pipeline`: `args` are the positionals after it (subcommand first),
 * `scanned` the whole command line's options; `cwd` is what relative paths mean. Throws
 * UsageError for anything malformed.
 */
export function parsePipeline(args: readonly string[], scanned: Scanned, defaults: { cwd: string }): PipelineCommand | { kind: 'help'; text: string } {
  const [first, ...afterFirst] = args;
  if (first === undefined) throw new UsageError('Missing command after pipeline.');
  let subName = first;
  let rest = afterFirst;
  if (first === 'trigger') {
    const [second, ...afterSecond] = afterFirst;
    if (second === undefined) {
      if (scanned.help) return { kind: 'help', text: `Usage:\n${TRIGGER_LINES}\n\nRun 'orrery --help' for the options every command takes.` };
      throw new UsageError('Missing command after pipeline trigger: add, list or remove.', `Usage:\n${TRIGGER_LINES}`);
    }
    subName = `trigger ${second}`;
    rest = afterSecond;
  }
  if (!(pipelineSubcommands as readonly string[]).includes(subName)) throw new UsageError(`Unknown command 'pipeline ${subName}'.`);
  const sub = subName as PipelineSubcommand;
  const usage = pipelineUsage(sub);
  if (scanned.help) return { kind: 'help', text: usage };
  const bad = (message: string): never => {
    throw new UsageError(message, usage);
  };

  const [values, flags] = ALLOWED[sub];
  for (const [option, given] of scanned.values) {
    if (option !== 'data-dir' && !values.includes(option)) bad(`--${option} is not an option of 'pipeline ${sub}'.`);
    if (given.length > 1 && !REPEATABLE.has(option)) bad(`--${option} is given more than once.`);
  }
  for (const flag of scanned.flags) if (flag !== 'json' && !flags.includes(flag)) bad(`--${flag} is not an option of 'pipeline ${sub}'.`);

  const one = (option: string): string | undefined => scanned.values.get(option)?.[0];
  const resolve = (text: string): string => path.resolve(defaults.cwd, text);
  /** The positionals, by name; `optional` of the last ones may be left out. */
  const positionals = (names: string[], optional = 0): string[] => {
    if (rest.length < names.length - optional) bad(`pipeline ${sub} needs ${names.slice(rest.length).join(' ')}.`);
    if (rest.length > names.length) bad(`Unexpected argument '${rest[names.length]}'.`);
    return rest;
  };
  const common: Common = { kind: 'pipeline', json: scanned.flags.has('json'), ...defined('dataDir', one('data-dir')) };

  switch (sub) {
    case 'run': {
      const [file = ''] = positionals(['FILE']);
      let runner: 'docker' | 'process' | undefined;
      const runnerText = one('runner');
      if (runnerText !== undefined) {
        try {
          runner = parseRunner('--runner', runnerText);
        } catch (error) {
          bad((error as Error).message);
        }
      }
      return {
        ...common,
        subcommand: 'run',
        file: resolve(file),
        force: scanned.flags.has('force'),
        forceStages: [...new Set(scanned.values.get('force-stage') ?? [])],
        ...defined('from', one('from')),
        ...defined('runner', runner),
        wait: scanned.flags.has('wait'),
      };
    }
    case 'status': {
      const [target] = positionals(['RUN'], 1);
      return { ...common, subcommand: 'status', ...defined('target', target === undefined ? undefined : { text: target, file: resolve(target) }) };
    }
    case 'list':
      positionals([]);
      return { ...common, subcommand: 'list' };
    case 'cancel': {
      const [runId = ''] = positionals(['RUN']);
      return { ...common, subcommand: 'cancel', runId };
    }
    case 'trigger add': {
      const [file = ''] = positionals(['FILE']);
      const given = TRIGGER_OPTIONS.filter((option) => one(option) !== undefined);
      if (given.length !== 1) {
        const told = given.length === 0 ? '' : ` (given: ${given.map((o) => `--${o}`).join(', ')})`;
        bad(`pipeline trigger add needs exactly one of --cron EXPR, --on-dataset PATH, --on-commit REPO:BRANCH or --on-alert DEPLOYMENT${told}.`);
      }
      return { ...common, subcommand: 'trigger add', file: resolve(file), trigger: triggerOf(given[0]!, one(given[0]!)!, resolve, bad) };
    }
    case 'trigger list': {
      const [file] = positionals(['FILE'], 1);
      return { ...common, subcommand: 'trigger list', ...defined('file', file === undefined ? undefined : resolve(file)) };
    }
    case 'trigger remove': {
      const [triggerId = ''] = positionals(['TRIGGER_ID']);
      return { ...common, subcommand: 'trigger remove', triggerId };
    }
  }
}

const TRIGGER_LINES = [USAGE_LINES['trigger add'], USAGE_LINES['trigger list'], USAGE_LINES['trigger remove']].join('\n');

/** The trigger one option asks for; a path (a dataset, a repository) is the caller's folder's. */
function triggerOf(option: (typeof TRIGGER_OPTIONS)[number], text: string, resolve: (text: string) => string, bad: (message: string) => never): TriggerInput {
  switch (option) {
    case 'cron':
      return { cron: text };
    case 'on-dataset':
      return { dataset: resolve(text) };
    case 'on-alert':
      return { alert: text };
    case 'on-commit': {
      // A branch name never holds ':' (git refuses it), so the last one splits; a Windows drive's stays in REPO.
      const at = text.lastIndexOf(':');
      const repo = at === -1 ? '' : text.slice(0, at);
      const branch = at === -1 ? '' : text.slice(at + 1);
      if (repo === '' || branch.trim() === '' || /^[A-Za-z]$/.test(repo)) return bad(`--on-commit: must be REPO:BRANCH, like .:main or ../digits:release, got '${text}'.`);
      return { commit: `${resolve(repo)}:${branch}` };
    }
  }
}

/** `{ key: value }` when the value was given, `{}` when not, so absent options stay absent. */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
