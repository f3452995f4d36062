import type { RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';
import { canaryOnTraffic, startCanary, type CanaryState } from '../../../electron/services/serving/canary-rollout';
import type { RolloutDecision } from '../../../electron/services/serving/rollout-transitions';

/** A version's stats over a window: `requests` answered, `errors` of them failed, one p95. */
export function stats(requests: number, errors: number, p95Ms: number | null): VersionStatsView {
  return { requests, errors, errorRate: requests > 0 ? errors / requests : null, p50Ms: p95Ms === null ? null : p95Ms / 2, p95Ms, p99Ms: p95Ms };
}

export interface SimulatedCandidate {
  /** Whether the candidate's n-th request (1-based, counted over the whole rollout) fails. */
  fails?: (n: number) => boolean;
  candidateP95Ms?: number;
  stableP95Ms?: number;
  /** Time between two candidate requests. */
  msBetweenRequests: number;
  /** Stop after this many candidate requests even if undecided. */
  maxRequests: number;
}

export interface SimulatedDecision {
  decision: RolloutDecision;
  /** Candidate requests over the whole rollout when it was taken. */
  candidateRequests: number;
  /** Candidate requests in the step when it was taken. */
  stepRequests: number;
  at: number;
}

/**
 * Sends candidate requests one by one, stable getting its share by the weights, and feeds the
 * machine after each, as the serving service does. Stats restart at each step, as the service's
 * "since stepStartedAt" window does.
 */
export function simulateCanary(settings: RolloutSettings, candidate: SimulatedCandidate, start = 1_000_000) {
  const fails = candidate.fails ?? (() => false);
  let { state } = startCanary(settings, start);
  const decisions: SimulatedDecision[] = [];
  let now = start;
  let stepRequests = 0;
  let stepErrors = 0;
  let total = 0;
  while (total < candidate.maxRequests && (state.phase === 'waiting-for-traffic' || state.phase === 'analysing')) {
    now += candidate.msBetweenRequests;
    total++;
    stepRequests++;
    if (fails(total)) stepErrors++;
    const stableRequests = Math.round((stepRequests * (100 - state.candidateWeight)) / state.candidateWeight);
    const step = canaryOnTraffic(state, {
      now,
      candidate: stats(stepRequests, stepErrors, candidate.candidateP95Ms ?? 10),
      stable: stats(stableRequests, 0, stableRequests > 0 ? (candidate.stableP95Ms ?? 10) : null),
      settings,
    });
    state = step.state;
    if (step.decision) decisions.push({ decision: step.decision, candidateRequests: total, stepRequests, at: now });
    if (step.decision?.kind === 'advance') {
      stepRequests = 0;
      stepErrors = 0;
    }
  }
  return { state: state as CanaryState, decisions, candidateRequests: total, now };
}
