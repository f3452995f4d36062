import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import { canaryManual, canaryOnTick, canaryOnTraffic, startCanary, type CanaryState } from '../../../electron/services/serving/canary-rollout';
import { rolloutSettings } from '../../../electron/services/serving/rollout-defaults';
import { simulateCanary, stats } from './canary-simulation';

const T0 = 1_000_000;
const kinds = (decisions: Array<{ decision: { kind: string } }>) => decisions.map((d) => d.decision.kind);

describe('canary: a failing candidate is rolled back on evidence, fast', () => {
  it('a candidate failing 20% of requests at 10% weight, minimum 20, is rolled back within 50 candidate requests', () => {
    const settings = rolloutSettings({ minRequests: 20 });
    const run = simulateCanary(settings, { fails: (n) => n % 5 === 0, msBetweenRequests: 50, maxRequests: 500 });
    expect(run.state.phase).toBe('rolled-back');
    expect(run.state.candidateWeight).toBe(0);
    const rollback = run.decisions.at(-1)!;
    expect(rollback.decision.kind).toBe('rollback');
    // Checks at 20 and 24 requests (batch of 4) both fail: rolled back at the 24th.
    expect(rollback.candidateRequests).toBe(24);
    expect(rollback.candidateRequests).toBeLessThanOrEqual(50);
    expect(kinds(run.decisions)).toEqual(['hold', 'rollback']);
    expect(run.decisions[0]!.candidateRequests).toBe(20);
    expect(rollback.decision.message).toMatch(/^rolled back: error rate 16\.7% above the limit 1\.0%, in 2 checks in a row at step 1 of 4 \(10%\)/);
    expect(rollback.decision.numbers).toMatchObject({ candidateRequests: 24, candidateErrors: 4, maxErrorRate: 0.01, consecutiveFailures: 2, failureLimit: 2, weight: 10 });
    expect(run.state.endedAt).toBe(rollback.at);
  });

  it('rolls back before the step time is up: a bad candidate does not wait for the interval', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 3_600_000 });
    const run = simulateCanary(settings, { fails: (n) => n % 5 === 0, msBetweenRequests: 10, maxRequests: 500 });
    expect(run.state.phase).toBe('rolled-back');
    expect(run.now - T0).toBeLessThan(1000);
  });

  it('a rollback records every number it saw', () => {
    const settings = rolloutSettings({ minRequests: 10, failureLimit: 1, maxP95Ms: 500 });
    const { state } = startCanary(settings, T0);
    const step = canaryOnTraffic(state, { now: T0 + 4000, candidate: stats(10, 3, 40), stable: stats(90, 0, 20), settings });
    expect(step.decision?.numbers).toEqual({
      step: 1,
      weight: 10,
      candidateRequests: 10,
      candidateErrors: 3,
      errorRate: 0.3,
      maxErrorRate: 0.01,
      candidateP95Ms: 40,
      stableP95Ms: 20,
      maxP95Ms: 500,
      p95FactorLimitMs: 30,
      consecutiveFailures: 1,
      failureLimit: 1,
      elapsedMs: 4000,
    });
    expect(step.decision?.message).toBe(
      "rolled back: error rate 30.0% above the limit 1.0%; p95 40.0 ms above 30.0 ms (stable's p95 × factor), in 1 checks in a row at step 1 of 4 (10%) over 10 candidate requests",
    );
  });

  it('a failed check is not repeated on time alone: only new requests bring the next check', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 1000 });
    const { state } = startCanary(settings, T0);
    const failed = canaryOnTraffic(state, { now: T0 + 10, candidate: stats(10, 1, 10), stable: stats(90, 0, 10), settings });
    expect(failed.decision?.kind).toBe('hold');
    const later = canaryOnTraffic(failed.state, { now: T0 + 600_000, candidate: stats(11, 1, 10), stable: stats(5000, 0, 10), settings });
    expect(later.state).toBe(failed.state);
    expect(later.decision).toBeNull();
  });

  it('returns the outcome and weight the caller acts on', () => {
    const settings = rolloutSettings({ minRequests: 4, failureLimit: 1 });
    const { state } = startCanary(settings, T0);
    const step = canaryOnTraffic(state, { now: T0 + 10, candidate: stats(4, 4, 10), stable: stats(40, 0, 10), settings });
    expect(step.outcome).toBe('rollback');
    expect(step.weight).toBe(0);
    expect(step.decision?.actor).toBe('rollout analysis');
    expect(step.state.analysis?.checks.find((c) => c.name === 'error-rate')).toEqual({ name: 'error-rate', limit: 0.01, actual: 1, passed: false });
  });

  it('one failed check followed by passing ones does not roll back (failure limit 2)', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 0 });
    let { state } = startCanary(settings, T0);
    // 20 requests, 1 error: 5% fails; 1 error in 100 requests is 1%, at the limit: passes.
    let step = canaryOnTraffic(state, { now: T0 + 1, candidate: stats(20, 1, 10), stable: stats(180, 0, 10), settings });
    expect(step.decision?.kind).toBe('hold');
    expect(step.decision?.message).toBe('check failed (1 of 2 in a row before rollback) at step 1 of 4 (10%): error rate 5.0% above the limit 1.0%');
    expect(step.state.consecutiveFailures).toBe(1);
    expect(step.state.phase).toBe('analysing');
    state = step.state;
    step = canaryOnTraffic(state, { now: T0 + 2, candidate: stats(100, 1, 10), stable: stats(900, 0, 10), settings });
    expect(step.decision?.kind).toBe('advance');
    expect(step.outcome).toBeUndefined();
    expect(step.state.consecutiveFailures).toBe(0);
  });

  it('a failure, a pass and a failure again is no rollback: failures must be in a row', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 60_000 });
    let { state } = startCanary(settings, T0);
    const feed = (requests: number, errors: number, at: number) => {
      const step = canaryOnTraffic(state, { now: T0 + at, candidate: stats(requests, errors, 10), stable: stats(requests * 9, 0, 10), settings });
      state = step.state;
      return step;
    };
    expect(feed(10, 1, 1).decision?.kind).toBe('hold'); // 10%
    expect(feed(11, 1, 2).decision).toBeNull(); // 11 − 10 < batch of 2: no analysis
    expect(state.consecutiveFailures).toBe(1);
    expect(feed(200, 1, 3).decision).toBeNull(); // 0.5%: passes, step needs more time
    expect(state.consecutiveFailures).toBe(0);
    expect(state.checksPassed).toBe(1);
    expect(state.checksFailed).toBe(1);
    expect(feed(202, 10, 4).decision?.kind).toBe('hold'); // 4.95%
    expect(state.phase).toBe('analysing');
  });

  it('a slow candidate is rolled back on the p95 factor against stable', () => {
    const settings = rolloutSettings({ minRequests: 20 });
    const run = simulateCanary(settings, { candidateP95Ms: 40, stableP95Ms: 20, msBetweenRequests: 50, maxRequests: 500 });
    expect(run.state.phase).toBe('rolled-back');
    const rollback = run.decisions.at(-1)!;
    expect(rollback.candidateRequests).toBe(24);
    expect(rollback.decision.message).toMatch(/p95 40\.0 ms above 30\.0 ms \(stable's p95 × factor\)/);
    expect(rollback.decision.numbers).toMatchObject({ candidateP95Ms: 40, stableP95Ms: 20, p95FactorLimitMs: 30 });
  });

  it('a slow candidate is rolled back on an absolute p95 limit', () => {
    const settings = rolloutSettings({ minRequests: 20, maxP95Ms: 100, maxP95Factor: 1000 });
    const run = simulateCanary(settings, { candidateP95Ms: 150, stableP95Ms: 140, msBetweenRequests: 50, maxRequests: 500 });
    expect(run.state.phase).toBe('rolled-back');
    expect(run.decisions.at(-1)!.decision.message).toMatch(/p95 150\.0 ms above the limit 100\.0 ms/);
    expect(run.decisions.at(-1)!.decision.numbers.maxP95Ms).toBe(100);
  });
});

