import path from 'node:path';
import { driftMethodNames, type ColumnKindName, type DriftMethodId } from '../../shared/contract/monitoring';
import { UsageError, type ContractCall, type Scanned } from './cli-args';
import { parseDeploymentName } from './deploy-values';
import { parseAlertId, parseColumnKinds, parseDriftShare, parseMethods, parseUntil, parseWhole } from './monitor-values';

/** `orrery monitor …` and `orrery alerts …`: the command line as a local comparison or monitoring.* calls; nothing here does I/O. */

export const monitorSubcommands = ['drift', 'reference', 'status', 'check', 'feedback'] as const;
export const alertsSubcommands = ['list', 'ack', 'silence'] as const;
type MonitorSub = (typeof monitorSubcommands)[number];
type AlertsSub = (typeof alertsSubcommands)[number];
export type MonitoringSubcommand = `monitor ${Exclude<MonitorSub, 'drift'>}` | `alerts ${AlertsSub}`;

/** Two files compared in this process: what InlineCompute's 'compare-files' takes, paths absolute. */
export interface DriftComparison {
  reference: string;
  current: string;
  kinds: Record<string, ColumnKindName>;
  methods: Record<string, { method: DriftMethodId; threshold: number | null }>;
  driftShare: number;
  target: string | null;
}

export interface MonitorDriftCommand {
  kind: 'monitor-drift';
  comparison: DriftComparison;
  json: boolean;
  /** Where to write the HTML report too (absolute); null: none. */
  html: string | null;
}

/** A command answered by the running Orrery. */
export interface MonitoringCallCommand {
  kind: 'monitoring';
  subcommand: MonitoringSubcommand;
  call: ContractCall;
  json: boolean;
  /** monitor status: how many of the latest windows to list. */
  windows: number;
  dataDir?: string;
}

export type MonitoringCommand = MonitorDriftCommand | MonitoringCallCommand;

const DEFAULT_STATUS_WINDOWS = 10;
const DEFAULT_DRIFT_SHARE = 0.5;

const USAGE_LINES: Record<MonitorSub | `alerts-${AlertsSub}`, string> = {
  drift: `  orrery monitor drift --reference REF --current CUR [--column NAME=numeric|categorical]... [--method NAME=METHOD[:THRESHOLD]]...
        [--target COL] [--drift-share ${DEFAULT_DRIFT_SHARE}] [--html FILE]    two CSV or Parquet files, compared here; exit 3 on dataset drift`,
  reference: `  orrery monitor reference DEPLOYMENT --file REF|--requests N|--run RUN_ID (--artifact PATH|--dataset NAME) [--window-requests 1000]
        [--window-minutes M] [--column NAME=KIND]... [--method NAME=METHOD[:THRESHOLD]]... [--drift-share ${DEFAULT_DRIFT_SHARE}]`,
  status: described(`orrery monitor status DEPLOYMENT [--windows ${DEFAULT_STATUS_WINDOWS}]`, "the reference, latest windows, the latest one's columns and data quality"),
  check: described('orrery monitor check DEPLOYMENT', 'close the current window now and check it'),
  feedback: described('orrery monitor feedback DEPLOYMENT --file F --id-column C --label-column L', 'ground truth, joined on request ids'),
  'alerts-list': described('orrery alerts list [--deployment DEPLOYMENT] [--state pending|firing|resolved]', 'each alert with its state'),
  'alerts-ack': described('orrery alerts ack ID', 'mark an alert as seen'),
  'alerts-silence': described('orrery alerts silence ID --until TIME', "no notification from the alert's rule until TIME"),
};

/** A usage line with its description in the column the deploy lines use (under it when the line is too long). */
function described(line: string, text: string): string {
  return line.length < 50 ? `  ${line.padEnd(50)} ${text}` : `  ${line}\n${' '.repeat(53)}${text}`;
}

/** The monitoring lines of `orrery --help`. */
export const MONITOR_USAGE = `${monitorSubcommands.map((s) => USAGE_LINES[s]).join('\n')}
  METHOD: ${driftMethodNames.join(', ')} (default: chosen per column as Evidently does)`;
export const ALERTS_USAGE = `${alertsSubcommands.map((s) => USAGE_LINES[`alerts-${s}`]).join('\n')}
  TIME: ISO 8601 like 2026-12-01T09:00 (this machine's time zone) or 2026-12-01T09:00:00Z, or from now: 30m, 2h, 1d`;

