import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertComparison } from '../../../../shared/contract/monitoring';
import {
  conditionHolds,
  deferredNotification,
  evaluateAlert,
  isSilenced,
  type AlertCondition,
  type AlertStep,
  type OpenIncident,
} from '../../../../electron/services/monitoring/alerts/alert-evaluator';

const T0 = 1_800_000_000_000;
const rule = (more: Partial<AlertCondition> = {}): AlertCondition => ({ comparison: '>', threshold: 0.01, forSeconds: 300, silencedUntil: null, ...more });

/** Folds steps the way the service does: the incident after a step is the next step's open one. */
function openAfter(step: AlertStep): OpenIncident | null {
  const next = step.incident;
  if (!next || next.state === 'resolved') return null;
  return { state: next.state, startedAt: next.startedAt, firingAt: next.firingAt, notifiedAt: next.notifiedAt, value: next.value };
}

describe('alert evaluator: examples', () => {
  it('compares as the rule says, the threshold itself included only by >= and <=', () => {
    const table: Array<[AlertComparison, number, boolean]> = [
      ['>', 1.5, true],
      ['>', 1, false],
      ['>=', 1, true],
      ['>=', 0.5, false],
      ['<', 0.5, true],
      ['<', 1, false],
      ['<=', 1, true],
      ['<=', 1.5, false],
    ];
    for (const [comparison, value, holds] of table) expect(conditionHolds(comparison, value, 1), `${value} ${comparison} 1`).toBe(holds);
  });

  it('opens pending, fires once the condition has held forSeconds, notifies then, and resolves when it clears', () => {
    const r = rule();
    const opened = evaluateAlert(r, null, { at: T0, value: 0.05 });
    expect(opened).toEqual({ change: 'opened', notify: false, incident: { state: 'pending', startedAt: T0, firingAt: null, resolvedAt: null, notifiedAt: null, value: 0.05 } });
    const early = evaluateAlert(r, openAfter(opened), { at: T0 + 299_999, value: 0.2 });
    expect(early.change).toBeNull();
    expect(early.incident?.state).toBe('pending');
    expect(early.notify).toBe(false);
    const fired = evaluateAlert(r, openAfter(early), { at: T0 + 300_000, value: 0.034 });
    expect(fired).toEqual({ change: 'firing', notify: true, incident: { state: 'firing', startedAt: T0, firingAt: T0 + 300_000, resolvedAt: null, notifiedAt: T0 + 300_000, value: 0.034 } });
    const still = evaluateAlert(r, openAfter(fired), { at: T0 + 360_000, value: 0.5 });
    expect(still).toMatchObject({ change: null, notify: false, incident: { state: 'firing', value: 0.034, notifiedAt: T0 + 300_000 } });
    const resolved = evaluateAlert(r, openAfter(still), { at: T0 + 420_000, value: 0.01 });
    expect(resolved).toEqual({ change: 'resolved', notify: false, incident: { state: 'resolved', startedAt: T0, firingAt: T0 + 300_000, resolvedAt: T0 + 420_000, notifiedAt: T0 + 300_000, value: 0.034 } });
  });

  it('fires at once, without a pending step, when forSeconds is 0', () => {
    const step = evaluateAlert(rule({ comparison: '>=', threshold: 1, forSeconds: 0 }), null, { at: T0, value: 1 });
    expect(step).toEqual({ change: 'opened', notify: true, incident: { state: 'firing', startedAt: T0, firingAt: T0, resolvedAt: null, notifiedAt: T0, value: 1 } });
  });

  it('drops a pending incident whose condition clears before it fires', () => {
    const opened = evaluateAlert(rule(), null, { at: T0, value: 0.05 });
    expect(evaluateAlert(rule(), openAfter(opened), { at: T0 + 1000, value: 0 })).toEqual({ change: 'dropped', incident: null, notify: false });
  });

  it('takes no data (null or NaN) as no change: nothing opens, fires or clears', () => {
    expect(evaluateAlert(rule({ forSeconds: 0 }), null, { at: T0, value: null })).toEqual({ change: null, incident: null, notify: false });
    const pending = openAfter(evaluateAlert(rule(), null, { at: T0, value: 0.05 }));
    expect(evaluateAlert(rule(), pending, { at: T0 + 3_600_000, value: null })).toMatchObject({ change: null, incident: { state: 'pending' } });
    expect(evaluateAlert(rule(), pending, { at: T0 + 3_600_000, value: Number.NaN })).toMatchObject({ change: null, incident: { state: 'pending' } });
    const firing = openAfter(evaluateAlert(rule({ forSeconds: 0 }), null, { at: T0, value: 0.05 }));
    expect(evaluateAlert(rule({ forSeconds: 0 }), firing, { at: T0 + 1000, value: null })).toMatchObject({ change: null, incident: { state: 'firing' } });
  });

  it('holds the notification back while silenced and sends it at the first evaluation after the silence, once', () => {
    const silenced = rule({ forSeconds: 0, silencedUntil: T0 + 60_000 });
    const fired = evaluateAlert(silenced, null, { at: T0, value: 0.05 });
    expect(fired).toMatchObject({ change: 'opened', notify: false, incident: { state: 'firing', notifiedAt: null } });
    expect(deferredNotification(silenced, openAfter(fired), T0 + 59_999)).toMatchObject({ change: null, notify: false });
    const later = deferredNotification(silenced, openAfter(fired), T0 + 60_000);
    expect(later).toMatchObject({ change: 'notified', notify: true, incident: { state: 'firing', notifiedAt: T0 + 60_000, firingAt: T0 } });
    expect(deferredNotification(silenced, openAfter(later), T0 + 70_000)).toMatchObject({ change: null, notify: false });
    // An observation after the silence also delivers it (the tick may not have run yet).
    expect(evaluateAlert(silenced, openAfter(fired), { at: T0 + 61_000, value: 0.2 })).toMatchObject({ change: 'notified', notify: true });
    expect(evaluateAlert(silenced, openAfter(fired), { at: T0 + 61_000, value: null })).toMatchObject({ change: 'notified', notify: true });
  });

  it('never notifies an incident that resolved while silenced', () => {
    const silenced = rule({ forSeconds: 0, silencedUntil: T0 + 60_000 });
    const fired = openAfter(evaluateAlert(silenced, null, { at: T0, value: 0.05 }));
    const resolved = evaluateAlert(silenced, fired, { at: T0 + 120_000, value: 0 });
    expect(resolved).toMatchObject({ change: 'resolved', notify: false, incident: { notifiedAt: null } });
    expect(deferredNotification(silenced, openAfter(resolved), T0 + 180_000)).toEqual({ change: null, incident: null, notify: false });
  });

  it('is silenced up to, not at, the silence end', () => {
    expect(isSilenced(rule({ silencedUntil: T0 }), T0 - 1)).toBe(true);
    expect(isSilenced(rule({ silencedUntil: T0 }), T0)).toBe(false);
    expect(isSilenced(rule({ silencedUntil: null }), T0)).toBe(false);
  });

  it('leaves a pending incident alone on a tick: only a firing one can be notified', () => {
    const pending = openAfter(evaluateAlert(rule(), null, { at: T0, value: 0.05 }));
    expect(deferredNotification(rule(), pending, T0 + 10 * 3_600_000)).toMatchObject({ change: null, incident: { state: 'pending' }, notify: false });
  });
});

