import type { MethodInput, MethodName } from '../../shared/contract/index';

/** What every `orrery …` parser shares: the argv scanner, the usage error, the call it produces. */

/** One contract call, its method and input typed together. */
export type ContractCall = { [M in MethodName]: { method: M; input: MethodInput<M> } }[MethodName];

/** A command line that makes no sense: exit status 2, with the usage text (the whole one when none is given). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Scanned {
  positionals: string[];
  /** Options that take a value, each with every value given, in order. */
  values: Map<string, string[]>;
  /** Options that take none (--json, --follow …). */
  flags: Set<string>;
  help: boolean;
}

export interface OptionTable {
  /** Option names (without --) that take a value. */
  values: readonly string[];
  /** Option names (without --) that take none. */
  flags: readonly string[];
}

/** Splits argv into positionals and options (`--opt value` or `--opt=value`; `--` ends options). */
export function scanArgv(argv: readonly string[], options: OptionTable): Scanned {
  const scanned: Scanned = { positionals: [], values: new Map(), flags: new Set(), help: false };
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
    if (options.flags.includes(name) && eq === -1) {
      scanned.flags.add(name);
      continue;
    }
    if (!options.values.includes(name)) throw new UsageError(`Unknown option '${raw}'.`);
    const value = eq === -1 ? argv[++i] : raw.slice(eq + 1);
    // `--name --json` is a forgotten value, not a name.
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
    const list = scanned.values.get(name) ?? [];
    list.push(value);
    scanned.values.set(name, list);
  }
  return scanned;
}