/** Options each subcommand takes besides --data-dir and --json (values; none takes a bare flag). */
const ALLOWED: Record<MonitorSub | `alerts-${AlertsSub}`, readonly string[]> = {
  drift: ['reference', 'current', 'column', 'method', 'target', 'drift-share', 'html'],
  reference: ['file', 'requests', 'run', 'artifact', 'dataset', 'window-requests', 'window-minutes', 'column', 'method', 'drift-share', 'actor'],
  status: ['windows'],
  check: [],
  feedback: ['file', 'id-column', 'label-column'],
  'alerts-list': ['deployment', 'state'],
  'alerts-ack': ['actor'],
  'alerts-silence': ['until', 'actor'],
};
const REPEATABLE = new Set(['column', 'method']);

/** Every option of these commands, for the scanner. */
export const MONITORING_OPTIONS = { values: [...new Set(Object.values(ALLOWED).flat())], flags: [] as string[] };

function usageOf(key: keyof typeof USAGE_LINES): string {
  const note = key === 'drift' || key === 'reference' ? `\n  METHOD: ${driftMethodNames.join(', ')}` : key === 'alerts-silence' ? `\n  ${ALERTS_USAGE.split('\n').at(-1)!.trim()}` : '';
  return `Usage:\n${USAGE_LINES[key]}${note}\n\nRun 'orrery --help' for the options every command takes.`;
}

export interface MonitoringDefaults {
  actor: string;
  /** Relative paths are relative to this. */
  cwd: string;
  /** Now (ms), for `--until 2h`. */
  now: number;
}

/**
 * Parses what follows `orrery monitor` or `orrery alerts`: `args` are the positionals after the
 * group (subcommand first), `scanned` the whole command line's options. Throws UsageError.
 */