type TraceEvent = { kind: 'observe'; dt: number; value: number | null } | { kind: 'tick'; dt: number } | { kind: 'silence'; dt: number; forMs: number | null };

const traceEvent: fc.Arbitrary<TraceEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('observe' as const), dt: fc.integer({ min: 0, max: 120_000 }), value: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null, freq: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 120_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('silence' as const), dt: fc.integer({ min: 0, max: 60_000 }), forMs: fc.option(fc.integer({ min: -60_000, max: 600_000 }), { nil: null }) }) },
);

interface Evaluated {
  at: number;
  event: TraceEvent;
  holds: boolean | null;
  silenced: boolean;
  before: OpenIncident | null;
  step: AlertStep;
}

/** Runs a trace through the evaluator as the service would (observations, ticks, silences set by the user). */
function run(base: Omit<AlertCondition, 'silencedUntil'>, events: TraceEvent[]): Evaluated[] {
  let at = T0;
  let open: OpenIncident | null = null;
  let silencedUntil: number | null = null;
  const out: Evaluated[] = [];
  for (const event of events) {
    at += event.dt;
    if (event.kind === 'silence') {
      silencedUntil = event.forMs === null ? null : at + event.forMs;
      continue;
    }
    const condition = { ...base, silencedUntil };
    const step = event.kind === 'observe' ? evaluateAlert(condition, open, { at, value: event.value }) : deferredNotification(condition, open, at);
    const holds = event.kind === 'observe' && event.value !== null ? conditionHolds(base.comparison, event.value, base.threshold) : null;
    out.push({ at, event, holds, silenced: isSilenced(condition, at), before: open, step });
    open = openAfter(step);
  }
  return out;
}

