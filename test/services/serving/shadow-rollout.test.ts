import { describe, expect, it } from 'vitest';
import { addLatency, bucketOf, bucketValue, sketchCount, sketchQuantile, SKETCH_MIN_MS, type LatencySketch } from '../../../electron/services/serving/latency-sketch';
import { compareAnswers, comparePredictions, predictionsOf } from '../../../electron/services/serving/prediction-agreement';
import { rolloutSettings } from '../../../electron/services/serving/rollout-defaults';
import {
  agreementOf,
  emptyTally,
  latencyDifferenceMs,
  shadowManual,
  shadowOnPair,
  shadowOnTraffic,
  startShadow,
  tallyPair,
  type ShadowPair,
  type ShadowState,
} from '../../../electron/services/serving/shadow-rollout';

const T0 = 5_000_000;
const body = (predictions: unknown) => JSON.stringify({ predictions });
function pair(primary: unknown, shadow: unknown, extra: Partial<ShadowPair> = {}): ShadowPair {
  return { primaryStatus: 200, primaryBody: body(primary), primaryLatencyMs: 10, status: 200, shadowBody: body(shadow), latencyMs: 12, modelError: false, ...extra };
}

describe('comparing a shadow answer with the primary', () => {
  it('numbers: equal when the same, else the mean absolute difference over elements', () => {
    expect(comparePredictions([1, 2, 3], [1, 2, 3])).toEqual({ equal: true, absDiff: 0 });
    expect(comparePredictions([1, 2, 3], [1, 2, 4])).toEqual({ equal: false, absDiff: 1 / 3 });
    expect(comparePredictions([-1, 5], [1, 4])).toEqual({ equal: false, absDiff: 1.5 });
    const probabilities = comparePredictions([[0.1, 0.9], [0.5, 0.5]], [[0.2, 0.8], [0.5, 0.5]]);
    expect(probabilities.equal).toBe(false);
    expect(probabilities.absDiff).toBeCloseTo(0.05, 12);
    expect(comparePredictions(0.1 + 0.2, 0.3)).toEqual({ equal: true, absDiff: Math.abs(0.1 + 0.2 - 0.3) }); // float noise is equal
    expect(comparePredictions(1e6, 1e6 + 0.01).equal).toBe(false);
    expect(comparePredictions(1e12, 1e12 + 1).equal).toBe(true); // relative to the size
    expect(comparePredictions(1000, 1000.0000001).equal).toBe(true);
    expect(comparePredictions(1, 1.000001).equal).toBe(false);
    expect(comparePredictions(0, 1e-9).equal).toBe(true); // exactly at the tolerance
    expect(comparePredictions(0, 1.1e-9).equal).toBe(false);
  });

  it('labels and other leaves: equal only when identical, no difference to measure', () => {
    expect(comparePredictions(['cat', 'dog'], ['cat', 'dog'])).toEqual({ equal: true, absDiff: null });
    expect(comparePredictions(['cat'], ['dog'])).toEqual({ equal: false, absDiff: null });
    expect(comparePredictions([true], [false])).toEqual({ equal: false, absDiff: null });
    expect(comparePredictions([true, 1], [true, 1])).toEqual({ equal: true, absDiff: 0 });
    expect(comparePredictions(['a', null, 1], ['a', null, 3])).toEqual({ equal: false, absDiff: 2 });
    expect(comparePredictions(null, null)).toEqual({ equal: true, absDiff: null });
    expect(comparePredictions([{ label: 'a', score: 1 }], [{ score: 3, label: 'a' }])).toEqual({ equal: false, absDiff: 2 });
    expect(comparePredictions({ y: [1, 2] }, { y: [1, 2] })).toEqual({ equal: true, absDiff: 0 });
  });

  it('different shapes are never equal', () => {
    const different = { equal: false, absDiff: null };
    expect(comparePredictions([1, 2], [1, 2, 3])).toEqual(different);
    expect(comparePredictions([1], ['1'])).toEqual(different);
    expect(comparePredictions([1], 1)).toEqual(different);
    expect(comparePredictions(1, [1])).toEqual(different);
    expect(comparePredictions({ a: 1 }, { b: 1 })).toEqual(different);
    expect(comparePredictions({ a: 1 }, { a: 1, b: 2 })).toEqual(different);
    expect(comparePredictions({ a: 1, b: 2 }, { a: 1 })).toEqual(different);
    expect(comparePredictions([null], [0])).toEqual(different);
    expect(comparePredictions(null, {})).toEqual(different);
    expect(comparePredictions({}, null)).toEqual(different);
    expect(comparePredictions([{ a: 1 }], [[1]])).toEqual(different);
    expect(comparePredictions(['x', 1], ['x', 'y'])).toEqual(different);
    // Beside an equal number, so a mismatch read as "same shape, not equal" would show a difference of 0.
    const mismatched: Array<[unknown, unknown]> = [
      [[1], null],
      [null, [1]],
      [{}, null],
      [null, {}],
      [{ a: 1 }, { b: 1 }],
      [{ a: 1, b: 2 }, { a: 1, c: 2 }],
      [1, '1'],
      ['1', 1],
      ['x', true],
      [null, 'x'],
      [false, null],
      [{ a: 1 }, [1]],
      [[1], { 0: 1 }],
      [[1], 1],
      [1, [1]],
      [[1], 'x'],
    ];
    for (const [a, b] of mismatched) expect(comparePredictions([a, 5], [b, 5]), JSON.stringify([a, b])).toEqual(different);
    expect(comparePredictions(undefined, undefined)).toEqual(different);
  });

  it('reads MLflow answers from their bodies; anything else never agrees', () => {
    expect(predictionsOf('{"predictions":[1,2]}')).toEqual([1, 2]);
    expect(predictionsOf(Buffer.from('{"predictions":{"a":[1]}}'))).toEqual({ a: [1] });
    expect(predictionsOf('{"error_code":"BAD_REQUEST"}')).toBeUndefined();
    expect(predictionsOf('[1,2]')).toBeUndefined();
    expect(predictionsOf('not json')).toBeUndefined();
    expect(compareAnswers('{"predictions":[3]}', Buffer.from('{"predictions":[3]}'))).toEqual({ equal: true, absDiff: 0 });
    expect(compareAnswers('{"predictions":[3]}', '{"predictions":[5]}')).toEqual({ equal: false, absDiff: 2 });
    expect(compareAnswers('{"predictions":[3]}', 'oops')).toEqual({ equal: false, absDiff: null });
    expect(compareAnswers('oops', '{"predictions":[3]}')).toEqual({ equal: false, absDiff: null });
    expect(compareAnswers('oops', 'oops')).toEqual({ equal: false, absDiff: null });
    expect(compareAnswers('{"error_code":"X"}', '{"error_code":"X"}')).toEqual({ equal: false, absDiff: null });
  });
});

