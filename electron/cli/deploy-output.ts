import type {
  AnalysisCheck,
  AnalysisView,
  Deployment,
  DeploymentEventView,
  DeploymentLogLine,
  DeploymentSummary,
  DeploymentVersionView,
  ReplicaView,
  RolloutView,
} from '../../shared/contract/serving';
import type { ContractCall } from './cli-args';
import type { DeploySubcommand } from './deploy-command';

/** What a person reads after each `orrery deploy …` command (scripts use --json). */
export function describeDeployResult(command: { subcommand: DeploySubcommand; call: ContractCall }, result: unknown): string {
  const d = result as Deployment;
  switch (command.subcommand) {
    case 'status':
      return statusText(d);
    case 'list':
      return listText(result as DeploymentSummary[]);
    case 'logs':
      return (result as DeploymentLogLine[]).map(logLineText).join('\n');
    case 'token':
      // The token alone, so `$(orrery deploy token web)` is the token; none: see deployNote.
      return (result as { token: string | null }).token ?? '';
    case 'delete':
      return `Deleted ${(command.call.input as { name: string }).name}`;
    case 'create': {
      const v = d.versions[0];
      const replicas = plural(d.settings.replicas, 'replica');
      const unapproved = v && !v.approved ? `; version ${v.version} is not approved` : '';
      return `Deployed ${d.modelName} version ${v?.version ?? '?'} as ${d.name} at ${d.url} (${replicas}, ${d.status})${unapproved}`;
    }
    case 'rollout': {
      const r = d.rollout;
      if (!r) return `${d.name}: no rollout is running`;
      const candidate = d.versions.find((v) => v.version === r.toVersion);
      const unapproved = candidate && !candidate.approved ? `; version ${r.toVersion} is not approved` : '';
      return `Started a ${r.strategy} rollout on ${d.name}: version ${r.fromVersion} → ${r.toVersion}, ${rolloutStateText(r)}${unapproved}`;
    }
    case 'promote':
      return `Promoted on ${d.name}: version ${servingVersions(d)} takes all traffic`;
    case 'rollback':
      return `Rolled back ${d.name}: version ${servingVersions(d)} takes all traffic`;
    case 'abort':
      return `Aborted the rollout on ${d.name}: version ${servingVersions(d)} takes all traffic`;
    case 'pause':
    case 'resume':
      return `${command.subcommand === 'pause' ? 'Paused' : 'Resumed'} the rollout on ${d.name}${d.rollout ? `: ${d.rollout.strategy}, ${rolloutStateText(d.rollout)}` : ''}`;
    case 'scale':
      return `Scaled ${d.name} to ${plural(d.settings.replicas, 'replica')} (${d.status})`;
    case 'stop':
      return `Stopped ${d.name}: ${d.url} answers 503 until it is started`;
    case 'start':
      return `Started ${d.name} at ${d.url} (${d.status})`;
  }
}

/** A line for stderr besides the result (stdout stays empty, or holds only the result, for scripts); null for none. */
export function deployNote(command: { subcommand: DeploySubcommand; json: boolean }, result: unknown): string | null {
  if (command.subcommand === 'token' && !command.json && (result as { token: string | null }).token === null) return 'this deployment does not require a token';
  return null;
}

/**
 * A next step to print under Orrery's error, for the mistakes a new user makes; null for none.
 * A version registered from a whole run's artifacts has no MLmodel at its top: the MLflow model folder inside it is what serves.
 */
export function deployErrorHint(subcommand: DeploySubcommand, message: string): string | null {
  if ((subcommand === 'create' || subcommand === 'rollout') && message.includes('the model folder has no MLmodel file')) {
    return 'hint: register the run\'s MLflow model folder, e.g. orrery models register --run RUN --path model --name …';
  }
  return null;
}

/** `deploy status`: the URL first, then versions and replicas, then the rollout and its last decision. */
export function statusText(d: Deployment): string {
  const s = d.settings;
  const lines = [
    d.url,
    `${d.name}: ${d.modelName}, ${d.status}${d.reason ? ` (${d.reason})` : ''}`,
    `  ${plural(s.replicas, 'replica')} of ${s.cpus} CPU, ${s.memoryGb} GB${s.gpus > 0 ? `, ${plural(s.gpus, 'GPU')}` : ''} each; image ${s.image}; timeout ${s.timeoutSeconds} s` +
      `${s.requireToken ? `; token required (orrery deploy token ${d.name})` : ''}${s.requireApproval ? '; approval required' : ''}${s.logRequests ? '' : '; request log off'}` +
      `${s.promoteAlias ? `; promotes alias @${s.promoteAlias}` : ''}`,
  ];
  if (d.unapproved) lines.push('  unapproved: a version that serves is not approved in the registry');
  lines.push('', 'Versions:');
  for (const v of d.versions) lines.push(...versionLines(v));
  if (d.rollout) lines.push('', ...rolloutLines(d.rollout));
  return lines.join('\n');
}

