import { describe, expect, it } from 'vitest';
import type { RolloutSettings, VersionStatsView } from '../../../shared/contract/serving';
import { blueGreenOnTraffic, clock, switchedState, type BlueGreenState } from '../../../electron/services/serving/blue-green-rollout';
import { rolloutSettings } from '../../../electron/services/serving/rollout-defaults';
import type { RolloutMachineBase } from '../../../electron/services/serving/rollout-transitions';

const T0 = 1_800_000_000_000;
const BASE: RolloutMachineBase = { phase: 'starting', step: 0, candidateWeight: 0, stepStartedAt: T0 - 5000, endedAt: null, pausedFrom: null, note: 'starting the candidate' };

function stats(requests: number, errors = 0, p95Ms: number | null = 20): VersionStatsView {
  return { requests, errors, errorRate: requests ? errors / requests : null, p50Ms: p95Ms, p95Ms: requests ? p95Ms : null, p99Ms: p95Ms };
}

function switched(settings: RolloutSettings, stableBefore = stats(100, 0, 20)): BlueGreenState {
  return switchedState(BASE, settings, T0, stableBefore, 1);
}

const on = (state: BlueGreenState, now: number, candidate: VersionStatsView, settings: RolloutSettings) => blueGreenOnTraffic(state, { now, candidate, settings, fromVersion: 1 });

describe('blue-green after the switch', () => {
  const settings = rolloutSettings({ keepWarmMs: 60_000, minRequests: 20, failureLimit: 2 });

  it('switches all traffic and keeps the old version warm until the keep-warm time, said in local time', () => {
    const state = switched(settings);
    expect(state).toMatchObject({ strategy: 'blue-green', phase: 'switching', step: 1, candidateWeight: 100, stepStartedAt: T0, retireAt: T0 + 60_000, stableP95Ms: 20, consecutiveFailures: 0 });
    expect(state.note).toBe(`switched; version 1 stays warm for an instant rollback until ${clock(T0 + 60_000)}`);
    expect(clock(T0)).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it("remembers the old version's p95 only when it had the minimum requests before the switch", () => {
    expect(switched(settings, stats(19, 0, 20)).stableP95Ms).toBeNull();
    expect(switched(settings, stats(20, 0, 33)).stableP95Ms).toBe(33);
  });

  it('decides nothing below the minimum, however long it waits; once the time is up it says it waits for traffic', () => {
    const state = switched(settings);
    expect(on(state, T0 + 1000, stats(19, 19), settings)).toEqual({ state, decision: null });
    const late = on(state, T0 + 3_600_000, stats(5, 5), settings);
    expect(late.decision).toBeNull();
    expect(late.outcome).toBeUndefined();
    expect(late.state.phase).toBe('switching');
    expect(late.state.note).toBe('waiting for traffic: 5 of 20 requests to the new version; version 1 stays warm until then');
    // The same wording again is not a change.
    expect(on(late.state, T0 + 3_700_000, stats(5, 5), settings).state).toBe(late.state);
  });

  it('rolls back to the warm version after failureLimit failed checks in a row, one check per batch', () => {
    let state = switched(settings);
    const first = on(state, T0 + 1000, stats(20, 4), settings);
    expect(first.decision).toMatchObject({ kind: 'hold', actor: 'rollout analysis' });
    expect(first.decision!.message).toMatch(/^check failed \(1 of 2 in a row before rollback\): error rate 20\.0% above the limit 1\.0%/);
    state = first.state;
    expect(state.consecutiveFailures).toBe(1);
    // Fewer than a batch (a fifth of 20) more requests: no second check yet.
    expect(on(state, T0 + 1100, stats(23, 5), settings).state).toBe(state);
    const second = on(state, T0 + 1200, stats(24, 5), settings);
    expect(second.outcome).toBe('rollback');
    expect(second.weight).toBe(0);
    expect(second.state).toMatchObject({ phase: 'rolled-back', candidateWeight: 0, endedAt: T0 + 1200 });
    expect(second.decision).toMatchObject({ kind: 'rollback', numbers: { candidateRequests: 24, candidateErrors: 5, consecutiveFailures: 2, failureLimit: 2, maxErrorRate: 0.01 } });
    expect(second.decision!.message).toContain('rolled back to the warm version 1');
  });

  it('a failed check followed by a passing one starts the count again', () => {
    const failed = on(switched(settings), T0 + 1000, stats(20, 1), settings);
    expect(failed.state.consecutiveFailures).toBe(1);
    const passed = on(failed.state, T0 + 2000, stats(100, 1), settings);
    expect(passed.decision).toBeNull();
    expect(passed.state.consecutiveFailures).toBe(0);
    expect(passed.state.phase).toBe('switching');
  });

  it('rolls back on p95 against the old version before the switch', () => {
    const slow = rolloutSettings({ keepWarmMs: 60_000, minRequests: 20, failureLimit: 1, maxP95Factor: 1.5 });
    const step = on(switched(slow, stats(100, 0, 100)), T0 + 1000, stats(20, 0, 200), slow);
    expect(step.outcome).toBe('rollback');
    expect(step.decision!.numbers).toMatchObject({ candidateP95Ms: 200, stableP95Ms: 100 });
  });

  it('stops the old version when the time is up and the checks pass over at least the minimum', () => {
    const state = on(switched(settings), T0 + 1000, stats(30), settings).state;
    expect(on(state, T0 + 59_999, stats(31), settings).outcome).toBeUndefined();
    const done = on(state, T0 + 60_000, stats(31), settings);
    expect(done.outcome).toBe('promote');
    expect(done.weight).toBe(100);
    expect(done.state).toMatchObject({ phase: 'promoted', candidateWeight: 100, endedAt: T0 + 60_000 });
    expect(done.decision).toMatchObject({ kind: 'promote', message: 'promoted: checks passed over 31 requests while version 1 was kept warm; it is now stopped' });
  });

  it('does nothing before the switch, while paused, or once ended', () => {
    const before: BlueGreenState = { ...switched(settings), retireAt: null };
    expect(on(before, T0 + 1000, stats(50, 50), settings).state).toBe(before);
    const paused: BlueGreenState = { ...switched(settings), phase: 'paused', pausedFrom: 'switching' };
    expect(on(paused, T0 + 90_000, stats(50, 50), settings).state).toBe(paused);
    const over: BlueGreenState = { ...switched(settings), phase: 'rolled-back', endedAt: T0 };
    expect(on(over, T0 + 90_000, stats(50, 50), settings).state).toBe(over);
  });
});