describe('the agreement tally', () => {
  it('equals the hand-computed share and mean difference', () => {
    let tally = emptyTally();
    tally = tallyPair(tally, pair([1, 2], [1, 2])); // equal, diff 0
    tally = tallyPair(tally, pair([1, 2], [1, 4])); // not equal, diff (0 + 2) / 2 = 1
    tally = tallyPair(tally, pair(['a'], ['a'])); // equal, no numbers
    tally = tallyPair(tally, pair([1], [1], { status: 500, shadowBody: 'boom' })); // shadow failed: a disagreement
    tally = tallyPair(tally, pair([1], [1], { primaryStatus: 503 })); // primary failed: nothing to compare
    tally = tallyPair(tally, pair([1], [1], { status: 400, modelError: true })); // the shadow's model raised
    tally = tallyPair(tally, pair([4, 4, 4, 4], [4, 4, 4, 6])); // not equal, diff 0.5
    expect(tally.compared).toBe(6);
    expect(tally.equal).toBe(2);
    expect(tally.shadowErrors).toBe(2);
    expect(agreementOf(tally)).toEqual({ compared: 6, equalShare: 2 / 6, meanAbsDiff: (0 + 1 + 0.5) / 3 });
    expect(sketchCount(tally.primaryLatency)).toBe(6);
  });

  it('any 2xx is an answer; anything else from the shadow is an error, from the primary a request left out', () => {
    let tally = emptyTally();
    tally = tallyPair(tally, pair([1], [1], { primaryStatus: 299, status: 299 }));
    tally = tallyPair(tally, pair([1], [1], { status: 300 }));
    tally = tallyPair(tally, pair([1], [1], { status: 199 }));
    tally = tallyPair(tally, pair([1], [1], { primaryStatus: 300 }));
    tally = tallyPair(tally, pair([1], [1], { primaryStatus: 199 }));
    expect(tally).toMatchObject({ compared: 3, equal: 1, shadowErrors: 2 });
  });

  it('knows nothing before the first compared request', () => {
    expect(agreementOf(emptyTally())).toEqual({ compared: 0, equalShare: null, meanAbsDiff: null });
    expect(latencyDifferenceMs(emptyTally())).toBeNull();
    expect(agreementOf(tallyPair(emptyTally(), pair(['a'], ['b'])))).toEqual({ compared: 1, equalShare: 0, meanAbsDiff: null });
  });

  it('the latency difference is the shadow p95 minus the primary p95 on the same requests', () => {
    let tally = emptyTally();
    for (let i = 1; i <= 100; i++) tally = tallyPair(tally, pair([1], [1], { primaryLatencyMs: i, latencyMs: i + 50 }));
    expect(latencyDifferenceMs(tally)).toBeGreaterThan(50 * 0.97);
    expect(latencyDifferenceMs(tally)).toBeLessThan(50 * 1.03);
    let onlyPrimary = emptyTally();
    onlyPrimary = tallyPair(onlyPrimary, pair([1], [1], { latencyMs: -1 }));
    expect(latencyDifferenceMs(onlyPrimary)).toBeNull();
  });
});