describe('canary: a healthy candidate advances step by step and is promoted', () => {
  it('advances only after the minimum requests AND the interval, then promotes after the last step', () => {
    const settings = rolloutSettings({ minRequests: 50, intervalMs: 30_000 });
    // One candidate request a second: the 50 requests take longer than the 30 s.
    const slow = simulateCanary(settings, { msBetweenRequests: 1000, maxRequests: 1000 });
    expect(kinds(slow.decisions)).toEqual(['advance', 'advance', 'advance', 'promote']);
    expect(slow.decisions.map((d) => d.stepRequests)).toEqual([50, 50, 50, 50]);
    expect(slow.state.phase).toBe('promoted');
    expect(slow.state.candidateWeight).toBe(100);
    expect(slow.decisions.map((d) => d.decision.numbers.weight)).toEqual([10, 25, 50, 100]);
    expect(slow.decisions[0]!.decision.message).toBe('advanced to 25% (step 2 of 4): checks passed over 50 candidate requests in 50 s');
    expect(slow.decisions[3]!.decision.message).toBe('promoted: every check passed at each of 4 steps (last: 50 candidate requests)');

    // Ten a second: the minimum is there after 5 s, but each step lasts its 30 s.
    const fast = simulateCanary(settings, { msBetweenRequests: 100, maxRequests: 10_000 });
    expect(kinds(fast.decisions)).toEqual(['advance', 'advance', 'advance', 'promote']);
    const starts = [T0, ...fast.decisions.map((d) => d.at)];
    for (let i = 0; i < 4; i++) expect(starts[i + 1]! - starts[i]!).toBe(30_000);
    expect(fast.decisions.map((d) => d.stepRequests)).toEqual([300, 300, 300, 300]);
  });

  it('the weight it answers is the next step, which the caller applies', () => {
    const settings = rolloutSettings({ steps: [5, 100], minRequests: 1, intervalMs: 0 });
    const started = startCanary(settings, T0);
    expect(started.weight).toBe(5);
    expect(started.decision).toEqual({ kind: 'start', message: 'canary started: candidate at 5% (step 1 of 2)', numbers: { step: 1, weight: 5 }, actor: 'rollout analysis' });
    expect(started.state).toMatchObject({ phase: 'waiting-for-traffic', step: 0, candidateWeight: 5, stepStartedAt: T0, endedAt: null, consecutiveFailures: 0, stableP95Ms: null, analysis: null });
    const step = canaryOnTraffic(started.state, { now: T0 + 1, candidate: stats(1, 0, 5), stable: stats(19, 0, 5), settings });
    expect(step.weight).toBe(100);
    expect(step.state).toMatchObject({ step: 1, candidateWeight: 100, stepStartedAt: T0 + 1, phase: 'waiting-for-traffic', lastCheckRequests: null, requests: 0, checksPassed: 0, checksFailed: 0 });
    expect(step.state.note).toBe('waiting for traffic: 0 of 1 candidate requests');
    const promote = canaryOnTraffic(step.state, { now: T0 + 2, candidate: stats(1, 0, 5), stable: stats(0, 0, null), settings });
    expect(promote.outcome).toBe('promote');
    expect(promote.weight).toBe(100);
    expect(promote.state.endedAt).toBe(T0 + 2);
  });

  it('at the last step stable has no traffic: the factor check uses the stable p95 seen earlier', () => {
    const settings = rolloutSettings({ steps: [50, 100], minRequests: 10, intervalMs: 0, failureLimit: 1 });
    const { state } = startCanary(settings, T0);
    const advanced = canaryOnTraffic(state, { now: T0 + 1, candidate: stats(10, 0, 20), stable: stats(10, 0, 20), settings });
    expect(advanced.state.stableP95Ms).toBe(20);
    const slow = canaryOnTraffic(advanced.state, { now: T0 + 2, candidate: stats(10, 0, 31), stable: stats(0, 0, null), settings });
    expect(slow.outcome).toBe('rollback');
    const factor = slow.state.analysis!.checks.find((c) => c.name === 'p95-factor');
    expect(factor).toEqual({ name: 'p95-factor', limit: 30, actual: 31, passed: false });
  });

  it('without any stable p95 the factor check does not apply and the candidate is not failed for it', () => {
    const settings = rolloutSettings({ steps: [100], minRequests: 10, intervalMs: 0 });
    const { state } = startCanary(settings, T0);
    const step = canaryOnTraffic(state, { now: T0 + 1, candidate: stats(10, 0, 500), stable: stats(0, 0, null), settings });
    expect(step.outcome).toBe('promote');
    expect(step.state.analysis!.checks.find((c) => c.name === 'p95-factor')).toEqual({ name: 'p95-factor', limit: null, actual: 500, passed: true });
  });

  it('the analysis lists what the step still needs beside the health checks', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 30_000 });
    const { state } = startCanary(settings, T0);
    const step = canaryOnTraffic(state, { now: T0 + 12_000, candidate: stats(10, 0, 10), stable: stats(90, 0, 10), settings });
    expect(step.decision).toBeNull();
    expect(step.state.analysis!.checks.map((c) => [c.name, c.limit, c.actual, c.passed])).toEqual([
      ['error-rate', 0.01, 0, true],
      ['p95-factor', 15, 10, true],
      ['min-requests', 10, 10, true],
      ['min-time', 30_000, 12_000, false],
    ]);
    expect(step.state.note).toBe('checks pass; step 1 of 4 (10%) needs 18 s more');
    expect(step.state.analysis!.at).toBe(T0 + 12_000);
  });

  it('once the requests are in, the time running out advances on the next stats even without a new batch', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 30_000 });
    const { state } = startCanary(settings, T0);
    const first = canaryOnTraffic(state, { now: T0 + 1000, candidate: stats(10, 0, 10), stable: stats(90, 0, 10), settings });
    expect(first.decision).toBeNull();
    const early = canaryOnTraffic(first.state, { now: T0 + 29_999, candidate: stats(11, 0, 10), stable: stats(99, 0, 10), settings });
    expect(early.decision).toBeNull();
    expect(early.state.lastCheckRequests).toBe(10);
    const due = canaryOnTraffic(early.state, { now: T0 + 30_000, candidate: stats(11, 0, 10), stable: stats(99, 0, 10), settings });
    expect(due.decision?.kind).toBe('advance');
    expect(due.state.analysis!.checks.find((c) => c.name === 'min-time')).toEqual({ name: 'min-time', limit: 30_000, actual: 30_000, passed: true });
  });
});