function versionLines(v: DeploymentVersionView): string[] {
  const asked = v.requestedAs !== String(v.version) ? ` (asked as ${v.requestedAs})` : '';
  const head = `  v${v.version}  ${v.role}  ${v.weight}%  ${v.approved ? 'approved' : 'unapproved'}  ${v.image}${asked}`;
  if (v.replicas.length === 0) return [head, '    no replicas'];
  return [head, ...v.replicas.map(replicaLine)];
}

function replicaLine(r: ReplicaView): string {
  const facts: string[] = [r.state];
  if (r.restarts > 0) facts.push(plural(r.restarts, 'restart'));
  if (r.gpuIndices.length > 0) facts.push(`GPU ${r.gpuIndices.join(',')}`);
  return `    ${r.replicaId}  ${facts.join(', ')}  ${r.url}${r.reason ? `  ${r.reason.split('\n').join(' | ')}` : ''}`;
}

function rolloutLines(r: RolloutView): string[] {
  const lines = [`Rollout: ${r.strategy}, version ${r.fromVersion} → ${r.toVersion}, ${rolloutStateText(r)}, since ${time(r.startedAt)}${r.endedAt ? `, ended ${time(r.endedAt)}` : ''}`];
  if (r.note) lines.push(`  ${r.note}`);
  if (r.analysis) lines.push(...analysisLines(r.analysis, r.settings.failureLimit));
  lines.push(r.lastDecision ? `  Last decision: ${decisionText(r.lastDecision)}` : '  Last decision: none yet');
  return lines;
}

/** "analysing, step 2 of 4 (25% to the candidate)"; the step only where the strategy has steps. */
export function rolloutStateText(r: RolloutView): string {
  const state = r.state.replace(/-/g, ' ');
  if (r.strategy === 'canary') return `${state}, step ${r.step + 1} of ${r.settings.steps.length} (${r.candidateWeight}% to the candidate)`;
  if (r.strategy === 'rolling') return `${state}, ${plural(r.step, 'replica')} replaced`;
  if (r.strategy === 'shadow') return `${state}, ${r.settings.shadowShare}% of requests copied to the candidate`;
  return `${state}, ${r.candidateWeight}% to the candidate`;
}

