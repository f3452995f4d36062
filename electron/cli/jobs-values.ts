import path from 'node:path';
import { parseHyperValue, type HyperValue } from '../../shared/hyper-value';

/**
 * Reads the values of `orrery jobs` options. Each throws a plain Error whose message starts with
 * the option and says what is wrong; the caller turns it into a usage error with the usage text.
 */

function fail(flag: string, problem: string, text: string): never {
  throw new Error(`${flag}: ${problem}, got '${text}'.`);
}

/** `--param lr=0.1` → ['lr', 0.1], the value read as the launch dialog reads it. */
export function parseParam(flag: string, text: string): [string, HyperValue] {
  const eq = text.indexOf('=');
  const key = eq === -1 ? '' : text.slice(0, eq).trim();
  if (key === '') fail(flag, 'must be KEY=VALUE, like lr=0.01', text);
  return [key, parseHyperValue(text.slice(eq + 1))];
}

/** `--env NAME=value` → ['NAME', 'value']; the name as a shell would take it. */
export function parseEnv(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  const name = eq === -1 ? '' : text.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(flag, 'must be NAME=VALUE with a variable name (letters, digits, _)', text);
  return [name, text.slice(eq + 1)];
}

export interface DatasetMount {
  source: string;
  target: string;
  kind: 'dataset';
  writable: false;
}

/**
 * `--dataset SRC[:TARGET]`: SRC relative to `cwd`; TARGET an absolute path in the container,
 * /data/<basename of SRC> when left out. The last ':' followed by '/' starts TARGET, so a source
 * holding ':' still reads as one path.
 */
export function parseDataset(flag: string, text: string, cwd: string): DatasetMount {
  const at = text.lastIndexOf(':/');
  const sourceText = at > 0 ? text.slice(0, at) : text;
  const target = at > 0 ? text.slice(at + 1) : undefined;
  if (sourceText === '') fail(flag, 'must be SRC[:TARGET], a host path and where to mount it', text);
  const source = path.resolve(cwd, sourceText);
  const base = path.basename(source);
  if (target === undefined && (base === '' || source === path.parse(source).root)) fail(flag, 'needs a :TARGET for this source', text);
  return { source, target: target ?? `/data/${base}`, kind: 'dataset', writable: false };
}

/** `--priority`: a whole number -100–100 (higher runs first). */
export function parsePriority(flag: string, text: string): number {
  if (!/^[-+]?\d{1,3}$/.test(text) || Math.abs(Number(text)) > 100) fail(flag, 'must be a whole number from -100 to 100', text);
  return Number(text);
}

/** `--runner`: docker (a container) or process (a plain process on this machine). */
export function parseRunner(flag: string, text: string): 'docker' | 'process' {
  if (text !== 'docker' && text !== 'process') fail(flag, 'must be docker or process', text);
  return text;
}

/**
 * A job's name when none is given: the script's basename without its extension ("train" for
 * `python3 src/train.py`), the module for `python3 -m pkg.train`, else the program's basename.
 */
export function defaultJobName(command: readonly string[]): string {
  const [program = 'job', ...args] = command;
  let script: string | undefined;
  for (let i = 0; i < args.length && script === undefined; i++) {
    const arg = args[i]!;
    if (arg === '-c') break;
    if (arg === '-m') return (args[i + 1] ?? path.basename(program)).slice(0, 250);
    if (!arg.startsWith('-')) script = arg;
  }
  const base = path.basename(script ?? program);
  return (base.replace(/\.[A-Za-z0-9]+$/, '') || base || 'job').slice(0, 250);
}
