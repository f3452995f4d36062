import type { AnalysisCheck, AnalysisView, RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';
import { analyseCanary, describeFailures, errorRateOf } from './canary-analysis';
import { analysisBatch } from './rollout-defaults';
import { AUTOMATIC_ACTOR, applyManualAction, ended, isEnded, type ManualAction, type RolloutMachineBase, type RolloutStep } from './rollout-transitions';

/**
 * The canary state machine, as pure functions over a JSON-serialisable state the caller persists
 * (the whole object in `rollouts.machine`, its base fields also in the columns).
 *
 * The caller feeds it the candidate's and stable's stats since the current step began
 * (stepStartedAt) — after every candidate request, or at least every second while traffic flows.
 * It decides only on evidence:
 * - below settings.minRequests candidate requests in the step it is 'waiting-for-traffic' and
 *   decides nothing, however long that lasts;
 * - from there, it analyses once per batch of candidate requests (analysisBatch: a fifth of the
 *   minimum) — the first time at the minimum itself;
 * - failureLimit failed analyses in a row roll back at once, whatever the step's time;
 * - a passing analysis once the step has lasted settings.intervalMs advances to the next weight
 *   (its stats start again from zero), or promotes after the last step. When the requests were
 *   there before the time, the analysis is repeated as soon as the time is up.
 * A failed analysis that does not yet roll back is recorded as a 'hold' decision, so the timeline
 * shows the rollback coming; passing analyses that only wait for time record nothing.
 */
export interface CanaryState extends RolloutMachineBase {
  strategy: 'canary';
  /** Candidate requests in the step, as last seen while waiting for traffic or analysing. */
  requests: number;
  /** Candidate requests in the step at the last analysis; null: none yet in this step. */
  lastCheckRequests: number | null;
  /** Failed analyses in a row (a passing one resets it). */
  consecutiveFailures: number;
  /** Analyses passed and failed in the current step. */
  checksPassed: number;
  checksFailed: number;
  /** Stable's p95 from the latest window where it had enough requests; the factor check's fallback. */
  stableP95Ms: number | null;
  /** The latest analysis, for the rollout panel. */
  analysis: AnalysisView | null;
}

export interface CanaryTraffic {
  now: number;
  /** The candidate's stats since stepStartedAt. */
  candidate: VersionStatsView;
  /** Stable's stats over the same window. */
  stable: VersionStatsView;
  settings: RolloutSettings;
}

export type CanaryStep = RolloutStep<CanaryState>;

/** The first step, once the candidate's replicas are ready: it takes settings.steps[0] percent. */
export function startCanary(settings: RolloutSettings, now: number): CanaryStep {
  const weight = settings.steps[0]!;
  const state: CanaryState = {
    strategy: 'canary',
    phase: 'waiting-for-traffic',
    step: 0,
    candidateWeight: weight,
    stepStartedAt: now,
    endedAt: null,
    pausedFrom: null,
    note: waitingNote(0, settings, 0),
    requests: 0,
    lastCheckRequests: null,
    consecutiveFailures: 0,
    checksPassed: 0,
    checksFailed: 0,
    stableP95Ms: null,
    analysis: null,
  };
  const message = `canary started: candidate at ${weight}% (step 1 of ${settings.steps.length})`;
  return { state, decision: { kind: 'start', message, numbers: { step: 1, weight }, actor: AUTOMATIC_ACTOR }, weight };
}

function waitingNote(requests: number, settings: RolloutSettings, waitedMs: number): string {
  const waited = waitedMs >= 60_000 ? ` for ${Math.floor(waitedMs / 60_000)} min` : '';
  return `waiting for traffic${waited}: ${requests} of ${settings.minRequests} candidate requests`;
}

function secondsLeft(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

/** Gate checks beside the health checks: what the step still needs before it may advance. */
function gateChecks(requests: number, elapsedMs: number, settings: RolloutSettings): AnalysisCheck[] {
  return [
    // An analysis runs only once the minimum is there.
    { name: 'min-requests', limit: settings.minRequests, actual: requests, passed: true },
    { name: 'min-time', limit: settings.intervalMs, actual: elapsedMs, passed: elapsedMs >= settings.intervalMs },
  ];
}

function numbersOf(state: CanaryState, traffic: CanaryTraffic, checks: AnalysisCheck[], failures: number): Record<string, number | null> {
  const limitOf = (name: AnalysisCheck['name']) => checks.find((c) => c.name === name)?.limit ?? null;
  return {
    step: state.step + 1, // as the messages count steps: 1 of N
    weight: state.candidateWeight,
    candidateRequests: traffic.candidate.requests,
    candidateErrors: traffic.candidate.errors,
    errorRate: errorRateOf(traffic.candidate),
    maxErrorRate: traffic.settings.maxErrorRate,
    candidateP95Ms: traffic.candidate.p95Ms,
    stableP95Ms: state.stableP95Ms,
    maxP95Ms: limitOf('p95'),
    p95FactorLimitMs: limitOf('p95-factor'),
    consecutiveFailures: failures,
    failureLimit: traffic.settings.failureLimit,
    elapsedMs: traffic.now - state.stepStartedAt,
  };
}

function automatic(kind: 'advance' | 'promote' | 'rollback' | 'hold', message: string, numbers: Record<string, number | null>) {
  return { kind, message, numbers, actor: AUTOMATIC_ACTOR };
}

/** New candidate traffic (or fresh stats): may analyse, and then advance, promote, roll back or hold. */
export function canaryOnTraffic(state: CanaryState, traffic: CanaryTraffic): CanaryStep {
  if (isEnded(state.phase) || state.phase === 'paused' || state.phase === 'starting') return { state, decision: null };
  const { now, candidate, settings } = traffic;
  const requests = candidate.requests;
  const elapsed = now - state.stepStartedAt;
  if (requests < settings.minRequests) {
    return { state: { ...state, phase: 'waiting-for-traffic', requests, note: waitingNote(requests, settings, elapsed) }, decision: null };
  }
  const batchDone = state.lastCheckRequests === null || requests - state.lastCheckRequests >= analysisBatch(settings);
  // Only reached after a first analysis (before it, batchDone holds): its pass waited only for time.
  const timeNowUp = state.consecutiveFailures === 0 && elapsed >= settings.intervalMs;
  // Unchanged (the same object), so the caller need not write it back after every request.
  if (!batchDone && !timeNowUp) return { state, decision: null };

  const result = analyseCanary({ candidate, stable: traffic.stable, settings, rememberedStableP95Ms: state.stableP95Ms });
  const failures = result.passed ? 0 : state.consecutiveFailures + 1;
  const checks = [...result.checks, ...gateChecks(requests, elapsed, settings)];
  const analysis: AnalysisView = { at: now, candidate, stable: traffic.stable, checks, consecutiveFailures: failures };
  const analysed: CanaryState = {
    ...state,
    phase: 'analysing',
    requests,
    lastCheckRequests: requests,
    consecutiveFailures: failures,
    checksPassed: state.checksPassed + (result.passed ? 1 : 0),
    checksFailed: state.checksFailed + (result.passed ? 0 : 1),
    stableP95Ms: result.stableP95Ms,
    analysis,
  };
  const numbers = numbersOf(analysed, traffic, checks, failures);
  const stepName = `step ${state.step + 1} of ${settings.steps.length} (${state.candidateWeight}%)`;

  if (!result.passed) {
    const why = describeFailures(result.checks);
    if (failures >= settings.failureLimit) {
      const message = `rolled back: ${why}, in ${failures} checks in a row at ${stepName} over ${requests} candidate requests`;
      return { state: ended(analysed, 'rolled-back', 0, now), decision: automatic('rollback', message, numbers), weight: 0, outcome: 'rollback' };
    }
    const message = `check failed (${failures} of ${settings.failureLimit} in a row before rollback) at ${stepName}: ${why}`;
    return { state: { ...analysed, note: message }, decision: automatic('hold', message, numbers) };
  }
  if (elapsed < settings.intervalMs) {
    return { state: { ...analysed, note: `checks pass; ${stepName} needs ${secondsLeft(settings.intervalMs - elapsed)} more` }, decision: null };
  }
  const next = state.step + 1;
  if (next >= settings.steps.length) {
    const message = `promoted: every check passed at each of ${settings.steps.length} steps (last: ${requests} candidate requests)`;
    return { state: ended(analysed, 'promoted', 100, now), decision: automatic('promote', message, numbers), weight: 100, outcome: 'promote' };
  }
  const weight = settings.steps[next]!;
  const message = `advanced to ${weight}% (step ${next + 1} of ${settings.steps.length}): checks passed over ${requests} candidate requests in ${secondsLeft(elapsed)}`;
  const advanced: CanaryState = {
    ...analysed,
    phase: 'waiting-for-traffic',
    step: next,
    candidateWeight: weight,
    stepStartedAt: now,
    requests: 0,
    lastCheckRequests: null,
    checksPassed: 0,
    checksFailed: 0,
    note: waitingNote(0, settings, 0),
  };
  return { state: advanced, decision: automatic('advance', message, numbers), weight };
}

/**
 * Time passing without new stats. It never decides (no promote or rollback on time alone); it only
 * keeps the "waiting for traffic" wording current.
 */
export function canaryOnTick(state: CanaryState, now: number, settings: RolloutSettings): CanaryStep {
  if (state.phase !== 'waiting-for-traffic') return { state, decision: null };
  return { state: { ...state, note: waitingNote(state.requests, settings, now - state.stepStartedAt) }, decision: null };
}

/** pause, resume, promote, rollback or abort by hand; throws CONFLICT when the phase forbids it. */
export function canaryManual(state: CanaryState, action: ManualAction, at: { now: number; actor: string }): CanaryStep {
  return applyManualAction(state, action, at);
}
