import type { AnalysisCheck, AnalysisView, RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';
import { analyseCanary, describeFailures, errorRateOf } from './canary-analysis';
import { addLatency, sketchCount, sketchQuantile, type LatencySketch } from './latency-sketch';
import { compareAnswers } from './prediction-agreement';
import { analysisBatch } from './rollout-defaults';
import { AUTOMATIC_ACTOR, applyManualAction, ended, isEnded, type ManualAction, type RolloutMachineBase, type RolloutStep } from './rollout-transitions';

/**
 * The shadow rollout: the candidate answers copies of requests after the caller has its answer;
 * the machine tallies how often it agreed with the primary and how much slower it was on the same
 * requests, and promotes by itself only when the user set a rule (settings.shadowMinAgreement):
 * agreement at least that, the shadow's error rate and p95 within the canary's limits (p95-factor
 * against the primary's p95 on the same requests), settings.minRequests compared and
 * settings.intervalMs since it began. Otherwise it holds for a promote by hand. A shadow never
 * rolls back by itself: its answers reach nobody, so a bad one costs only its own resources.
 *
 * What is compared: only requests the primary answered with 2xx (else there is nothing to agree
 * with). A shadow answer that is not 2xx, or that its model raised on, counts as a shadow error and
 * a disagreement. meanAbsDiff is the mean of each compared request's own mean absolute difference.
 */

export interface AgreementTally {
  compared: number;
  equal: number;
  /** Sum and count of per-request mean absolute differences (requests with numeric predictions). */
  absDiffSum: number;
  absDiffCount: number;
  shadowErrors: number;
  primaryLatency: LatencySketch;
  shadowLatency: LatencySketch;
}

/** One copied request: the fields of the gateway's ShadowObservation this needs. */
export interface ShadowPair {
  primaryStatus: number;
  primaryBody: string | Uint8Array;
  primaryLatencyMs: number;
  status: number;
  shadowBody: string | Uint8Array;
  latencyMs: number;
  modelError: boolean;
}

export interface AgreementView {
  compared: number;
  equalShare: number | null;
  meanAbsDiff: number | null;
}

export const emptyTally = (): AgreementTally => ({ compared: 0, equal: 0, absDiffSum: 0, absDiffCount: 0, shadowErrors: 0, primaryLatency: {}, shadowLatency: {} });

const ok = (status: number) => status >= 200 && status < 300;

/** The tally with one more copied request; a pair whose primary failed is left out. */
export function tallyPair(tally: AgreementTally, pair: ShadowPair): AgreementTally {
  if (!ok(pair.primaryStatus)) return tally;
  const failed = !ok(pair.status) || pair.modelError;
  const comparison = failed ? { equal: false, absDiff: null } : compareAnswers(pair.primaryBody, pair.shadowBody);
  return {
    compared: tally.compared + 1,
    equal: tally.equal + (comparison.equal ? 1 : 0),
    absDiffSum: tally.absDiffSum + (comparison.absDiff ?? 0),
    absDiffCount: tally.absDiffCount + (comparison.absDiff === null ? 0 : 1),
    shadowErrors: tally.shadowErrors + (failed ? 1 : 0),
    primaryLatency: addLatency(tally.primaryLatency, pair.primaryLatencyMs),
    shadowLatency: addLatency(tally.shadowLatency, pair.latencyMs),
  };
}

export function agreementOf(tally: AgreementTally): AgreementView {
  return {
    compared: tally.compared,
    equalShare: tally.compared > 0 ? tally.equal / tally.compared : null,
    meanAbsDiff: tally.absDiffCount > 0 ? tally.absDiffSum / tally.absDiffCount : null,
  };
}

function statsOf(requests: number, errors: number, sketch: LatencySketch): VersionStatsView {
  return {
    requests,
    errors,
    errorRate: errorRateOf({ requests, errors }),
    p50Ms: sketchQuantile(sketch, 0.5),
    p95Ms: sketchQuantile(sketch, 0.95),
    p99Ms: sketchQuantile(sketch, 0.99),
  };
}

/** The shadow's p95 minus the primary's on the same requests; null before both have latencies. */
export function latencyDifferenceMs(tally: AgreementTally): number | null {
  const shadow = sketchQuantile(tally.shadowLatency, 0.95);
  const primary = sketchQuantile(tally.primaryLatency, 0.95);
  return shadow === null || primary === null ? null : shadow - primary;
}

export interface ShadowState extends RolloutMachineBase {
  strategy: 'shadow';
  tally: AgreementTally;
  /** Compared requests at the last analysis; null before the first. */
  lastCheckCompared: number | null;
  analysis: AnalysisView | null;
}

export type ShadowStep = RolloutStep<ShadowState>;

/** The shadow starts getting copies (settings.shadowShare percent); it takes no live traffic. */
export function startShadow(settings: RolloutSettings, now: number): ShadowStep {
  const state: ShadowState = {
    strategy: 'shadow',
    phase: 'waiting-for-traffic',
    step: 0,
    candidateWeight: 0,
    stepStartedAt: now,
    endedAt: null,
    pausedFrom: null,
    note: waitingNote(0, settings),
    tally: emptyTally(),
    lastCheckCompared: null,
    analysis: null,
  };
  const message = `shadow started: the candidate gets a copy of ${settings.shadowShare}% of requests`;
  return { state, decision: { kind: 'start', message, numbers: { shadowShare: settings.shadowShare }, actor: AUTOMATIC_ACTOR } };
}

function waitingNote(compared: number, settings: RolloutSettings): string {
  return `waiting for traffic: ${compared} of ${settings.minRequests} compared requests`;
}

/** Records one copied request (also while paused: evidence, not a decision); ignored once ended. */
export function shadowOnPair(state: ShadowState, pair: ShadowPair): ShadowState {
  return isEnded(state.phase) ? state : { ...state, tally: tallyPair(state.tally, pair) };
}

/** Analyses the tally once per batch of compared requests; may promote when the user set a rule. */
export function shadowOnTraffic(state: ShadowState, at: { now: number; settings: RolloutSettings }): ShadowStep {
  if (isEnded(state.phase) || state.phase === 'paused' || state.phase === 'starting') return { state, decision: null };
  const { now, settings } = at;
  const { tally } = state;
  const compared = tally.compared;
  if (compared < settings.minRequests) return { state: { ...state, phase: 'waiting-for-traffic', note: waitingNote(compared, settings) }, decision: null };
  const elapsed = now - state.stepStartedAt;
  const batchDone = state.lastCheckCompared === null || compared - state.lastCheckCompared >= analysisBatch(settings);
  // An analysis that found the time short is repeated once the time is up (it may promote then).
  const waitedForTime = state.analysis?.checks.some((c) => c.name === 'min-time' && !c.passed) === true;
  const timeNowUp = waitedForTime && elapsed >= settings.intervalMs;
  if (!batchDone && !timeNowUp) return { state, decision: null };

  const candidate = statsOf(compared, tally.shadowErrors, tally.shadowLatency);
  const stable = statsOf(sketchCount(tally.primaryLatency), 0, tally.primaryLatency);
  const health = analyseCanary({ candidate, stable, settings, rememberedStableP95Ms: null });
  const agreement = agreementOf(tally);
  const agreementCheck: AnalysisCheck = {
    name: 'agreement',
    limit: settings.shadowMinAgreement,
    actual: agreement.equalShare,
    passed: settings.shadowMinAgreement === null || (agreement.equalShare ?? 0) >= settings.shadowMinAgreement,
  };
  const minTime: AnalysisCheck = { name: 'min-time', limit: settings.intervalMs, actual: elapsed, passed: elapsed >= settings.intervalMs };
  const minRequests: AnalysisCheck = { name: 'min-requests', limit: settings.minRequests, actual: compared, passed: true };
  const checks = [...health.checks, agreementCheck, minRequests, minTime];
  const analysis: AnalysisView = { at: now, candidate, stable, checks, consecutiveFailures: 0, agreement };
  const numbers = {
    compared,
    equalShare: agreement.equalShare,
    meanAbsDiff: agreement.meanAbsDiff,
    minAgreement: settings.shadowMinAgreement,
    shadowErrors: tally.shadowErrors,
    shadowP95Ms: candidate.p95Ms,
    primaryP95Ms: stable.p95Ms,
    p95DifferenceMs: latencyDifferenceMs(tally),
    elapsedMs: elapsed,
  };
  const summary = `agreement ${percent(tally.equal / compared)} over ${compared} compared requests`;
  const analysed: ShadowState = { ...state, phase: 'analysing', lastCheckCompared: compared, analysis };
  const failed = describeFailures(checks.filter((c) => c.name !== 'min-time'));

  if (settings.shadowMinAgreement === null || failed !== '') {
    const note = settings.shadowMinAgreement === null ? `held for a promote by hand: ${summary}` : `not promoting by itself: ${failed}`;
    // The first analysis is worth an event (the evidence is in); later ones only update the panel.
    const decision = state.lastCheckCompared === null ? { kind: 'hold' as const, message: note, numbers, actor: AUTOMATIC_ACTOR } : null;
    return { state: { ...analysed, note }, decision };
  }
  if (!minTime.passed) {
    return { state: { ...analysed, note: `checks pass; the shadow needs ${Math.ceil((settings.intervalMs - elapsed) / 1000)} s more` }, decision: null };
  }
  const message = `promoted: ${summary}, at least ${percent(settings.shadowMinAgreement)}, and latency and errors within limits`;
  return { state: ended(analysed, 'promoted', 100, now), decision: { kind: 'promote', message, numbers, actor: AUTOMATIC_ACTOR }, weight: 100, outcome: 'promote' };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** pause, resume, promote, rollback or abort by hand; throws CONFLICT when the phase forbids it. */
export function shadowManual(state: ShadowState, action: ManualAction, at: { now: number; actor: string }): ShadowStep {
  return applyManualAction(state, action, at);
}