export function parseMonitoring(group: 'monitor' | 'alerts', args: readonly string[], scanned: Scanned, defaults: MonitoringDefaults): MonitoringCommand | { kind: 'help'; text: string } {
  const [subName, ...rest] = args;
  const known: readonly string[] = group === 'monitor' ? monitorSubcommands : alertsSubcommands;
  if (subName === undefined) throw new UsageError(`Missing command after ${group}.`);
  if (!known.includes(subName)) throw new UsageError(`Unknown command '${group} ${subName}'.`);
  const key = (group === 'monitor' ? subName : `alerts-${subName}`) as keyof typeof USAGE_LINES;
  const label = `${group} ${subName}`;
  const usage = usageOf(key);
  if (scanned.help) return { kind: 'help', text: usage };
  const bad = (message: string): never => {
    throw new UsageError(message, usage);
  };

  for (const [option, given] of scanned.values) {
    if (option !== 'data-dir' && !ALLOWED[key].includes(option)) bad(`--${option} is not an option of '${label}'.`);
    if (given.length > 1 && !REPEATABLE.has(option)) bad(`--${option} is given more than once.`);
  }
  for (const flag of scanned.flags) if (flag !== 'json') bad(`--${flag} is not an option of '${label}'.`);

  const one = (option: string): string | undefined => scanned.values.get(option)?.[0];
  const all = (option: string): string[] => scanned.values.get(option) ?? [];
  const required = (option: string, what: string): string => one(option) ?? bad(`${label} needs --${option} ${what}.`);
  /** Runs a monitor-values parser; its message becomes a usage error. */
  const read = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      return bad((error as Error).message);
    }
  };
  const absolute = (file: string): string => path.resolve(defaults.cwd, file);
  const who = one('actor') ?? defaults.actor;
  // Left out when nobody is known: Orrery records its own default.
  const actor = who.trim() ? { actor: who } : {};
  const json = scanned.flags.has('json');
  const dataDir = one('data-dir');
  const positionals = (names: string[]): string[] => {
    if (rest.length < names.length) bad(`${label} needs ${names.slice(rest.length).join(' ')}.`);
    if (rest.length > names.length) bad(`Unexpected argument '${rest[names.length]}'.`);
    return rest;
  };
  const deployment = (): string => read(() => parseDeploymentName('DEPLOYMENT', positionals(['DEPLOYMENT'])[0]!));
  const done = (subcommand: MonitoringSubcommand, call: ContractCall, windows = DEFAULT_STATUS_WINDOWS): MonitoringCallCommand => ({
    kind: 'monitoring',
    subcommand,
    call,
    json,
    windows,
    ...(dataDir !== undefined ? { dataDir } : {}),
  });

  switch (key) {
    case 'drift': {
      positionals([]);
      const reference = required('reference', 'REF');
      const current = required('current', 'CUR');
      const html = one('html');
      return {
        kind: 'monitor-drift',
        json,
        html: html === undefined ? null : absolute(html),
        comparison: {
          reference: absolute(reference),
          current: absolute(current),
          kinds: read(() => parseColumnKinds('--column', all('column'))),
          methods: read(() => parseMethods('--method', all('method'))),
          driftShare: read(() => parseDriftShare('--drift-share', one('drift-share') ?? String(DEFAULT_DRIFT_SHARE))),
          target: one('target') ?? null,
        },
      };
    }
    case 'reference': {
      const name = deployment();
      const sources = ['file', 'requests', 'run'].filter((o) => one(o) !== undefined);
      if (sources.length !== 1) bad('monitor reference needs exactly one of --file REF, --requests N or --run RUN_ID with --artifact PATH or --dataset NAME.');
      if (one('artifact') !== undefined && one('run') === undefined) bad('--artifact goes with --run RUN_ID.');
      if (one('dataset') !== undefined && one('run') === undefined) bad('--dataset goes with --run RUN_ID.');
      if (one('dataset') !== undefined && one('artifact') !== undefined) bad('--run takes --artifact PATH or --dataset NAME, not both.');
      let source;
      if (one('file') !== undefined) source = { kind: 'file' as const, path: absolute(one('file')!) };
      else if (one('requests') !== undefined) source = { kind: 'requests' as const, count: read(() => parseWhole('--requests', one('requests')!, 10, 1_000_000)) };
      else if (one('dataset') !== undefined) source = { kind: 'run-dataset' as const, runId: one('run')!, name: one('dataset')! };
      else source = { kind: 'run-artifact' as const, runId: one('run')!, path: required('artifact', 'PATH (the file within the run\'s artifacts, or --dataset NAME for its dataset input)') };
      const windowRequests = one('window-requests');
      const windowMinutes = one('window-minutes');
      const driftShare = one('drift-share');
      return done('monitor reference', {
        method: 'monitoring.setReference',
        input: {
          deployment: name,
          source,
          ...(windowRequests !== undefined ? { windowRequests: read(() => parseWhole('--window-requests', windowRequests, 10, 10_000_000)) } : {}),
          ...(windowMinutes !== undefined ? { windowMinutes: read(() => parseWhole('--window-minutes', windowMinutes, 1, 10_080)) } : {}),
          ...(driftShare !== undefined ? { driftShare: read(() => parseDriftShare('--drift-share', driftShare)) } : {}),
          ...(all('column').length > 0 ? { columnKinds: read(() => parseColumnKinds('--column', all('column'))) } : {}),
          ...(all('method').length > 0 ? { methods: read(() => parseMethods('--method', all('method'))) } : {}),
          ...actor,
        },
      });
    }
    case 'status': {
      const name = deployment();
      const windows = read(() => parseWhole('--windows', one('windows') ?? String(DEFAULT_STATUS_WINDOWS), 1, 1000));
      return done('monitor status', { method: 'monitoring.getMonitor', input: { deployment: name } }, windows);
    }
    case 'check':
      return done('monitor check', { method: 'monitoring.checkMonitor', input: { deployment: deployment() } });
    case 'feedback': {
      const name = deployment();
      const file = absolute(required('file', 'F'));
      return done('monitor feedback', {
        method: 'monitoring.importFeedback',
        input: { deployment: name, file, idColumn: required('id-column', 'C'), labelColumn: required('label-column', 'L') },
      });
    }
    case 'alerts-list': {
      positionals([]);
      const forDeployment = one('deployment');
      const state = one('state');
      if (state !== undefined && !['pending', 'firing', 'resolved'].includes(state)) bad(`--state: must be pending, firing or resolved, got '${state}'.`);
      return done('alerts list', {
        method: 'monitoring.listAlerts',
        input: {
          ...(forDeployment !== undefined ? { deployment: read(() => parseDeploymentName('--deployment', forDeployment)) } : {}),
          ...(state !== undefined ? { state: state as 'pending' | 'firing' | 'resolved' } : {}),
        },
      });
    }
    case 'alerts-ack': {
      const id = read(() => parseAlertId('ID', positionals(['ID'])[0]!));
      return done('alerts ack', { method: 'monitoring.acknowledgeAlert', input: { id, ...actor } });
    }
    case 'alerts-silence': {
      const id = read(() => parseAlertId('ID', positionals(['ID'])[0]!));
      const until = read(() => parseUntil('--until', required('until', 'TIME'), defaults.now));
      return done('alerts silence', { method: 'monitoring.silenceAlert', input: { id, until, ...actor } });
    }
  }
}
