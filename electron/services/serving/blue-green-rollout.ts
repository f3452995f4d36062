import type { AnalysisView, RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';
import { analyseCanary, describeFailures, errorRateOf } from './canary-analysis';
import { analysisBatch } from './rollout-defaults';
import { AUTOMATIC_ACTOR, ended, isEnded, type RolloutMachineBase, type RolloutStep } from './rollout-transitions';

/**
 * Blue-green after the switch: the new version takes all traffic while the old one stays warm.
 * Its answers are analysed per batch like a canary's (error rate, p95, p95 against the old
 * version's before the switch); failing checks roll back at once, instantly, to the warm version.
 * When the warm time is up the old version stops (promote) — but only on evidence: with fewer than
 * the minimum requests it stays warm and the rollout waits for traffic.
 */
export interface BlueGreenState extends RolloutMachineBase {
  strategy: 'blue-green';
  /** When the old version may stop; null before the switch. */
  retireAt: number | null;
  /** The old version's p95 before the switch (null when it had too few requests to say). */
  stableP95Ms: number | null;
  lastCheckRequests: number | null;
  consecutiveFailures: number;
  analysis: AnalysisView | null;
}

export type BlueGreenStep = RolloutStep<BlueGreenState>;

export function switchedState(base: RolloutMachineBase, settings: RolloutSettings, now: number, stableBefore: VersionStatsView, fromVersion: number): BlueGreenState {
  const retireAt = now + settings.keepWarmMs;
  return {
    ...base,
    strategy: 'blue-green',
    phase: 'switching',
    step: 1,
    candidateWeight: 100,
    stepStartedAt: now,
    retireAt,
    stableP95Ms: stableBefore.requests >= settings.minRequests ? stableBefore.p95Ms : null,
    lastCheckRequests: null,
    consecutiveFailures: 0,
    analysis: null,
    note: `switched; version ${fromVersion} stays warm for an instant rollback until ${clock(retireAt)}`,
  };
}

/** New answers from the new version, or time passing (`now` past retireAt): may roll back, hold or promote. */
export function blueGreenOnTraffic(
  state: BlueGreenState,
  traffic: { now: number; candidate: VersionStatsView; settings: RolloutSettings; fromVersion: number },
): BlueGreenStep {
  if (isEnded(state.phase) || state.phase !== 'switching' || state.retireAt === null) return { state, decision: null };
  const { now, candidate, settings } = traffic;
  const timeUp = now >= state.retireAt;
  if (candidate.requests < settings.minRequests) {
    if (!timeUp) return { state, decision: null };
    const note = `waiting for traffic: ${candidate.requests} of ${settings.minRequests} requests to the new version; version ${traffic.fromVersion} stays warm until then`;
    return note === state.note ? { state, decision: null } : { state: { ...state, note }, decision: null };
  }
  const batchDone = state.lastCheckRequests === null || candidate.requests - state.lastCheckRequests >= analysisBatch(settings);
  if (!batchDone && !timeUp) return { state, decision: null };

  const noStable: VersionStatsView = { requests: 0, errors: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null };
  const result = analyseCanary({ candidate, stable: noStable, settings, rememberedStableP95Ms: state.stableP95Ms });
  const failures = result.passed ? 0 : state.consecutiveFailures + 1;
  const analysis: AnalysisView = { at: now, candidate, stable: noStable, checks: result.checks, consecutiveFailures: failures };
  const analysed: BlueGreenState = { ...state, lastCheckRequests: candidate.requests, consecutiveFailures: failures, analysis };
  const numbers = {
    candidateRequests: candidate.requests,
    candidateErrors: candidate.errors,
    errorRate: errorRateOf(candidate),
    maxErrorRate: settings.maxErrorRate,
    candidateP95Ms: candidate.p95Ms,
    stableP95Ms: state.stableP95Ms,
    consecutiveFailures: failures,
    failureLimit: settings.failureLimit,
  };
  if (!result.passed) {
    const why = describeFailures(result.checks);
    if (failures >= settings.failureLimit) {
      const message = `rolled back to the warm version ${traffic.fromVersion}: ${why}, in ${failures} checks in a row over ${candidate.requests} requests`;
      return { state: ended(analysed, 'rolled-back', 0, now), decision: { kind: 'rollback', message, numbers, actor: AUTOMATIC_ACTOR }, weight: 0, outcome: 'rollback' };
    }
    const message = `check failed (${failures} of ${settings.failureLimit} in a row before rollback): ${why}`;
    return { state: { ...analysed, note: message }, decision: { kind: 'hold', message, numbers, actor: AUTOMATIC_ACTOR } };
  }
  if (!timeUp) return { state: { ...analysed, note: state.note }, decision: null };
  const message = `promoted: checks passed over ${candidate.requests} requests while version ${traffic.fromVersion} was kept warm; it is now stopped`;
  return { state: ended(analysed, 'promoted', 100, now), decision: { kind: 'promote', message, numbers, actor: AUTOMATIC_ACTOR }, weight: 100, outcome: 'promote' };
}

/** HH:MM:SS in the machine's local time, as the screens show times. */
export function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
