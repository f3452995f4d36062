import path from 'node:path';
import type { MethodInput, MethodName } from '../../shared/contract/index';

/** `orrery …`: turns the command line into one contract call (or help); nothing here does I/O. */

export type ModelsSubcommand = 'register' | 'approve' | 'push' | 'pull' | 'list';

/** One contract call, its method and input typed together. */
export type ContractCall = { [M in MethodName]: { method: M; input: MethodInput<M> } }[MethodName];

export type CliCommand =
  | { kind: 'help'; text: string }
  | { kind: 'call'; subcommand: ModelsSubcommand; call: ContractCall; dataDir?: string; json: boolean };

export interface CliDefaults {
  /** Who does register/push/pull when --actor is not given ('' when unknown). */
  actor: string;
  /** --folder is relative to this. */
  cwd: string;
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

export const CLI_USAGE = `Usage: orrery [--data-dir DIR] [--json] models <command> [options]

Commands:
${Object.values(SUBCOMMAND_USAGE).join('\n')}

Options:
  --data-dir DIR   the Orrery data dir (default: $ORRERY_HOME, else the OS's per-user data folder)
  --actor A        who registers, pushes or pulls (default: $USER)
  --json           print the result as JSON, for scripts
  -h, --help       this help

A running Orrery (desktop or npm run serve) is reached through <data-dir>/server.json; when none
answers, the command opens the store itself (training stays off).
Exit status: 0 done, 1 failed (the reason on stderr), 2 bad usage.`;

function subcommandUsage(sub: ModelsSubcommand): string {
  return `Usage:\n${SUBCOMMAND_USAGE[sub]}\n\nRun 'orrery --help' for the options every command takes.`;
}

/** A command line that makes no sense: exit status 2, with the usage text. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string = CLI_USAGE,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_OPTIONS = ['data-dir', 'actor', 'run', 'folder', 'path', 'name', 'description', 'parent', 'reviewer', 'comment', 'remote', 'tag'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const COMMON: readonly ValueOption[] = ['data-dir'];
const ALLOWED: Record<ModelsSubcommand, readonly ValueOption[]> = {
  register: ['run', 'folder', 'path', 'name', 'description', 'parent', 'actor'],
  approve: ['reviewer', 'comment'],
  push: ['remote', 'tag', 'actor'],
  pull: ['name', 'actor'],
  list: [],
};
const SUBCOMMANDS = Object.keys(ALLOWED) as ModelsSubcommand[];

interface Scanned {
  positionals: string[];
  values: Map<ValueOption, string[]>;
  json: boolean;
  help: boolean;
}

/** Splits argv into positionals and options (`--opt value` or `--opt=value`; `--` ends options). */
function scan(argv: readonly string[]): Scanned {
  const scanned: Scanned = { positionals: [], values: new Map(), json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    if (raw === '--') {
      scanned.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (raw === '-h' || raw === '--help') {
      scanned.help = true;
      continue;
    }
    if (!raw.startsWith('--')) {
      if (raw.startsWith('-') && raw.length > 1) throw new UsageError(`Unknown option '${raw}'.`);
      scanned.positionals.push(raw);
      continue;
    }
    const eq = raw.indexOf('=');
    const name = raw.slice(2, eq === -1 ? undefined : eq);
    if (name === 'json' && eq === -1) {
      scanned.json = true;
      continue;
    }
    if (!(VALUE_OPTIONS as readonly string[]).includes(name)) throw new UsageError(`Unknown option '${raw}'.`);
    const value = eq === -1 ? argv[++i] : raw.slice(eq + 1);
    // `--name --json` is a forgotten value, not a name.
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
    const list = scanned.values.get(name as ValueOption) ?? [];
    list.push(value);
    scanned.values.set(name as ValueOption, list);
  }
  return scanned;
}

/** Parses `orrery …` into a contract call; throws UsageError for anything malformed. */
export function parseCli(argv: readonly string[], defaults: CliDefaults): CliCommand {
  const scanned = scan(argv);
  const [group, subName, ...rest] = scanned.positionals;
  if (group === undefined) {
    if (scanned.help) return { kind: 'help', text: CLI_USAGE };
    throw new UsageError('Missing command.');
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
    if (!COMMON.includes(option) && !ALLOWED[sub].includes(option)) throw new UsageError(`--${option} is not an option of 'models ${sub}'.`, usage);
    if (values.length > 1 && option !== 'parent') throw new UsageError(`--${option} is given more than once.`, usage);
  }
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
  return { kind: 'call', subcommand: sub, call, json: scanned.json, ...(dataDir !== undefined ? { dataDir } : {}) };
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
