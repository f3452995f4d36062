import { describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../../shared/contract/serving';
import { allowedRolloutActions, formatCheckValue, formatNumbers, formatRate, limitComparator, sentence } from '../../renderer/src/pages/deployments/serving-format';
import { bucketWidthMs, seriesByVersion, trafficSegments } from '../../renderer/src/pages/deployments/serving-metrics';
import { bodyError, curlExample, exampleBody, prettyBody } from '../../renderer/src/pages/deployments/try-it-example';

const point = (at: number, version: number, requests: number, errors: number, p95: number | null = 10): MetricsPoint => ({ at, version, requests, errors, p50Ms: p95 === null ? null : p95 / 2, p95Ms: p95, p99Ms: p95 === null ? null : p95 * 2 });

describe('live metrics per version', () => {
  it('turns bucket counts into requests per second at the bucket width (1 s live, 10 s stored)', () => {
    const series = seriesByVersion([point(2000, 2, 4, 1), point(1000, 1, 30, 0), point(3000, 1, 20, 0), point(2000, 1, 10, 0)]);
    expect(series.map((s) => s.version)).toEqual([1, 2]);
    expect(series[0]!.requestsPerSecond).toEqual([
      { x: 1000, y: 30 },
      { x: 2000, y: 10 },
      { x: 3000, y: 20 },
    ]);
    expect(series[1]!.errorRate).toEqual([{ x: 2000, y: 0.25 }]);
    const stored = seriesByVersion([point(0, 1, 50, 0), point(10_000, 1, 100, 0)]);
    expect(stored[0]!.requestsPerSecond.map((p) => p.y)).toEqual([5, 10]);
  });

  it('leaves out error rates and latencies of buckets that had no requests, rather than plotting zero', () => {
    const [s] = seriesByVersion([point(1000, 1, 0, 0, null), point(2000, 1, 5, 0)]);
    expect(s!.errorRate).toEqual([{ x: 2000, y: 0 }]);
    expect(s!.p95).toEqual([{ x: 2000, y: 10 }]);
    expect(s!.requestsPerSecond).toHaveLength(2);
  });

  it('clamps the bucket width between 1 s and 10 s', () => {
    expect(bucketWidthMs([5000])).toBe(1000);
    expect(bucketWidthMs([0, 60_000])).toBe(10_000);
    expect(bucketWidthMs([0, 1000, 1000, 3000])).toBe(1000);
  });

  it('splits the traffic bar by weight and leaves shadows (weight 0) out', () => {
    expect(trafficSegments([{ version: 1, weight: 90 }, { version: 2, weight: 10 }, { version: 3, weight: 0 }]).map((s) => [s.version, s.share])).toEqual([
      [1, 90],
      [2, 10],
    ]);
    expect(trafficSegments([{ version: 1, weight: 0 }])).toEqual([]);
  });
});

describe('the rollout panel', () => {
  it('offers only what the state allows', () => {
    expect(allowedRolloutActions('analysing')).toEqual(['promote', 'rollback', 'pause', 'abort']);
    expect(allowedRolloutActions('waiting-for-traffic')).toContain('promote');
    expect(allowedRolloutActions('paused')).toEqual(['promote', 'rollback', 'resume', 'abort']);
    expect(allowedRolloutActions('starting')).not.toContain('promote');
    expect(allowedRolloutActions('promoted')).toEqual([]);
    expect(allowedRolloutActions('rolled-back')).toEqual([]);
  });

  it('shows each check in its unit, ceilings as ≤ and floors as ≥', () => {
    expect(formatCheckValue('error-rate', 0.2)).toBe('20.0%');
    expect(formatCheckValue('error-rate', 0.01)).toBe('1.00%');
    expect(formatCheckValue('p95', 32.25)).toBe('32.3 ms');
    expect(formatCheckValue('p95-factor', 75.65)).toBe('75.7 ms');
    expect(formatCheckValue('min-requests', 50)).toBe('50');
    expect(formatCheckValue('min-time', 30_000)).toBe('30 s');
    expect(formatCheckValue('p95', null)).toBe('—');
    expect(limitComparator('error-rate')).toBe('≤');
    expect(limitComparator('min-requests')).toBe('≥');
    expect(formatRate(0)).toBe('0%');
    expect(sentence('waiting for traffic: 0 of 10 candidate requests')).toBe('waiting for traffic: 0 of 10 candidate requests.');
    expect(sentence('held.')).toBe('held.');
    expect(formatNumbers({ errorRate: 0.2, candidateP95Ms: 12, candidateRequests: 50, maxP95Ms: null, p95FactorLimitMs: 75.65, elapsedMs: 4500 })).toBe(
      'error rate 20.0% · candidate p95 12.0 ms · candidate requests 50 · p95 factor limit 75.7 ms · elapsed 4.50 s',
    );
  });
});

describe('the try-it box', () => {
  it("starts from the signature's columns, else a logged row, else a bare input", () => {
    const schema = [
      { name: 'sepal length (cm)', type: 'double' },
      { name: 'kind', type: 'string' },
      { name: 'n', type: 'long' },
    ];
    expect(JSON.parse(exampleBody(schema))).toEqual({ dataframe_split: { columns: ['sepal length (cm)', 'kind', 'n'], data: [[0, 'a', 0]] } });
    expect(JSON.parse(exampleBody(null, [{ a: 1 }, { a: 2 }]))).toEqual({ dataframe_records: [{ a: 1 }] });
    expect(JSON.parse(exampleBody({ 'tensor-spec': {} }))).toEqual({ inputs: [[0]] });
  });

  it('refuses a body that is not a JSON object before sending it', () => {
    expect(bodyError('{"inputs": [[1]]}')).toBeNull();
    expect(bodyError('')).toMatch(/Type a JSON body/);
    expect(bodyError('[1, 2]')).toMatch(/must be a JSON object/);
    expect(bodyError('{"inputs": ')).toMatch(/^Not JSON: /);
    expect(prettyBody('{"predictions":[1]}')).toBe('{\n  "predictions": [\n    1\n  ]\n}');
    expect(prettyBody('upstream timed out')).toBe('upstream timed out');
  });

  it('gives a curl command that a shell runs as is, with the token header when one is required', () => {
    const curl = curlExample({ url: 'http://127.0.0.1:5123/invocations', settings: { requireToken: false } }, '{\n "inputs": [["it\'s"]]\n}');
    expect(curl).toBe('curl -X POST http://127.0.0.1:5123/invocations \\\n  -H \'Content-Type: application/json\' \\\n  -d \'{"inputs":[["it\'\\\'\'s"]]}\'');
    expect(curlExample({ url: 'http://127.0.0.1:5123/invocations', settings: { requireToken: true } }, null)).toContain('Authorization: Bearer $ORRERY_DEPLOY_TOKEN');
  });
});