describe('canary: no evidence, no decision', () => {
  it('zero traffic for an hour never decides, and says how long it has waited', () => {
    const settings = rolloutSettings();
    let { state } = startCanary(settings, T0);
    for (let t = 10_000; t <= 3_600_000; t += 10_000) {
      const tick = canaryOnTick(state, T0 + t, settings);
      expect(tick.decision).toBeNull();
      const traffic = canaryOnTraffic(tick.state, { now: T0 + t, candidate: stats(0, 0, null), stable: stats(t / 10, 0, 10), settings });
      expect(traffic.decision).toBeNull();
      expect(traffic.outcome).toBeUndefined();
      state = traffic.state;
    }
    expect(state.phase).toBe('waiting-for-traffic');
    expect(state.step).toBe(0);
    expect(state.candidateWeight).toBe(10);
    expect(state.note).toBe('waiting for traffic for 60 min: 0 of 50 candidate requests');
  });

  it('a trickle below the minimum never decides, even when every request failed', () => {
    const settings = rolloutSettings({ minRequests: 50 });
    let { state } = startCanary(settings, T0);
    for (let n = 1; n < 50; n++) {
      const step = canaryOnTraffic(state, { now: T0 + n * 60_000, candidate: stats(n, n, 5000), stable: stats(n * 9, 0, 10), settings });
      expect(step.decision).toBeNull();
      state = step.state;
    }
    expect(state.phase).toBe('waiting-for-traffic');
    expect(state.note).toBe('waiting for traffic for 49 min: 49 of 50 candidate requests');
    expect(canaryOnTick(state, T0 + 50 * 60_000, settings).state.note).toBe('waiting for traffic for 50 min: 49 of 50 candidate requests');
  });

  it('says how long it has waited from the first whole minute', () => {
    const settings = rolloutSettings();
    const { state } = startCanary(settings, T0);
    expect(canaryOnTick(state, T0 + 59_999, settings).state.note).toBe('waiting for traffic: 0 of 50 candidate requests');
    expect(canaryOnTick(state, T0 + 60_000, settings).state.note).toBe('waiting for traffic for 1 min: 0 of 50 candidate requests');
  });

  it('a candidate still starting takes no traffic decisions', () => {
    const settings = rolloutSettings({ minRequests: 1, failureLimit: 1 });
    const starting: CanaryState = { ...startCanary(settings, T0).state, phase: 'starting' };
    const step = canaryOnTraffic(starting, { now: T0 + 1, candidate: stats(100, 100, 10), stable: stats(100, 0, 10), settings });
    expect(step.state).toBe(starting);
    expect(step.decision).toBeNull();
  });

  it('ticks leave a rollout that is analysing alone', () => {
    const settings = rolloutSettings({ minRequests: 10 });
    const { state } = startCanary(settings, T0);
    const analysing = canaryOnTraffic(state, { now: T0 + 1000, candidate: stats(10, 0, 10), stable: stats(90, 0, 10), settings }).state;
    expect(canaryOnTick(analysing, T0 + 999_999, settings).state).toBe(analysing);
  });

  it('never promotes or rolls back with fewer than the minimum candidate requests in the step (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 120_000 }), add: fc.integer({ min: 0, max: 15 }), errors: fc.integer({ min: 0, max: 15 }), p95: fc.integer({ min: 1, max: 500 }) }), { maxLength: 60 }),
        (minRequests, failureLimit, events) => {
          const settings = rolloutSettings({ minRequests, failureLimit, steps: [50, 100], intervalMs: 10_000 });
          let { state } = startCanary(settings, T0);
          let now = T0;
          let requests = 0;
          let errors = 0;
          for (const e of events) {
            now += e.dt;
            requests += e.add;
            errors = Math.min(requests, errors + Math.min(e.add, e.errors));
            const step = canaryOnTraffic(state, { now, candidate: stats(requests, errors, e.p95), stable: stats(requests, 0, 20), settings });
            if (step.decision !== null && step.decision.kind !== 'start') expect(requests).toBeGreaterThanOrEqual(minRequests);
            if (step.outcome === 'promote') expect(state.step).toBe(1);
            if (step.decision?.kind === 'advance' || step.decision?.kind === 'promote') expect(now - state.stepStartedAt).toBeGreaterThanOrEqual(10_000);
            if (step.decision?.kind === 'advance') {
              requests = 0;
              errors = 0;
            }
            state = step.state;
            if (state.endedAt !== null) break;
          }
        },
      ),
      // Under mutation testing a failure is enough: shrinking it would only cost time.
      { numRuns: 300, endOnFailure: process.env.ORRERY_MUTATION_RUN === '1' },
    );
  });
});