describe('the latency sketch', () => {
  it('gives quantiles within 1% of the true value', () => {
    let sketch: LatencySketch = {};
    for (let i = 1; i <= 1000; i++) sketch = addLatency(sketch, i);
    expect(sketchCount(sketch)).toBe(1000);
    for (const [q, truth] of [[0.5, 500], [0.95, 950], [0.99, 990], [1, 1000]] as const) {
      const value = sketchQuantile(sketch, q)!;
      expect(Math.abs(value - truth) / truth).toBeLessThan(0.01);
    }
    expect(sketchQuantile(sketch, 0)).toBeCloseTo(1, 1);
  });

  it('is empty without latencies and ignores impossible ones', () => {
    expect(sketchQuantile({}, 0.95)).toBeNull();
    const sketch = addLatency(addLatency(addLatency({}, -3), Number.NaN), Number.POSITIVE_INFINITY);
    expect(sketch).toEqual({});
    expect(addLatency({}, 0)).toEqual({ '0': 1 });
    expect(bucketOf(SKETCH_MIN_MS)).toBe(0);
    expect(bucketValue(0)).toBe(SKETCH_MIN_MS);
    expect(sketchQuantile(addLatency({}, 0), 0.5)).toBe(SKETCH_MIN_MS);
  });

  it('puts each latency in the bucket whose range holds it', () => {
    for (const ms of [0.011, 0.5, 1, 3.7, 12, 250, 60_000]) {
      const i = bucketOf(ms);
      expect(SKETCH_MIN_MS * 1.02 ** (i - 1)).toBeLessThan(ms);
      expect(SKETCH_MIN_MS * 1.02 ** i).toBeGreaterThanOrEqual(ms * (1 - 1e-12));
    }
    expect(sketchQuantile(addLatency(addLatency({}, 10), 10), 0.5)).toBeCloseTo(10, 0);
    expect(bucketOf(SKETCH_MIN_MS * 1.02 ** 100)).toBe(100); // a bucket's upper end is in it
    const two = addLatency(addLatency({}, 20), 10);
    expect(sketchQuantile(two, 0.5)).toBeCloseTo(10, 0);
    expect(sketchQuantile(two, 0.51)).toBeCloseTo(20, 0);
  });
});

