import { describe, expect, it } from 'vitest';
import type { MetricsPoint } from '../../shared/contract/serving';
import type { Deployment } from '../../shared/contract/serving';
import { confirmationOf } from '../../renderer/src/pages/deployments/action-confirmations';
import {
  allowedRolloutActions,
  formatCheckValue,
  formatMs,
  formatNumbers,
  formatRate,
  isRolloutDecision,
  limitComparator,
  localTimesIn,
  plural,
  rolloutStateText,
  sentence,
  versionColor,
} from '../../renderer/src/pages/deployments/serving-format';
import { bucketWidthMs, plottedPoints, recentStats, seriesByVersion, timeTickStepMs, trafficSegments } from '../../renderer/src/pages/deployments/serving-metrics';
import { unservableReason, versionChoices } from '../../renderer/src/pages/deployments/servable-versions';
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

  it('breaks latency and error lines where 1 s buckets are missing, and reads requests/s there as 0', () => {
    const [s] = seriesByVersion([point(1000, 1, 5, 0), point(2000, 1, 5, 1), point(10_000, 1, 4, 0)]);
    expect(s!.requestsPerSecond).toEqual([
      { x: 1000, y: 5 },
      { x: 2000, y: 5 },
      { x: 3000, y: 0 },
      { x: 9000, y: 0 },
      { x: 10_000, y: 4 },
    ]);
    expect(s!.p95).toEqual([
      { x: 1000, y: 10 },
      { x: 2000, y: 10 },
      { x: 3000, y: null },
      { x: 10_000, y: 10 },
    ]);
    expect(s!.errorRate.map((p) => p.y)).toEqual([0, 0.2, null, 0]);
    expect(plottedPoints(s!.p95)).toBe(3);
  });

  it('gives the legend the last 10 complete seconds, not the bucket still filling', () => {
    const points = [point(0, 1, 999, 0), ...Array.from({ length: 10 }, (_, i) => point(10_000 + i * 1000, 1, 10, i === 0 ? 5 : 0)), point(20_000, 1, 1, 1)];
    const recent = recentStats(points, 1, 20_500);
    expect(recent.requestsPerSecond).toBe(10);
    expect(recent.errorRate).toBe(0.05);
    expect(recent.p95Ms).toBe(10);
    expect(recent.p50Ms).toBe(5);
    expect(recent.p99Ms).toBe(20);
    // A version without requests in those seconds reads 0 requests/s and no latency, not its old numbers.
    expect(recentStats(points, 1, 60_000)).toEqual({ requestsPerSecond: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null });
  });

  it('keeps a version in one colour whatever its role, and spaces time labels on round steps', () => {
    expect(versionColor(3)).toBe(versionColor(3));
    expect(new Set([1, 2, 3, 4].map(versionColor)).size).toBe(4);
    expect(timeTickStepMs(0, 60_000)).toBe(30_000);
    expect(timeTickStepMs(0, 300_000)).toBe(120_000);
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

  it('says what promote, roll back, abort and stop will do before doing it', () => {
    const d = deployment();
    expect(confirmationOf('rollback', d).text).toBe("Roll back: version 1 takes all traffic and version 2's 1 replica stops. The rollout ends as rolled back.");
    expect(confirmationOf('promote', d).text).toMatch(/^Promote: version 2 takes all traffic and becomes stable; version 1's 2 replicas stop\. @champion moves to version 2\./);
    expect(confirmationOf('abort', d).text).toMatch(/version 1 takes all traffic and version 2's 1 replica stops/);
    expect(confirmationOf('stop', d).text).toBe('Its 3 replicas stop and free their resources; http://127.0.0.1:5123/invocations answers 503 until you start it again. The running rollout is stopped too.');
  });

  it("words blue-green's keep-warm, notes with times and the rollout's own decisions", () => {
    expect(rolloutStateText({ state: 'switching', strategy: 'blue-green' })).toBe('switched, old version warm');
    expect(rolloutStateText({ state: 'analysing', strategy: 'canary' })).toBe('analysing');
    const at = new Date(2026, 10, 30, 9, 5, 7).getTime();
    expect(localTimesIn(`switched; version 3 stays warm until ${new Date(at).toISOString()}`)).toBe('switched; version 3 stays warm until 09:05:07');
    expect(localTimesIn('switched; version 3 stays warm until 09:05:07')).toBe('switched; version 3 stays warm until 09:05:07');
    expect(isRolloutDecision('rollback')).toBe(true);
    expect(isRolloutDecision('rollout-started')).toBe(true);
    expect(isRolloutDecision('scaled')).toBe(false);
    expect(isRolloutDecision('stopped')).toBe(false);
    expect(plural(1, 'replica')).toBe('1 replica');
    expect(plural(2, 'replica')).toBe('2 replicas');
    expect(formatMs(60_000)).toBe('60 s');
    expect(formatNumbers({ keepWarmMs: 60_000, shadowShare: 100, weight: 10, equalShare: 0.5 })).toBe('keep warm 60 s · shadow share 100% · weight 10% · equal share 50.0%');
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
    // A logged request's real values beat a row of zeros from the signature.
    expect(JSON.parse(exampleBody(schema, [{ 'sepal length (cm)': 5.1, kind: 'x', n: 2 }]))).toEqual({ dataframe_records: [{ 'sepal length (cm)': 5.1, kind: 'x', n: 2 }] });
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
    expect(curlExample({ url: 'http://127.0.0.1:5123/invocations', settings: { requireToken: true } }, null)).toContain('-H "Authorization: Bearer <token>"');
    expect(curlExample({ url: 'http://127.0.0.1:5123/invocations', settings: { requireToken: true } }, null, 's3cr3t')).toContain('-H "Authorization: Bearer s3cr3t"');
  });
});

describe('the version pickers', () => {
  it('mark versions the serving image cannot load', () => {
    expect(unservableReason({ flavor: 'sklearn' })).toBe('no MLmodel: cannot be served');
    expect(unservableReason({ flavor: 'mlflow', flavors: ['python_function', 'sklearn'] })).toBeNull();
    expect(unservableReason({ flavor: 'mlflow', flavors: ['onnx'] })).toBe('flavors onnx: cannot be served');
    const choices = versionChoices({ versions: [{ version: 1, flavor: 'mlflow' }, { version: 2, flavor: 'onnx' }, { version: 3, flavor: 'mlflow' }], aliases: { champion: 2 } }, new Set([3]));
    expect(choices.versions).toEqual([
      { value: '2', unservable: 'no MLmodel: cannot be served' },
      { value: '1', unservable: null },
    ]);
    expect(choices.aliases).toEqual([{ value: '@champion', unservable: 'no MLmodel: cannot be served' }]);
  });
});

function deployment(): Deployment {
  const replica = (id: string, version: number) => ({ replicaId: id, version, state: 'ready' as const, url: '', containerId: null, restarts: 0, reason: null, gpuIndices: [] });
  const settings = { steps: [10, 100], minRequests: 50, intervalMs: 0, maxErrorRate: 0.01, maxP95Ms: null, maxP95Factor: 1.5, failureLimit: 2, shadowShare: 100, shadowMinAgreement: null, keepWarmMs: 60_000 };
  return {
    name: 'scorer',
    modelName: 'iris',
    url: 'http://127.0.0.1:5123/invocations',
    port: 5123,
    status: 'running',
    reason: null,
    settings: { replicas: 2, cpus: 0.5, memoryGb: 0.5, gpus: 0, image: 'orrery/serve:local', timeoutSeconds: 60, maxBodyMb: 100, requireApproval: false, requireToken: false, logRequests: true, promoteAlias: 'champion' },
    versions: [
      { version: 1, requestedAs: '1', role: 'stable', weight: 90, approved: true, image: 'orrery/serve:local', replicas: [replica('a', 1), replica('b', 1)] },
      { version: 2, requestedAs: '2', role: 'candidate', weight: 10, approved: true, image: 'orrery/serve:local', replicas: [replica('c', 2)] },
    ],
    rollout: { rolloutId: 1, strategy: 'canary', fromVersion: 1, toVersion: 2, state: 'analysing', step: 0, candidateWeight: 10, settings, startedAt: 0, stepStartedAt: 0, endedAt: null, analysis: null, note: null, lastDecision: null },
    unapproved: false,
    createdAt: 0,
    createdBy: 'ana',
  };
}
