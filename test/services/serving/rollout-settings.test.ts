import { describe, expect, it } from 'vitest';
import { rolloutSettingsSchema, type RolloutSettings } from '../../../shared/contract/serving';
import { OrreryError } from '../../../shared/errors';
import { analysisBatch, DEFAULT_ROLLOUT_SETTINGS, rolloutSettings } from '../../../electron/services/serving/rollout-defaults';
import { allowedActions, applyManualAction, assertAllowed, refusal, type RolloutMachineBase } from '../../../electron/services/serving/rollout-transitions';

function refused(partial: Record<string, unknown>): string {
  try {
    rolloutSettings(partial as Partial<RolloutSettings>);
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(partial)}`);
}

describe('rollout settings', () => {
  it('the defaults are those `orrery deploy rollout` shows', () => {
    expect(rolloutSettings()).toEqual({
      steps: [10, 25, 50, 100],
      minRequests: 50,
      intervalMs: 30_000,
      maxErrorRate: 0.01,
      maxP95Ms: null,
      maxP95Factor: 1.5,
      failureLimit: 2,
      shadowShare: 100,
      shadowMinAgreement: null,
      keepWarmMs: 60_000,
    });
    expect(rolloutSettings({})).toEqual(DEFAULT_ROLLOUT_SETTINGS);
  });

  it('fills in what is not given and keeps what is, undefined counting as not given', () => {
    const s = rolloutSettings({ minRequests: 20, maxP95Ms: 250, shadowMinAgreement: 0.95, steps: [50, 100], intervalMs: undefined });
    expect(s).toMatchObject({ minRequests: 20, maxP95Ms: 250, shadowMinAgreement: 0.95, steps: [50, 100], intervalMs: 30_000, failureLimit: 2 });
    expect(rolloutSettings({ maxP95Ms: null, shadowMinAgreement: null })).toMatchObject({ maxP95Ms: null, shadowMinAgreement: null });
    expect(rolloutSettings({ steps: [100], maxErrorRate: 0, intervalMs: 0, maxP95Factor: 1, shadowShare: 1, keepWarmMs: 0, failureLimit: 1, minRequests: 1 })).toMatchObject({ steps: [100], maxErrorRate: 0 });
  });

  it('accepts each setting at both ends of its range', () => {
    const steps = Array.from({ length: 20 }, (_, i) => (i + 1) * 5);
    const top = { steps, minRequests: 1_000_000, intervalMs: 86_400_000, maxErrorRate: 1, maxP95Factor: 1000, failureLimit: 1000, shadowShare: 100, shadowMinAgreement: 1, keepWarmMs: 86_400_000, maxP95Ms: 0.5 };
    expect(rolloutSettings(top)).toEqual(top);
    expect(rolloutSettings({ shadowMinAgreement: 0 }).shadowMinAgreement).toBe(0);
  });

  it('each bad field is refused with its name and the problem', () => {
    expect(refused({ steps: [10, 20, 20, 100] })).toBe('settings.steps: must be ascending (step 3 is not above step 2), got [10,20,20,100]');
    expect(refused({ steps: [10, 10, 100] })).toBe('settings.steps: must be ascending (step 2 is not above step 1), got [10,10,100]');
    expect(refused({ steps: [50, 25, 100] })).toMatch(/^settings\.steps: must be ascending \(step 2 is not above step 1\)/);
    expect(refused({ steps: [10, 50] })).toBe('settings.steps: must end at 100 (the candidate takes all traffic before it is promoted), got [10,50]');
    expect(refused({ steps: [] })).toBe('settings.steps: must be a list of 1 to 20 weights in percent, got []');
    expect(refused({ steps: Array.from({ length: 21 }, (_, i) => i + 80) })).toMatch(/^settings\.steps: must be a list of 1 to 20/);
    expect(refused({ steps: '10,100' })).toMatch(/^settings\.steps: must be a list/);
    expect(refused({ steps: [0, 100] })).toBe('settings.steps[0]: must be from 1 to 100, got 0');
    expect(refused({ steps: [10, 101] })).toBe('settings.steps[1]: must be from 1 to 100, got 101');
    expect(refused({ minRequests: 0 })).toBe('settings.minRequests: must be a whole number from 1 to 1000000, got 0');
    expect(refused({ minRequests: 2.5 })).toMatch(/^settings\.minRequests: must be a whole number/);
    expect(refused({ minRequests: 1_000_001 })).toMatch(/^settings\.minRequests:/);
    expect(refused({ intervalMs: -1 })).toMatch(/^settings\.intervalMs: must be a whole number from 0 to 86400000/);
    expect(refused({ intervalMs: 86_400_001 })).toMatch(/^settings\.intervalMs:/);
    expect(refused({ maxErrorRate: 1.5 })).toBe('settings.maxErrorRate: must be from 0 to 1, got 1.5');
    expect(refused({ maxErrorRate: -0.1 })).toMatch(/^settings\.maxErrorRate:/);
    expect(refused({ maxErrorRate: Number.NaN })).toBe('settings.maxErrorRate: must be a number, got NaN');
    expect(refused({ maxP95Ms: Number.POSITIVE_INFINITY })).toBe('settings.maxP95Ms: must be a number, got Infinity');
    expect(refused({ maxErrorRate: '0.1' })).toBe('settings.maxErrorRate: must be a number, got "0.1"');
    expect(refused({ maxP95Ms: 0 })).toBe('settings.maxP95Ms: must be more than 0 ms, or null for no limit, got 0');
    expect(refused({ maxP95Factor: 0.9 })).toBe('settings.maxP95Factor: must be from 1 to 1000, got 0.9');
    expect(refused({ maxP95Factor: 1001 })).toMatch(/^settings\.maxP95Factor:/);
    expect(refused({ failureLimit: 0 })).toMatch(/^settings\.failureLimit: must be a whole number from 1 to 1000/);
    expect(refused({ failureLimit: 1001 })).toMatch(/^settings\.failureLimit:/);
    expect(refused({ shadowShare: 0 })).toBe('settings.shadowShare: must be from 1 to 100, got 0');
    expect(refused({ shadowShare: 100.5 })).toMatch(/^settings\.shadowShare:/);
    expect(refused({ shadowMinAgreement: 1.2 })).toBe('settings.shadowMinAgreement: must be from 0 to 1, got 1.2');
    expect(refused({ keepWarmMs: -5 })).toMatch(/^settings\.keepWarmMs:/);
    expect(refused({ keepWarmMs: 86_400_001 })).toMatch(/^settings\.keepWarmMs:/);
    expect(refused({ maxErrors: 3 })).toBe('settings.maxErrors: is not a rollout setting, got 3');
  });

  it('accepts every setting the contract schema accepts, so the RPC defaults and these agree', () => {
    const parsed = rolloutSettingsSchema.parse({ steps: [5, 20, 100], minRequests: 7, maxP95Ms: 300 });
    expect(rolloutSettings(parsed)).toMatchObject({ steps: [5, 20, 100], minRequests: 7, maxP95Ms: 300 });
  });

  it('analyses once per fifth of the minimum, at least every request', () => {
    expect(analysisBatch({ minRequests: 50 })).toBe(10);
    expect(analysisBatch({ minRequests: 20 })).toBe(4);
    expect(analysisBatch({ minRequests: 21 })).toBe(5);
    expect(analysisBatch({ minRequests: 3 })).toBe(1);
    expect(analysisBatch({ minRequests: 1 })).toBe(1);
  });
});

describe('which manual action each rollout state allows', () => {
  it('resume only when paused; pause only when not; promote not while the candidate starts; nothing once ended', () => {
    expect(allowedActions('analysing')).toEqual(['pause', 'promote', 'rollback', 'abort']);
    expect(allowedActions('waiting-for-traffic')).toEqual(['pause', 'promote', 'rollback', 'abort']);
    expect(allowedActions('switching')).toEqual(['pause', 'promote', 'rollback', 'abort']);
    expect(allowedActions('paused')).toEqual(['resume', 'promote', 'rollback', 'abort']);
    expect(allowedActions('starting')).toEqual(['pause', 'rollback', 'abort']);
    for (const done of ['promoted', 'rolled-back', 'aborted'] as const) expect(allowedActions(done)).toEqual([]);
  });

  it('pause remembers the state it interrupted; resume returns to it, analysing when unknown', () => {
    const base: RolloutMachineBase = { phase: 'waiting-for-traffic', step: 2, candidateWeight: 50, stepStartedAt: 1, endedAt: null, pausedFrom: null, note: 'waiting' };
    const paused = applyManualAction(base, 'pause', { now: 5, actor: 'ana' }).state;
    expect(paused).toEqual({ ...base, phase: 'paused', pausedFrom: 'waiting-for-traffic', note: 'paused by ana' });
    expect(applyManualAction(paused, 'resume', { now: 6, actor: 'ana' }).state).toEqual({ ...base, note: null });
    expect(applyManualAction({ ...paused, pausedFrom: null }, 'resume', { now: 6, actor: 'ana' }).state.phase).toBe('analysing');
    const promoted = applyManualAction(paused, 'promote', { now: 7, actor: 'ana' });
    expect(promoted.state).toEqual({ ...base, phase: 'promoted', candidateWeight: 100, endedAt: 7, pausedFrom: null, note: null });
    expect(promoted.decision).toEqual({ kind: 'promote', message: 'promoted by ana', numbers: { step: 3, weight: 50 }, actor: 'ana' });
  });

  it('refuses with a CONFLICT that names the state', () => {
    expect(refusal('resume', 'analysing')).toBe('cannot resume: the rollout is analysing, not paused');
    expect(refusal('pause', 'paused')).toBe('cannot pause: the rollout is already paused');
    expect(refusal('abort', 'promoted')).toBe('cannot abort: the rollout has already ended (promoted)');
    expect(refusal('promote', 'starting')).toBe('cannot promote: the candidate is still starting (roll back or abort instead)');
    expect(refusal('rollback', 'paused')).toBeNull();
    expect(() => assertAllowed('resume', 'waiting-for-traffic')).toThrow(new OrreryError('CONFLICT', 'cannot resume: the rollout is waiting-for-traffic, not paused'));
    expect(() => assertAllowed('promote', 'analysing')).not.toThrow();
  });
});
