import { describe, expect, it } from 'vitest';
import type { AnalysisCheck } from '../../../shared/contract/serving';
import { analyseCanary, comparableStableP95, describeCheck, describeFailures, errorRateOf, p95FactorLimit } from '../../../electron/services/serving/canary-analysis';
import { rolloutSettings } from '../../../electron/services/serving/rollout-defaults';
import { stats } from './canary-simulation';

const settings = rolloutSettings({ minRequests: 20 });

describe('canary analysis: one check of a candidate against its limits and stable', () => {
  it('a healthy candidate passes every check, each listed with its limit and what it saw', () => {
    const result = analyseCanary({ candidate: stats(100, 1, 12), stable: stats(900, 0, 10), settings, rememberedStableP95Ms: null });
    expect(result.passed).toBe(true);
    expect(result.stableP95Ms).toBe(10);
    expect(result.checks).toEqual([
      { name: 'error-rate', limit: 0.01, actual: 0.01, passed: true },
      { name: 'p95-factor', limit: 15, actual: 12, passed: true },
    ]);
  });

  it('an error rate above the limit fails; exactly at it passes', () => {
    const at = analyseCanary({ candidate: stats(200, 2, 10), stable: stats(900, 0, 10), settings, rememberedStableP95Ms: null });
    expect(at.passed).toBe(true);
    const above = analyseCanary({ candidate: stats(200, 3, 10), stable: stats(900, 0, 10), settings, rememberedStableP95Ms: null });
    expect(above.passed).toBe(false);
    expect(above.checks[0]).toEqual({ name: 'error-rate', limit: 0.01, actual: 0.015, passed: false });
  });

  it('with a zero error limit a single error fails', () => {
    const strict = rolloutSettings({ maxErrorRate: 0 });
    expect(analyseCanary({ candidate: stats(1000, 1, 10), stable: stats(900, 0, 10), settings: strict, rememberedStableP95Ms: null }).passed).toBe(false);
    expect(analyseCanary({ candidate: stats(1000, 0, 10), stable: stats(900, 0, 10), settings: strict, rememberedStableP95Ms: null }).passed).toBe(true);
  });

  it('an absolute p95 limit is checked only when set, and is inclusive', () => {
    const limited = rolloutSettings({ minRequests: 20, maxP95Ms: 100 });
    const at = analyseCanary({ candidate: stats(100, 0, 100), stable: stats(900, 0, 90), settings: limited, rememberedStableP95Ms: null });
    expect(at.checks.find((c) => c.name === 'p95')).toEqual({ name: 'p95', limit: 100, actual: 100, passed: true });
    expect(at.passed).toBe(true);
    const above = analyseCanary({ candidate: stats(100, 0, 100.5), stable: stats(900, 0, 90), settings: limited, rememberedStableP95Ms: null });
    expect(above.checks.find((c) => c.name === 'p95')!.passed).toBe(false);
    expect(above.passed).toBe(false);
  });

  it('the p95 factor compares with stable × factor, never closer than 5 ms above stable', () => {
    expect(p95FactorLimit(100, 1.5)).toBe(150);
    expect(p95FactorLimit(2, 1.5)).toBe(7); // 3 ms would be scheduler noise
    expect(p95FactorLimit(10, 1.5)).toBe(15);
    const noisy = analyseCanary({ candidate: stats(100, 0, 6.5), stable: stats(900, 0, 2), settings, rememberedStableP95Ms: null });
    expect(noisy.passed).toBe(true);
    const slow = analyseCanary({ candidate: stats(100, 0, 151), stable: stats(900, 0, 100), settings, rememberedStableP95Ms: null });
    expect(slow.checks.find((c) => c.name === 'p95-factor')).toEqual({ name: 'p95-factor', limit: 150, actual: 151, passed: false });
    expect(slow.passed).toBe(false);
  });

  it('stable with fewer requests than the minimum is not compared; the remembered p95 is used instead', () => {
    expect(comparableStableP95(stats(20, 0, 10), 20, 99)).toBe(10);
    expect(comparableStableP95(stats(19, 0, 10), 20, 99)).toBe(99);
    expect(comparableStableP95(stats(19, 0, 10), 20, null)).toBeNull();
    expect(comparableStableP95(stats(500, 0, null), 20, 42)).toBe(42);
    const remembered = analyseCanary({ candidate: stats(100, 0, 40), stable: stats(3, 0, 1000), settings, rememberedStableP95Ms: 20 });
    expect(remembered.stableP95Ms).toBe(20);
    expect(remembered.passed).toBe(false);
  });

  it('an unknown stable p95 or candidate p95 makes the latency checks not applicable, never failed', () => {
    const noStable = analyseCanary({ candidate: stats(100, 0, 1e6), stable: stats(0, 0, null), settings, rememberedStableP95Ms: null });
    expect(noStable.checks.find((c) => c.name === 'p95-factor')).toEqual({ name: 'p95-factor', limit: null, actual: 1e6, passed: true });
    expect(noStable.passed).toBe(true);
    expect(noStable.stableP95Ms).toBeNull();
    const noCandidateLatency = analyseCanary({ candidate: stats(100, 0, null), stable: stats(900, 0, 10), settings: rolloutSettings({ maxP95Ms: 5 }), rememberedStableP95Ms: null });
    expect(noCandidateLatency.passed).toBe(true);
  });

  it('error rate of no requests is unknown, not zero', () => {
    expect(errorRateOf({ requests: 0, errors: 0 })).toBeNull();
    expect(errorRateOf({ requests: 8, errors: 2 })).toBe(0.25);
    const none = analyseCanary({ candidate: stats(0, 0, null), stable: stats(0, 0, null), settings, rememberedStableP95Ms: null });
    expect(none.checks[0]).toEqual({ name: 'error-rate', limit: 0.01, actual: null, passed: true });
  });
});

describe('canary analysis in words', () => {
  const c = (name: AnalysisCheck['name'], limit: number | null, actual: number | null, passed: boolean): AnalysisCheck => ({ name, limit, actual, passed });

  it('says each check with its number and limit', () => {
    expect(describeCheck(c('error-rate', 0.01, 0.2, false))).toBe('error rate 20.0% above the limit 1.0%');
    expect(describeCheck(c('error-rate', 0.01, 0.005, true))).toBe('error rate 0.5% within the limit 1.0%');
    expect(describeCheck(c('p95', 100, 150, false))).toBe('p95 150.0 ms above the limit 100.0 ms');
    expect(describeCheck(c('p95-factor', 30, 45.25, false))).toBe("p95 45.3 ms above 30.0 ms (stable's p95 × factor)");
    expect(describeCheck(c('agreement', 0.9, 0.8, false))).toBe('agreement 80.0% below the minimum 90.0%');
    expect(describeCheck(c('agreement', 0.9, 0.95, true))).toBe('agreement 95.0% at least the minimum 90.0%');
    expect(describeCheck(c('min-requests', 50, 20, false))).toBe('min-requests 20 of 50');
    expect(describeCheck(c('p95-factor', null, 20, true))).toBe('p95-factor not applicable');
    expect(describeCheck(c('p95', 20, null, true))).toBe('p95 not applicable');
  });

  it('lists only the failed checks', () => {
    expect(describeFailures([c('error-rate', 0.01, 0.2, false), c('p95', 100, 50, true), c('p95-factor', 30, 45, false)])).toBe(
      "error rate 20.0% above the limit 1.0%; p95 45.0 ms above 30.0 ms (stable's p95 × factor)",
    );
    expect(describeFailures([c('error-rate', 0.01, 0, true)])).toBe('');
  });
});
