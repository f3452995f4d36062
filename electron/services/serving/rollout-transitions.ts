import type { DecisionKind, RolloutState } from '../../../shared/contract/serving';
import { conflict } from '../../../shared/errors';

/**
 * What every rollout machine (canary, shadow; blue-green and rolling use the same phases) shares:
 * the fields the caller mirrors into the `rollouts` columns, the decision it records as an event,
 * and the manual actions a user may take at any time — pause, resume, promote, rollback, abort —
 * with which phase allows which.
 */

/** The part of a machine's state that maps onto the `rollouts` columns of migration 007. */
export interface RolloutMachineBase {
  /** → rollouts.state */
  phase: RolloutState;
  /** → rollouts.step (index into settings.steps for a canary; 0 for shadow). */
  step: number;
  /** → rollouts.candidate_weight: the candidate's share of traffic in percent. */
  candidateWeight: number;
  /** → rollouts.step_started_at */
  stepStartedAt: number;
  /** → rollouts.ended_at; set once the phase is promoted, rolled-back or aborted. */
  endedAt: number | null;
  /** The phase a pause interrupted, restored by resume; null when not paused. */
  pausedFrom: RolloutState | null;
  /** What the rollout is waiting for, in words (the rollout panel shows it); null when nothing. */
  note: string | null;
}

/** A decision to record as a deployment event (kind, message, numbers, actor) and to act on. */
export interface RolloutDecision {
  kind: DecisionKind;
  /** Words a user reads: what happened and why. */
  message: string;
  /** The numbers the decision saw. */
  numbers: Record<string, number | null>;
  /** 'rollout analysis' for automatic decisions; the user for manual ones. */
  actor: string;
}

/**
 * What a machine answers. The caller persists `state`, records `decision` (when not null) as an
 * event, sets the candidate's weight to `weight` when present (stable gets 100 − weight), and on
 * `outcome` finishes the rollout: 'promote' — the candidate becomes stable with all traffic (and the
 * deployment's promote alias moves to it); 'rollback' — stable takes all traffic, the candidate stops.
 */
export interface RolloutStep<S> {
  state: S;
  decision: RolloutDecision | null;
  weight?: number;
  outcome?: 'promote' | 'rollback';
}

/** The actor of decisions the analysis takes by itself. */
export const AUTOMATIC_ACTOR = 'rollout analysis';

export const manualActions = ['pause', 'resume', 'promote', 'rollback', 'abort'] as const;
export type ManualAction = (typeof manualActions)[number];

const endedPhases: readonly RolloutState[] = ['promoted', 'rolled-back', 'aborted'];

export function isEnded(phase: RolloutState): boolean {
  return endedPhases.includes(phase);
}

/** Why `action` is not allowed in `phase`; null when it is. */
export function refusal(action: ManualAction, phase: RolloutState): string | null {
  if (isEnded(phase)) return `cannot ${action}: the rollout has already ended (${phase})`;
  if (action === 'resume' && phase !== 'paused') return `cannot resume: the rollout is ${phase}, not paused`;
  if (action === 'pause' && phase === 'paused') return 'cannot pause: the rollout is already paused';
  if (action === 'promote' && phase === 'starting') return 'cannot promote: the candidate is still starting (roll back or abort instead)';
  return null;
}

/** The actions a user may take now (the rollout panel's buttons). */
export function allowedActions(phase: RolloutState): ManualAction[] {
  return manualActions.filter((action) => refusal(action, phase) === null);
}

/** Throws CONFLICT naming the phase when `action` is not allowed in it. */
export function assertAllowed(action: ManualAction, phase: RolloutState): void {
  const why = refusal(action, phase);
  if (why !== null) throw conflict(why);
}

const verbs: Record<ManualAction, string> = {
  pause: 'paused',
  resume: 'resumed',
  promote: 'promoted',
  rollback: 'rolled back',
  abort: 'aborted',
};

/**
 * A manual action on any machine: throws CONFLICT when the phase forbids it, else the new state
 * and its decision ("<verb> by <actor>"). Promote moves all traffic to the candidate; rollback
 * and abort move it all back to stable (abort ends in 'aborted' rather than 'rolled-back').
 */
export function applyManualAction<S extends RolloutMachineBase>(state: S, action: ManualAction, at: { now: number; actor: string }): RolloutStep<S> {
  assertAllowed(action, state.phase);
  const numbers = { step: state.step + 1, weight: state.candidateWeight }; // steps counted from 1, as messages say
  const decision: RolloutDecision = { kind: action, message: `${verbs[action]} by ${at.actor}`, numbers, actor: at.actor };
  switch (action) {
    case 'pause':
      return { state: { ...state, phase: 'paused', pausedFrom: state.phase, note: `paused by ${at.actor}` }, decision };
    case 'resume':
      return { state: { ...state, phase: state.pausedFrom ?? 'analysing', pausedFrom: null, note: null }, decision };
    case 'promote':
      return { state: ended(state, 'promoted', 100, at.now), decision, weight: 100, outcome: 'promote' };
    case 'rollback':
      return { state: ended(state, 'rolled-back', 0, at.now), decision, weight: 0, outcome: 'rollback' };
    case 'abort':
      return { state: ended(state, 'aborted', 0, at.now), decision, weight: 0, outcome: 'rollback' };
  }
}

/** The state once the rollout has ended in `phase` with the candidate at `weight`. */
export function ended<S extends RolloutMachineBase>(state: S, phase: 'promoted' | 'rolled-back' | 'aborted', weight: number, now: number): S {
  return { ...state, phase, candidateWeight: weight, endedAt: now, pausedFrom: null, note: null };
}