function analysisLines(a: AnalysisView, failureLimit: number): string[] {
  const stats = (label: string, v: AnalysisView['candidate']) =>
    `${label} ${plural(v.requests, 'request')}, ${plural(v.errors, 'error')}, p50 ${ms(v.p50Ms)}, p95 ${ms(v.p95Ms)}, p99 ${ms(v.p99Ms)}`;
  const lines = [`  Analysis at ${time(a.at)}: ${stats('candidate', a.candidate)}; ${stats('stable', a.stable)}`];
  const rows = a.checks.map((c) => [CHECK_LABEL[c.name], `saw ${checkValue(c.name, c.actual)}`, `limit ${checkLimit(c)}`, verdict(c)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) lines.push(`    ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`);
  if (a.agreement) {
    const ag = a.agreement;
    lines.push(`    shadow answers compared: ${ag.compared}, equal ${ag.equalShare === null ? '–' : percent(ag.equalShare)}, mean absolute difference ${ag.meanAbsDiff === null ? '–' : plain(ag.meanAbsDiff)}`);
  }
  lines.push(`  Failed checks in a row: ${a.consecutiveFailures} of ${failureLimit}`);
  return lines;
}

const CHECK_LABEL: Record<AnalysisCheck['name'], string> = {
  'error-rate': 'error rate',
  p95: 'p95',
  'p95-factor': 'p95 vs stable',
  'min-requests': 'requests',
  'min-time': 'time in step',
  agreement: 'agreement',
};

function checkValue(name: AnalysisCheck['name'], value: number | null): string {
  if (value === null) return '–';
  switch (name) {
    case 'error-rate':
    case 'agreement':
      return percent(value);
    case 'p95':
    case 'p95-factor':
      return ms(value);
    case 'min-requests':
      return String(Math.round(value));
    case 'min-time':
      return duration(value);
  }
}

/** What the check needed: "at most 1%", "at least 50". */
function checkLimit(c: AnalysisCheck): string {
  if (c.limit === null) return 'none';
  const atLeast = c.name === 'min-requests' || c.name === 'min-time' || c.name === 'agreement';
  return `${atLeast ? 'at least' : 'at most'} ${checkValue(c.name, c.limit)}`;
}

function verdict(c: AnalysisCheck): string {
  if (c.passed) return 'ok';
  // Too little evidence holds the rollout; it is not a failed check.
  return c.name === 'min-requests' || c.name === 'min-time' ? 'waiting' : 'FAILED';
}

/** "rollback at 2026-11-30T08:01:02Z by orrery: <why> (error rate 20%, candidate p95 41 ms)". */
export function decisionText(e: DeploymentEventView): string {
  const numbers = Object.entries(e.numbers).map(([key, value]) => decisionNumber(key, value));
  return `${e.kind} at ${time(e.at)} by ${e.actor}: ${e.message}${numbers.length > 0 ? ` (${numbers.join(', ')})` : ''}`;
}

/** Decision numbers by unit, under the serving area's names; others go by their suffix (…Ms, …Rate). */
const SHARE_KEYS = new Set(['errorRate', 'maxErrorRate', 'equalShare', 'minAgreement']);
const PERCENT_KEYS = new Set(['weight', 'shadowShare']);
const DURATION_KEYS = new Set(['elapsedMs', 'keepWarmMs', 'intervalMs']);
const COUNT_KEYS = new Set(['step', 'candidateRequests', 'candidateErrors', 'consecutiveFailures', 'failureLimit', 'replaced', 'total', 'replicas', 'compared', 'shadowErrors']);

/**
 * "p95FactorLimitMs 24.767250000000004" → "p95 factor limit 24.8 ms", "maxErrorRate 0.01" →
 * "max error rate 1%". `step` is printed as Orrery records it (counted from 1).
 */
export function decisionNumber(key: string, value: number | null): string {
  const label = key
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  if (value === null) return `${label} –`;
  if (COUNT_KEYS.has(key)) return `${label} ${Math.round(value)}`;
  if (PERCENT_KEYS.has(key)) return `${label} ${Number(value.toFixed(2))}%`;
  if (SHARE_KEYS.has(key) || /(?:Rate|Share|Agreement)$/.test(key)) return `${label} ${percent(value)}`;
  if (DURATION_KEYS.has(key)) return `${label} ${Number((value / 1000).toFixed(1))} s`;
  if (key.endsWith('Ms')) return `${label} ${ms(value)}`;
  return `${label} ${plain(value)}`;
}

/** `deploy list`: one row per deployment, columns aligned. */
export function listText(list: DeploymentSummary[]): string {
  if (list.length === 0) return 'No deployments.';
  const header = ['NAME', 'MODEL', 'STATUS', 'TRAFFIC', 'ROLLOUT', 'REQ/S', 'P95', 'ERRORS', 'URL'];
  const rows = list.map((d) => [
    d.name,
    d.modelName,
    d.status,
    d.versions.map((v) => `v${v.version} ${v.weight}%${v.approved ? '' : ' (unapproved)'}`).join(', ') || '–',
    d.rolloutState ?? '–',
    d.requestsPerSecond.toFixed(1),
    ms(d.p95Ms),
    d.errorRate === null ? '–' : percent(d.errorRate),
    d.url,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n');
}

/** One line of a replica's output, with where it came from. */
export function logLineText(l: DeploymentLogLine): string {
  return `v${l.version} ${l.replicaId}${l.stream === 'stderr' ? ' (stderr)' : ''} | ${l.line}`;
}

/** The versions that take traffic now ("3", or "3 and 4" mid-way). */
function servingVersions(d: Deployment): string {
  const serving = d.versions.filter((v) => v.weight > 0).map((v) => v.version);
  return serving.length > 0 ? serving.join(' and ') : 'none';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** 0.01 → "1%", 0.004 → "0.4%", 0.12345 → "12.35%". */
function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** A number without a known unit, to 4 significant digits (whole from 1000): 0.000123456 → "0.0001235". */
function plain(value: number): string {
  return Math.abs(value) >= 1000 ? String(Math.round(value)) : String(Number(value.toPrecision(4)));
}

function ms(value: number | null): string {
  return value === null ? '–' : `${Number(value.toFixed(1))} ms`;
}

/** 30000 → "30 s", 90000 → "1.5 min", 450 → "450 ms". */
function duration(valueMs: number): string {
  if (valueMs < 1000) return `${Math.round(valueMs)} ms`;
  if (valueMs < 60_000) return `${Number((valueMs / 1000).toFixed(1))} s`;
  return `${Number((valueMs / 60_000).toFixed(1))} min`;
}

/** UTC, to the second: the same on every machine that reads it. */
function time(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