describe('the shadow rollout', () => {
  function feed(state: ShadowState, pairs: ShadowPair[], now: number, settings = rolloutSettings({ minRequests: 10, intervalMs: 0 })) {
    const decisions = [];
    let last = null;
    for (const p of pairs) {
      const step = shadowOnTraffic(shadowOnPair(state, p), { now, settings });
      state = step.state;
      if (step.decision) decisions.push(step.decision);
      last = step;
    }
    return { state, decisions, last };
  }
  const agreeing = (n: number, disagreeEvery = 0) => Array.from({ length: n }, (_, i) => (disagreeEvery > 0 && (i + 1) % disagreeEvery === 0 ? pair([1], [2]) : pair([1], [1])));

  it('starts with a copy share and no live traffic', () => {
    const start = startShadow(rolloutSettings({ shadowShare: 30 }), T0);
    expect(start.state).toMatchObject({ strategy: 'shadow', phase: 'waiting-for-traffic', candidateWeight: 0, stepStartedAt: T0, endedAt: null });
    expect(start.decision).toMatchObject({ kind: 'start', message: 'shadow started: the candidate gets a copy of 30% of requests', numbers: { shadowShare: 30 } });
    expect(start.weight).toBeUndefined();
  });

  it('without a rule it records the evidence once and holds for a promote by hand', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 0 });
    const { state: started } = startShadow(settings, T0);
    const early = feed(started, agreeing(9), T0 + 1, settings);
    expect(early.decisions).toEqual([]);
    expect(early.state.phase).toBe('waiting-for-traffic');
    expect(early.state.note).toBe('waiting for traffic: 9 of 10 compared requests');
    const later = feed(early.state, agreeing(200, 4), T0 + 2, settings);
    expect(later.decisions.map((d) => d.kind)).toEqual(['hold']);
    expect(later.decisions[0]!.message).toBe('held for a promote by hand: agreement 100.0% over 10 compared requests');
    expect(later.state.phase).toBe('analysing');
    expect(later.state.endedAt).toBeNull();
    // Analysed at 208 compared (batches of 2 from 10): 49 of the 199 new ones disagreed by 1.
    expect(later.state.analysis?.agreement).toEqual({ compared: 208, equalShare: 159 / 208, meanAbsDiff: 49 / 208 });
    expect(agreementOf(later.state.tally)).toEqual({ compared: 209, equalShare: 159 / 209, meanAbsDiff: 50 / 209 });
    const promoted = shadowManual(later.state, 'promote', { now: T0 + 3, actor: 'ana' });
    expect(promoted).toMatchObject({ outcome: 'promote', weight: 100, state: { phase: 'promoted' } });
    expect(promoted.decision?.message).toBe('promoted by ana');
  });

  it('with a rule it promotes once agreement, latency, errors, requests and time all pass', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 10_000, shadowMinAgreement: 0.9 });
    const { state } = startShadow(settings, T0);
    const early = feed(state, agreeing(40, 20), T0 + 5000, settings); // 95% agree, but 5 s in
    expect(early.decisions).toEqual([]);
    expect(early.state.note).toBe('checks pass; the shadow needs 5 s more');
    const due = feed(early.state, agreeing(1), T0 + 10_000, settings); // no new batch, but the time is up
    expect(due.last?.outcome).toBe('promote');
    expect(due.last?.weight).toBe(100);
    expect(due.decisions[0]!.message).toBe('promoted: agreement 95.1% over 41 compared requests, at least 90.0%, and latency and errors within limits');
    expect(due.decisions[0]!.numbers).toMatchObject({ compared: 41, minAgreement: 0.9, shadowErrors: 0 });
    expect(due.state.endedAt).toBe(T0 + 10_000);
    // Before the time is up, a call without a new batch analyses nothing.
    const between = feed(early.state, agreeing(1), T0 + 6000, settings);
    expect(between.state.analysis?.at).toBe(T0 + 5000);
  });

  it('agreement exactly at the minimum is enough', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 0, shadowMinAgreement: 0.9 });
    const run = feed(startShadow(settings, T0).state, agreeing(20, 10), T0 + 1, settings); // 18 of 20
    expect(run.state.phase).toBe('promoted');
  });

  it('a failed analysis is not repeated on time alone, only on a new batch', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 0, shadowMinAgreement: 0.9 });
    const low = feed(startShadow(settings, T0).state, agreeing(20, 5), T0 + 1, settings);
    expect(low.state.analysis?.at).toBe(T0 + 1);
    const later = feed(low.state, agreeing(1), T0 + 60_000, settings);
    expect(later.state.analysis?.at).toBe(T0 + 1);
  });

  it('does not promote by itself on too little agreement, a slow or failing shadow', () => {
    const settings = rolloutSettings({ minRequests: 20, intervalMs: 0, shadowMinAgreement: 0.9 });
    const low = feed(startShadow(settings, T0).state, agreeing(100, 5), T0 + 1, settings); // 80%
    expect(low.state.endedAt).toBeNull();
    expect(low.decisions.map((d) => d.kind)).toEqual(['hold']);
    expect(low.state.note).toBe('not promoting by itself: agreement 80.0% below the minimum 90.0%');
    const slowPairs = Array.from({ length: 100 }, () => pair([1], [1], { primaryLatencyMs: 20, latencyMs: 100 }));
    const slow = feed(startShadow(settings, T0).state, slowPairs, T0 + 1, settings);
    expect(slow.state.endedAt).toBeNull();
    expect(slow.state.note).toMatch(/^not promoting by itself: p95 \d+\.\d ms above \d+\.\d ms \(stable's p95 × factor\)$/);
    const failingPairs = Array.from({ length: 100 }, (_, i) => pair([1], [1], i % 10 === 0 ? { status: 500 } : {}));
    const failing = feed(startShadow(settings, T0).state, failingPairs, T0 + 1, settings);
    expect(failing.state.endedAt).toBeNull();
    expect(failing.state.note).toMatch(/error rate 10\.0% above the limit 1\.0%/);
    const absolute = rolloutSettings({ minRequests: 20, intervalMs: 0, shadowMinAgreement: 0.5, maxP95Ms: 5, maxP95Factor: 1000 });
    expect(feed(startShadow(absolute, T0).state, agreeing(50), T0 + 1, absolute).state.endedAt).toBeNull();
  });

  it('pause holds decisions while the tally goes on; an ended shadow takes no more pairs', () => {
    const settings = rolloutSettings({ minRequests: 5, intervalMs: 0, shadowMinAgreement: 0.5 });
    const paused = shadowManual(startShadow(settings, T0).state, 'pause', { now: T0, actor: 'bo' }).state;
    const during = feed(paused, agreeing(50), T0 + 1, settings);
    expect(during.decisions).toEqual([]);
    expect(during.state.phase).toBe('paused');
    expect(during.state.tally.compared).toBe(50);
    const resumed = shadowManual(during.state, 'resume', { now: T0 + 2, actor: 'bo' }).state;
    expect(resumed.phase).toBe('waiting-for-traffic');
    const after = shadowOnTraffic(resumed, { now: T0 + 3, settings });
    expect(after.outcome).toBe('promote');
    expect(shadowOnPair(after.state, pair([1], [1])).tally.compared).toBe(50);
    expect(shadowOnTraffic(after.state, { now: T0 + 4, settings })).toEqual({ state: after.state, decision: null });
  });

  it('a shadow still starting takes no decisions, and the analysis shows both versions on the same requests', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 0, shadowMinAgreement: 0, maxP95Factor: 3 });
    const starting: ShadowState = { ...startShadow(settings, T0).state, phase: 'starting' };
    const pairs = Array.from({ length: 100 }, (_, i) => pair([1], [1], { primaryLatencyMs: i + 1, latencyMs: 2 * (i + 1) }));
    const held = feed(starting, pairs, T0 + 1, settings);
    expect(held.decisions).toEqual([]);
    expect(held.state.phase).toBe('starting');
    const ran = feed(startShadow(settings, T0).state, pairs, T0 + 1, settings);
    const { candidate, stable } = ran.state.analysis!;
    expect(candidate).toMatchObject({ requests: 10, errors: 0, errorRate: 0 });
    expect(stable).toMatchObject({ requests: 10, errors: 0, errorRate: 0 });
    expect(candidate.p50Ms).toBeCloseTo(10, 0);
    expect(candidate.p95Ms).toBeCloseTo(20, 0);
    expect(candidate.p99Ms).toBeCloseTo(20, 0);
    expect(stable.p50Ms).toBeCloseTo(5, 0);
    expect(ran.decisions.map((d) => d.kind)).toEqual(['promote']);
    expect(ran.state.phase).toBe('promoted');
    expect(ran.decisions[0]!.numbers).toMatchObject({ compared: 10, equalShare: 1, meanAbsDiff: 0 });
    expect(ran.decisions[0]!.numbers.p95DifferenceMs).toBeCloseTo(10, 0);
  });

  it('analyses once per batch of compared requests, not on every pair', () => {
    const settings = rolloutSettings({ minRequests: 10, intervalMs: 0 });
    const first = feed(startShadow(settings, T0).state, agreeing(10), T0 + 1, settings).state;
    expect(first.lastCheckCompared).toBe(10);
    const one = feed(first, agreeing(1), T0 + 2, settings);
    expect(one.state.lastCheckCompared).toBe(10);
    expect(one.state.analysis?.at).toBe(T0 + 1);
    const batch = feed(one.state, agreeing(1), T0 + 3, settings); // batch of 2
    expect(batch.state.lastCheckCompared).toBe(12);
    expect(batch.state.analysis?.at).toBe(T0 + 3);
    expect(JSON.parse(JSON.stringify(batch.state))).toEqual(batch.state);
  });
});