const ruleArb = fc.record({
  comparison: fc.constantFrom<AlertComparison>('>', '>=', '<', '<='),
  threshold: fc.integer({ min: 0, max: 10 }),
  forSeconds: fc.constantFrom(0, 30, 60, 300),
});

describe('alert evaluator: properties over random traces', () => {
  it('opens only when the condition holds, closes only when it does not, and no data or a tick changes nothing but a held-back notification', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(traceEvent, { maxLength: 80 }), (base, events) => {
        for (const { holds, before, step } of run(base, events)) {
          if (holds === null) expect(step.change === null || step.change === 'notified').toBe(true);
          if (step.change === 'opened') expect(before === null && holds === true).toBe(true);
          if (step.change === 'dropped') expect(before?.state === 'pending' && holds === false).toBe(true);
          if (step.change === 'resolved') expect(before?.state === 'firing' && holds === false).toBe(true);
          if (step.change === 'firing') expect(before?.state === 'pending' && holds === true).toBe(true);
          if (step.change === 'notified') expect(before?.state === 'firing' && before.notifiedAt === null && holds !== false).toBe(true);
          // A condition that holds keeps (or opens) an incident; one that does not leaves none open.
          if (holds === true) expect(openAfter(step)).not.toBeNull();
          if (holds === false) expect(openAfter(step)).toBeNull();
          if (step.change === null) expect(openAfter(step)).toEqual(before);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('fires at the first observation at which the condition has held forSeconds, not before (at once for 0)', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(traceEvent, { maxLength: 80 }), (base, events) => {
        for (const { at, holds, before, step } of run(base, events)) {
          if (step.change === 'opened') expect(step.incident!.state).toBe(base.forSeconds === 0 ? 'firing' : 'pending');
          if (before?.state === 'pending' && holds === true) {
            const due = at - before.startedAt >= base.forSeconds * 1000;
            expect(step.change).toBe(due ? 'firing' : null);
          }
          if (step.incident?.state === 'firing' && step.change !== null && step.change !== 'notified') expect(step.incident.firingAt).toBe(at);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('notifies each incident at most once, never while silenced, and at the first unsilenced evaluation while it fires', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(traceEvent, { maxLength: 80 }), (base, events) => {
        let notifications = 0;
        for (const { at, holds, silenced, before, step } of run(base, events)) {
          if (before === null) notifications = 0;
          if (step.notify) {
            notifications += 1;
            expect(silenced).toBe(false);
            expect(step.incident).toMatchObject({ state: 'firing', notifiedAt: at });
          }
          expect(notifications).toBeLessThanOrEqual(1);
          // Firing (already or now) and evaluated outside a silence: told by now, unless this very observation resolves it.
          const firingNow = step.incident?.state === 'firing';
          if (firingNow && !silenced && holds !== false) expect(step.incident!.notifiedAt).not.toBeNull();
          if (!step.notify && step.incident) expect(step.incident.notifiedAt).toBe(before?.notifiedAt ?? null);
        }
      }),
      { numRuns: 400 },
    );
  });
});
