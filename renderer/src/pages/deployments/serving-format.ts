import type { AnalysisCheck, RolloutState, RolloutView } from '../../../../shared/contract/serving';
import { runColor } from '../../charts/series-math';

/** A rollout state in words. */
export const rolloutStateLabel: Record<RolloutState, string> = {
  starting: 'starting the candidate',
  'waiting-for-traffic': 'waiting for traffic',
  analysing: 'analysing',
  paused: 'paused',
  switching: 'switching',
  promoted: 'promoted',
  'rolled-back': 'rolled back',
  aborted: 'aborted',
};
/** A rollout's state as its badge reads, by strategy: blue-green's 'switching' is the old version kept warm after the switch. */
export function rolloutStateText(rollout: Pick<RolloutView, 'state' | 'strategy'>): string {
  if (rollout.state === 'switching' && rollout.strategy === 'blue-green') return 'switched, old version warm';
  if (rollout.state === 'switching' && rollout.strategy === 'rolling') return 'replacing replicas';
  return rolloutStateLabel[rollout.state];
}

/**
 * A version's colour in the traffic bar and the charts: by version number, so it keeps its colour
 * when its role changes (candidate → stable).
 */
export function versionColor(version: number): string {
  return runColor((version - 1) % 10);
}

/** "1 replica", "2 replicas". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** Decision kinds of a rollout; a deployment's own events (scaled, stopped …) are not the rollout's decision. */
const ROLLOUT_DECISIONS: ReadonlySet<string> = new Set(['advance', 'promote', 'rollback', 'hold', 'pause', 'resume', 'abort', 'switch', 'replace', 'start']);

export function isRolloutDecision(kind: string): boolean {
  return ROLLOUT_DECISIONS.has(kind) || kind.startsWith('rollout-');
}

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** A service note with any ISO timestamp in it shown as local HH:MM:SS (HH:MM:SS already written stays as is). */
export function localTimesIn(text: string): string {
  return text.replace(ISO_TIME, (iso) => {
    const at = Date.parse(iso);
    return Number.isFinite(at) ? formatClock(at) : iso;
  });
}

export type RolloutAction = 'promote' | 'rollback' | 'pause' | 'resume' | 'abort';

/** What a user may do to a rollout in its state; an ended rollout takes nothing. */
export function allowedRolloutActions(state: RolloutState): RolloutAction[] {
  switch (state) {
    case 'starting':
      return ['rollback', 'pause', 'abort'];
    case 'waiting-for-traffic':
    case 'analysing':
    case 'switching':
      return ['promote', 'rollback', 'pause', 'abort'];
    case 'paused':
      return ['promote', 'rollback', 'resume', 'abort'];
    default:
      return [];
  }
}

export function rolloutEnded(state: RolloutState): boolean {
  return state === 'promoted' || state === 'rolled-back' || state === 'aborted';
}

export const checkLabel: Record<AnalysisCheck['name'], string> = {
  'error-rate': 'Error rate',
  p95: 'p95 latency',
  'p95-factor': 'p95 vs stable × factor',
  'min-requests': 'Candidate requests',
  'min-time': 'Time in step',
  agreement: 'Agreement with stable',
};

/** A check's limit or actual value in the unit the check uses. */
export function formatCheckValue(name: AnalysisCheck['name'], value: number | null): string {
  if (value === null) return '—';
  switch (name) {
    case 'error-rate':
    case 'agreement':
      return formatRate(value);
    // The factor check's limit is stable's p95 × the factor, in ms, compared with the candidate's p95.
    case 'p95':
    case 'p95-factor':
      return formatMs(value);
    case 'min-time':
      return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)} s`;
    default:
      return Math.round(value).toLocaleString('en');
  }
}

/** How a limit reads: error rate and p95 are ceilings, requests, time and agreement floors. */
export function limitComparator(name: AnalysisCheck['name']): '≤' | '≥' {
  return name === 'min-requests' || name === 'min-time' || name === 'agreement' ? '≥' : '≤';
}

/** A sentence as shown: a final full stop added when it has none. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** 0.0123 → "1.23%"; null → "—". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  const pct = rate * 100;
  return `${pct === 0 ? '0' : pct < 0.1 ? pct.toFixed(3) : pct < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  // Whole seconds read as such ("keep warm 60 s", not "60.00 s").
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Number((ms / 1000).toFixed(1))} s`;
}

export function formatRps(rps: number | null | undefined): string {
  if (rps === null || rps === undefined || !Number.isFinite(rps)) return '—';
  return rps < 10 ? rps.toFixed(1) : Math.round(rps).toLocaleString('en');
}

/** "candidateP95Ms" → "candidate p95", "errorRate" → "error rate": a number's key as words (its unit goes on the value). */
export function numberLabel(key: string): string {
  return key
    .replace(/Ms$/, '')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\bp (\d+)/g, 'p$1');
}

/** A decision's numbers as "error rate 1.20% · candidate p95 32.0 ms · candidate requests 50"; unknown ones are left out. */
export function formatNumbers(numbers: Record<string, number | null>): string {
  return Object.entries(numbers)
    .filter((entry): entry is [string, number] => entry[1] !== null)
    .map(([key, value]) => {
      const label = numberLabel(key);
      // Weights and the shadow share are percent already (10 → "10%"), unlike rates (0.1 → "10%").
      if (/weight|share$/i.test(key) && !/equalShare/.test(key)) return `${label} ${Number(value.toFixed(1))}%`;
      if (/rate|share|agreement/i.test(key)) return `${label} ${formatRate(value)}`;
      if (/Ms$/.test(key)) return `${label} ${formatMs(value)}`;
      return `${label} ${Number.isInteger(value) ? value.toLocaleString('en') : value.toFixed(3)}`;
    })
    .join(' · ');
}

export function formatClock(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** JSON shown in a table cell: compact, cut at `chars`. */
export function previewJson(value: unknown, chars = 120): string {
  const text = value === undefined ? '' : JSON.stringify(value);
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}