describe('canary: manual actions', () => {
  const settings = rolloutSettings({ minRequests: 10, intervalMs: 0, failureLimit: 1 });
  const analysing = (): CanaryState => canaryOnTraffic(startCanary(settings, T0).state, { now: T0 + 1, candidate: stats(10, 0, 10), stable: stats(90, 0, 10), settings: rolloutSettings({ minRequests: 10 }) }).state;

  it('pause holds every decision until resumed, then the analysis goes on', () => {
    const paused = canaryManual(analysing(), 'pause', { now: T0 + 2, actor: 'ana' });
    expect(paused.decision).toEqual({ kind: 'pause', message: 'paused by ana', numbers: { step: 1, weight: 10 }, actor: 'ana' });
    expect(paused.state.phase).toBe('paused');
    expect(paused.weight).toBeUndefined();
    const failing = { now: T0 + 3, candidate: stats(50, 50, 10), stable: stats(450, 0, 10), settings };
    const held = canaryOnTraffic(paused.state, failing);
    expect(held.decision).toBeNull();
    expect(held.state).toBe(paused.state);
    expect(canaryOnTick(paused.state, T0 + 5, settings).state).toBe(paused.state);
    const resumed = canaryManual(paused.state, 'resume', { now: T0 + 4, actor: 'ana' });
    expect(resumed.state.phase).toBe('analysing');
    expect(resumed.decision?.message).toBe('resumed by ana');
    expect(canaryOnTraffic(resumed.state, failing).outcome).toBe('rollback');
  });

  it('promote, rollback and abort by hand end the rollout with the traffic the caller moves', () => {
    const promote = canaryManual(analysing(), 'promote', { now: T0 + 5, actor: 'ana' });
    expect(promote).toMatchObject({ outcome: 'promote', weight: 100, state: { phase: 'promoted', candidateWeight: 100, endedAt: T0 + 5 } });
    expect(promote.decision?.message).toBe('promoted by ana');
    const rollback = canaryManual(analysing(), 'rollback', { now: T0 + 5, actor: 'ana' });
    expect(rollback).toMatchObject({ outcome: 'rollback', weight: 0, state: { phase: 'rolled-back', candidateWeight: 0, endedAt: T0 + 5 } });
    const abort = canaryManual(analysing(), 'abort', { now: T0 + 5, actor: 'bo' });
    expect(abort).toMatchObject({ outcome: 'rollback', weight: 0, state: { phase: 'aborted', candidateWeight: 0 } });
    expect(abort.decision).toMatchObject({ kind: 'abort', message: 'aborted by bo', actor: 'bo' });
  });

  it('a rollout that has ended takes no more traffic decisions or actions', () => {
    const done = canaryManual(analysing(), 'rollback', { now: T0 + 5, actor: 'ana' }).state;
    const after = canaryOnTraffic(done, { now: T0 + 6, candidate: stats(500, 0, 10), stable: stats(500, 0, 10), settings });
    expect(after.state).toBe(done);
    expect(after.decision).toBeNull();
    expect(() => canaryManual(done, 'promote', { now: T0 + 6, actor: 'ana' })).toThrow(new OrreryError('CONFLICT', 'cannot promote: the rollout has already ended (rolled-back)'));
  });

  it('the state survives a JSON round trip (it is persisted as text)', () => {
    const state = analysing();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
