import type { AlertComparison } from '../../../../shared/contract/monitoring';

/**
 * One alert rule's incident over time, Prometheus-style: when the condition first holds an
 * incident opens 'pending' and goes 'firing' once it has held `forSeconds` (at once when that is
 * 0); when it stops holding a pending incident is dropped (it never fired, so it never reaches
 * the inbox) and a firing one is resolved. No data changes nothing. One notification per
 * incident: when it starts firing, or, when the rule is silenced then, at the first evaluation
 * after the silence ends while it still fires; never twice. Pure: the caller supplies every time.
 */
export interface AlertCondition {
  comparison: AlertComparison;
  threshold: number;
  forSeconds: number;
  /** No notification before this time (ms since epoch); null: not silenced. */
  silencedUntil: number | null;
}

/** The rule's incident that has not resolved yet. */
export interface OpenIncident {
  state: 'pending' | 'firing';
  startedAt: number;
  firingAt: number | null;
  notifiedAt: number | null;
  /** The value that opened the incident, then the one that made it fire. */
  value: number | null;
}

export interface IncidentAfter {
  state: 'pending' | 'firing' | 'resolved';
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  notifiedAt: number | null;
  value: number | null;
}

/**
 * What happened: 'opened' (pending, or firing at once), 'firing' (a pending one fired),
 * 'notified' (a firing one's notification, held back by a silence, went out), 'resolved',
 * 'dropped' (a pending one cleared before firing: the caller deletes it), or null for nothing.
 */
export type AlertChange = 'opened' | 'firing' | 'notified' | 'resolved' | 'dropped';

export interface AlertStep {
  change: AlertChange | null;
  /** The incident after the step: null when there is none (none opened, or dropped). */
  incident: IncidentAfter | null;
  /** True exactly once per incident: the user is to be told now. */
  notify: boolean;
}

export interface Observation {
  at: number;
  /** Null (or NaN): no data this time, which neither opens, fires nor clears anything. */
  value: number | null;
}

export function conditionHolds(comparison: AlertComparison, value: number, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

export function isSilenced(condition: AlertCondition, at: number): boolean {
  return condition.silencedUntil !== null && at < condition.silencedUntil;
}

/** The next step of `incident` (the rule's open one, or null) given one observation. */
export function evaluateAlert(condition: AlertCondition, incident: OpenIncident | null, observation: Observation): AlertStep {
  const { at, value } = observation;
  if (value === null || Number.isNaN(value)) return deferredNotification(condition, incident, at);
  const holds = conditionHolds(condition.comparison, value, condition.threshold);
  if (!incident) {
    if (!holds) return unchanged(null);
    if (condition.forSeconds > 0) return { change: 'opened', incident: { state: 'pending', startedAt: at, firingAt: null, resolvedAt: null, notifiedAt: null, value }, notify: false };
    return fired('opened', { state: 'pending', startedAt: at, firingAt: null, notifiedAt: null, value }, condition, at, value);
  }
  if (!holds) {
    if (incident.state === 'pending') return { change: 'dropped', incident: null, notify: false };
    return { change: 'resolved', incident: { ...incident, state: 'resolved', resolvedAt: at }, notify: false };
  }
  if (incident.state === 'pending') {
    if (at - incident.startedAt >= condition.forSeconds * 1000) return fired('firing', incident, condition, at, value);
    return unchanged(incident);
  }
  return deferredNotification(condition, incident, at);
}

/**
 * A firing incident whose notification a silence held back goes out once the silence is over
 * (the periodic tick, or any observation that changes nothing else).
 */
export function deferredNotification(condition: AlertCondition, incident: OpenIncident | null, at: number): AlertStep {
  if (incident?.state !== 'firing' || incident.notifiedAt !== null || isSilenced(condition, at)) return unchanged(incident);
  return { change: 'notified', incident: { ...incident, resolvedAt: null, notifiedAt: at }, notify: true };
}

function fired(change: 'opened' | 'firing', incident: OpenIncident, condition: AlertCondition, at: number, value: number): AlertStep {
  const notify = !isSilenced(condition, at);
  return { change, incident: { ...incident, state: 'firing', firingAt: at, resolvedAt: null, notifiedAt: notify ? at : null, value }, notify };
}

function unchanged(incident: OpenIncident | null): AlertStep {
  return { change: null, incident: incident && { ...incident, resolvedAt: null }, notify: false };
}
