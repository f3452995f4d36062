import type { AnalysisCheck, RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';

/**
 * One health check of a candidate against its limits and against stable.
 *
 * - error-rate: candidate errors / requests above settings.maxErrorRate fails (equal passes).
 * - p95: candidate p95 above settings.maxP95Ms fails; only listed when an absolute limit is set.
 * - p95-factor: candidate p95 above stable's p95 × settings.maxP95Factor fails. The limit is never
 *   less than stable's p95 + P95_FACTOR_MARGIN_MS: on a workstation a few ms are timer and
 *   scheduler noise, and 2 ms against 1 ms is not a slow model.
 *
 * Which stable p95 it compares against: stable's own p95 over the same window when stable answered
 * at least settings.minRequests requests in it (the same bar of evidence the candidate must meet);
 * otherwise the last such p95 seen during this rollout (`rememberedStableP95Ms`; at the last step
 * stable gets no traffic at all). With neither, the factor check is not applicable: it is listed
 * with limit null and passes, because an unknown stable is no evidence against the candidate.
 * A check whose candidate number is unknown (no latency yet, no requests) passes the same way.
 */

/** The least a p95-factor limit stands above stable's p95, in ms. */
export const P95_FACTOR_MARGIN_MS = 5;

export interface CanaryAnalysisInput {
  candidate: VersionStatsView;
  stable: VersionStatsView;
  settings: Pick<RolloutSettings, 'minRequests' | 'maxErrorRate' | 'maxP95Ms' | 'maxP95Factor'>;
  /** Stable's p95 from earlier in the rollout, when it had enough requests; null: none yet. */
  rememberedStableP95Ms: number | null;
}

export interface CanaryAnalysis {
  checks: AnalysisCheck[];
  passed: boolean;
  /** The stable p95 the factor check used (to remember for later checks); null: none known. */
  stableP95Ms: number | null;
}

/** errors / requests; null without requests. */
export function errorRateOf(stats: Pick<VersionStatsView, 'requests' | 'errors'>): number | null {
  return stats.requests > 0 ? stats.errors / stats.requests : null;
}

/** Stable's p95 when its window holds enough requests to trust, else the remembered one. */
export function comparableStableP95(stable: VersionStatsView, minRequests: number, rememberedStableP95Ms: number | null): number | null {
  if (stable.requests >= minRequests && stable.p95Ms !== null) return stable.p95Ms;
  return rememberedStableP95Ms;
}

/** The highest candidate p95 the factor check passes, given stable's p95. */
export function p95FactorLimit(stableP95Ms: number, factor: number): number {
  return Math.max(stableP95Ms * factor, stableP95Ms + P95_FACTOR_MARGIN_MS);
}

function check(name: AnalysisCheck['name'], limit: number | null, actual: number | null): AnalysisCheck {
  return { name, limit, actual, passed: limit === null || actual === null || actual <= limit };
}

export function analyseCanary(input: CanaryAnalysisInput): CanaryAnalysis {
  const { candidate, stable, settings } = input;
  const checks: AnalysisCheck[] = [check('error-rate', settings.maxErrorRate, errorRateOf(candidate))];
  if (settings.maxP95Ms !== null) checks.push(check('p95', settings.maxP95Ms, candidate.p95Ms));
  const stableP95Ms = comparableStableP95(stable, settings.minRequests, input.rememberedStableP95Ms);
  const factorLimit = stableP95Ms === null ? null : p95FactorLimit(stableP95Ms, settings.maxP95Factor);
  checks.push(check('p95-factor', factorLimit, candidate.p95Ms));
  return { checks, passed: checks.every((c) => c.passed), stableP95Ms };
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** One check in words, e.g. "error rate 20.0% above the limit 1.0%". */
export function describeCheck(c: AnalysisCheck): string {
  if (c.actual === null || c.limit === null) return `${c.name} not applicable`;
  const verdict = c.passed ? 'within' : 'above';
  switch (c.name) {
    case 'error-rate':
      return `error rate ${percent(c.actual)} ${verdict} the limit ${percent(c.limit)}`;
    case 'p95':
      return `p95 ${ms(c.actual)} ${verdict} the limit ${ms(c.limit)}`;
    case 'p95-factor':
      return `p95 ${ms(c.actual)} ${verdict} ${ms(c.limit)} (stable's p95 × factor)`;
    case 'agreement':
      return `agreement ${percent(c.actual)} ${c.passed ? 'at least' : 'below'} the minimum ${percent(c.limit)}`;
    default:
      return `${c.name} ${c.actual} of ${c.limit}`;
  }
}

/** The failed checks in words, joined; "" when every check passed. */
export function describeFailures(checks: AnalysisCheck[]): string {
  return checks
    .filter((c) => !c.passed)
    .map(describeCheck)
    .join('; ');
}
