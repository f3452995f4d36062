import { describe, expect, it } from 'vitest';
import { parseCli } from '../../electron/cli/models-command';
import { decisionNumber, decisionText, deployErrorHint, deployNote, describeDeployResult, listText, logLineText, statusText } from '../../electron/cli/deploy-output';
import type { Deployment, DeploymentSummary, RolloutView } from '../../shared/contract/serving';

const AT = Date.parse('2026-11-30T08:00:00Z');

function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    name: 'web',
    modelName: 'iris',
    url: 'http://127.0.0.1:8601/invocations',
    port: 8601,
    status: 'running',
    reason: null,
    settings: {
      replicas: 1,
      cpus: 0.5,
      memoryGb: 0.5,
      gpus: 0,
      image: 'orrery/serve:local',
      timeoutSeconds: 60,
      maxBodyMb: 100,
      requireApproval: false,
      requireToken: false,
      logRequests: true,
      promoteAlias: null,
    },
    versions: [
      {
        version: 3,
        requestedAs: '@champion',
        role: 'stable',
        weight: 100,
        approved: true,
        image: 'orrery/serve:local',
        replicas: [{ replicaId: 'web-v3-a1', version: 3, state: 'ready', url: 'http://127.0.0.1:41001', containerId: 'c1', restarts: 0, reason: null, gpuIndices: [] }],
      },
    ],
    rollout: null,
    unapproved: false,
    createdAt: AT,
    createdBy: 'ci-bot',
    ...over,
  };
}

function canary(over: Partial<RolloutView> = {}): RolloutView {
  return {
    rolloutId: 7,
    strategy: 'canary',
    fromVersion: 3,
    toVersion: 4,
    state: 'analysing',
    step: 1,
    candidateWeight: 25,
    settings: {
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
    },
    startedAt: AT,
    stepStartedAt: AT + 40_000,
    endedAt: null,
    note: 'waiting for traffic: 32 of 50 candidate requests',
    analysis: {
      at: AT + 61_000,
      candidate: { requests: 32, errors: 1, errorRate: 0.03125, p50Ms: 4.2, p95Ms: 9.81, p99Ms: 12 },
      stable: { requests: 290, errors: 0, errorRate: 0, p50Ms: 3.9, p95Ms: 6, p99Ms: 8 },
      checks: [
        { name: 'min-requests', limit: 50, actual: 32, passed: false },
        { name: 'min-time', limit: 30_000, actual: 21_000, passed: false },
        { name: 'error-rate', limit: 0.01, actual: 0.03125, passed: false },
        { name: 'p95', limit: null, actual: 9.81, passed: true },
        { name: 'p95-factor', limit: 9, actual: 9.81, passed: false },
      ],
      consecutiveFailures: 1,
    },
    lastDecision: { id: 12, deployment: 'web', at: AT + 40_000, kind: 'advance', message: 'step 1 passed every check', numbers: { errorRate: 0, p95Ms: 5.5, requests: 51 }, actor: 'orrery' },
    ...over,
  };
}

function withCanary(): Deployment {
  const base = deployment();
  return deployment({
    versions: [
      { ...base.versions[0]!, weight: 75 },
      {
        version: 4,
        requestedAs: '4',
        role: 'candidate',
        weight: 25,
        approved: false,
        image: 'orrery/serve:local',
        replicas: [
          { replicaId: 'web-v4-b2', version: 4, state: 'restarting', url: 'http://127.0.0.1:41002', containerId: 'c2', restarts: 2, reason: 'exited 1\nImportError: xgboost', gpuIndices: [] },
        ],
      },
    ],
    rollout: canary(),
    unapproved: true,
  });
}

const command = (...argv: string[]) => {
  const parsed = parseCli(argv, { actor: 'ci-bot', cwd: '/' });
  if (parsed.kind !== 'deploy') throw new Error('not a deploy command');
  return parsed;
};

describe('orrery deploy status, as a person reads it', () => {
  it('a plain deployment: the URL first, then its version and the replica with its own URL', () => {
    expect(statusText(deployment())).toBe(
      [
        'http://127.0.0.1:8601/invocations',
        'web: iris, running',
        '  1 replica of 0.5 CPU, 0.5 GB each; image orrery/serve:local; timeout 60 s',
        '',
        'Versions:',
        '  v3  stable  100%  approved  orrery/serve:local (asked as @champion)',
        '    web-v3-a1  ready  http://127.0.0.1:41001',
      ].join('\n'),
    );
  });

  it('mid-canary: weights, the unapproved candidate, a failing replica, the step, each limit against what was seen, the last decision', () => {
    const text = statusText(withCanary());
    expect(text.split('\n')[0]).toBe('http://127.0.0.1:8601/invocations');
    expect(text).toContain('  unapproved: a version that serves is not approved in the registry');
    expect(text).toContain('  v3  stable  75%  approved');
    expect(text).toContain('  v4  candidate  25%  unapproved  orrery/serve:local\n');
    expect(text).toContain('    web-v4-b2  restarting, 2 restarts  http://127.0.0.1:41002  exited 1 | ImportError: xgboost');
    expect(text).toContain('Rollout: canary, version 3 → 4, analysing, step 2 of 4 (25% to the candidate), since 2026-11-30T08:00:00Z\n  waiting for traffic: 32 of 50 candidate requests\n');
    expect(text).toContain(
      '  Analysis at 2026-11-30T08:01:01Z: candidate 32 requests, 1 error, p50 4.2 ms, p95 9.8 ms, p99 12 ms; stable 290 requests, 0 errors, p50 3.9 ms, p95 6 ms, p99 8 ms',
    );
    const checks = text.split('\n').filter((line) => line.startsWith('    ') && !line.startsWith('    web-'));
    expect(checks).toEqual([
      '    requests       saw 32      limit at least 50    waiting',
      '    time in step   saw 21 s    limit at least 30 s  waiting',
      '    error rate     saw 3.13%   limit at most 1%     FAILED',
      '    p95            saw 9.8 ms  limit none           ok',
      '    p95 vs stable  saw 9.8 ms  limit at most 9 ms   FAILED',
    ]);
    expect(text).toContain('  Failed checks in a row: 1 of 2');
    expect(text.endsWith('  Last decision: advance at 2026-11-30T08:00:40Z by orrery: step 1 passed every check (error rate 0%, p95 5.5 ms, requests 51)')).toBe(true);
  });

  it('a stopped deployment says why; settings that differ from the defaults are shown; no decision yet', () => {
    const base = deployment();
    const text = statusText(
      deployment({
        status: 'stopped',
        reason: 'stopped by ada',
        settings: { ...base.settings, replicas: 2, gpus: 1, requireToken: true, requireApproval: true, logRequests: false, promoteAlias: 'champion' },
        versions: [{ ...base.versions[0]!, requestedAs: '3', replicas: [] }],
        rollout: canary({ strategy: 'rolling', state: 'rolled-back', step: 1, analysis: null, note: null, lastDecision: null, endedAt: AT + 5000 }),
      }),
    );
    expect(text).toContain('web: iris, stopped (stopped by ada)');
    expect(text).toContain('  2 replicas of 0.5 CPU, 0.5 GB, 1 GPU each; image orrery/serve:local; timeout 60 s; token required (orrery deploy token web); approval required; request log off; promotes alias @champion');
    expect(text).toContain('  v3  stable  100%  approved  orrery/serve:local\n    no replicas');
    expect(text).toContain('Rollout: rolling, version 3 → 4, rolled back, 1 replica replaced, since 2026-11-30T08:00:00Z, ended 2026-11-30T08:00:05Z\n  Last decision: none yet');
    expect(text).toContain('  Last decision: none yet');
  });

  it('shadow shows the share copied and the agreement it recorded', () => {
    const r = canary({ strategy: 'shadow', candidateWeight: 0 });
    r.settings.shadowShare = 50;
    r.analysis = { ...r.analysis!, checks: [{ name: 'agreement', limit: 0.99, actual: 0.995, passed: true }], agreement: { compared: 200, equalShare: 0.995, meanAbsDiff: null } };
    const text = statusText(deployment({ rollout: r }));
    expect(text).toContain('analysing, 50% of requests copied to the candidate');
    expect(text).toContain('    agreement  saw 99.5%  limit at least 99%  ok');
    expect(text).toContain('    shadow answers compared: 200, equal 99.5%, mean absolute difference –');
    r.analysis.agreement = { compared: 200, equalShare: 0.9, meanAbsDiff: 0.000123456789 };
    expect(statusText(deployment({ rollout: r }))).toContain('    shadow answers compared: 200, equal 90%, mean absolute difference 0.0001235');
  });
});

describe('the numbers of a decision, as a person reads them', () => {
  const event = (kind: string, message: string, numbers: Record<string, number | null>) => ({ id: 1, deployment: 'web', at: AT, kind, message, numbers, actor: 'orrery' });

  it('a canary check: latencies in ms to 1 decimal, rates as percents, counts whole, time in s, the step as recorded', () => {
    const numbers = {
      step: 2,
      weight: 25,
      candidateRequests: 60,
      candidateErrors: 3,
      errorRate: 0.05,
      maxErrorRate: 0.01,
      candidateP95Ms: 31.456789,
      stableP95Ms: 16.5115,
      maxP95Ms: null,
      p95FactorLimitMs: 24.767250000000004,
      consecutiveFailures: 2,
      failureLimit: 2,
      elapsedMs: 41_234,
    };
    expect(decisionText(event('rollback', 'rolled back: error rate 5% above 1%', numbers))).toBe(
      'rollback at 2026-11-30T08:00:00Z by orrery: rolled back: error rate 5% above 1% (step 2, weight 25%, candidate requests 60, candidate errors 3, error rate 5%, ' +
        'max error rate 1%, candidate p95 31.5 ms, stable p95 16.5 ms, max p95 –, p95 factor limit 24.8 ms, consecutive failures 2, failure limit 2, elapsed 41.2 s)',
    );
  });

  it('shadow, blue-green and rolling numbers; a decision without numbers has no parentheses', () => {
    expect(decisionNumber('equalShare', 0.98765)).toBe('equal share 98.77%');
    expect(decisionNumber('minAgreement', 0.99)).toBe('min agreement 99%');
    expect(decisionNumber('meanAbsDiff', 0.0123456)).toBe('mean abs diff 0.01235');
    expect(decisionNumber('p95DifferenceMs', -3.04999)).toBe('p95 difference -3 ms');
    expect(decisionNumber('shadowShare', 50)).toBe('shadow share 50%');
    expect(decisionNumber('shadowErrors', 0)).toBe('shadow errors 0');
    expect(decisionNumber('compared', 200)).toBe('compared 200');
    expect(decisionNumber('keepWarmMs', 60_000)).toBe('keep warm 60 s');
    expect(decisionNumber('replaced', 2)).toBe('replaced 2');
    // A key this version does not know still reads by its suffix, or to 4 significant digits.
    expect(decisionNumber('warmupMs', 12.345)).toBe('warmup 12.3 ms');
    expect(decisionNumber('timeoutRate', 0.125)).toBe('timeout rate 12.5%');
    expect(decisionNumber('score', 1.23456789)).toBe('score 1.235');
    expect(decisionNumber('bytes', 123_456.7)).toBe('bytes 123457');
    expect(decisionText(event('abort', 'aborted by ada', {}))).toBe('abort at 2026-11-30T08:00:00Z by orrery: aborted by ada');
  });
});

describe('orrery deploy list and logs', () => {
  it('a table with traffic shares and live numbers; an empty store says so', () => {
    const rows: DeploymentSummary[] = [
      {
        name: 'web',
        modelName: 'iris',
        url: 'http://127.0.0.1:8601/invocations',
        status: 'running',
        versions: [
          { version: 3, role: 'stable', weight: 90, approved: true },
          { version: 4, role: 'candidate', weight: 10, approved: false },
        ],
        rolloutState: 'waiting-for-traffic',
        requestsPerSecond: 12.345,
        p95Ms: 8.25,
        errorRate: 0.002,
      },
      { name: 'digits-api', modelName: 'digits', url: 'http://127.0.0.1:8602/invocations', status: 'stopped', versions: [], rolloutState: null, requestsPerSecond: 0, p95Ms: null, errorRate: null },
    ];
    expect(listText(rows).split('\n')).toEqual([
      'NAME        MODEL   STATUS   TRAFFIC                      ROLLOUT              REQ/S  P95     ERRORS  URL',
      'web         iris    running  v3 90%, v4 10% (unapproved)  waiting-for-traffic  12.3   8.3 ms  0.2%    http://127.0.0.1:8601/invocations',
      'digits-api  digits  stopped  –                            –                    0.0    –       –       http://127.0.0.1:8602/invocations',
    ]);
    expect(listText([])).toBe('No deployments.');
  });

  it('log lines name the version and replica, and stderr', () => {
    expect(logLineText({ deployment: 'web', replicaId: 'web-v3-a1', version: 3, stream: 'stdout', line: 'Listening on 0.0.0.0:41001', at: AT })).toBe('v3 web-v3-a1 | Listening on 0.0.0.0:41001');
    expect(logLineText({ deployment: 'web', replicaId: 'web-v3-a1', version: 3, stream: 'stderr', line: 'Traceback', at: AT })).toBe('v3 web-v3-a1 (stderr) | Traceback');
    const logs = describeDeployResult(command('deploy', 'logs', 'web'), [
      { replicaId: 'a', version: 3, stream: 'stdout', line: 'one', at: AT },
      { replicaId: 'a', version: 3, stream: 'stdout', line: 'two', at: AT },
    ]);
    expect(logs).toBe('v3 a | one\nv3 a | two');
  });
});

describe('the line after each changing command', () => {
  it('create, with the URL and an unapproved version marked', () => {
    expect(describeDeployResult(command('deploy', 'create', 'web', '--model', 'iris', '--version', '@champion'), deployment({ status: 'starting' }))).toBe(
      'Deployed iris version 3 as web at http://127.0.0.1:8601/invocations (1 replica, starting)',
    );
    const base = deployment();
    const unapproved = deployment({ versions: [{ ...base.versions[0]!, approved: false }], unapproved: true });
    expect(describeDeployResult(command('deploy', 'create', 'web', '--model', 'iris', '--version', '3'), unapproved)).toMatch(/; version 3 is not approved$/);
  });

  it('rollout, promote, rollback, abort, pause, resume', () => {
    const mid = withCanary();
    expect(describeDeployResult(command('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary'), mid)).toBe(
      'Started a canary rollout on web: version 3 → 4, analysing, step 2 of 4 (25% to the candidate); version 4 is not approved',
    );
    expect(describeDeployResult(command('deploy', 'pause', 'web'), deployment({ rollout: canary({ state: 'paused' }) }))).toBe(
      'Paused the rollout on web: canary, paused, step 2 of 4 (25% to the candidate)',
    );
    expect(describeDeployResult(command('deploy', 'resume', 'web'), mid)).toBe('Resumed the rollout on web: canary, analysing, step 2 of 4 (25% to the candidate)');
    const base = deployment();
    const promoted = deployment({ versions: [{ ...base.versions[0]!, version: 4, weight: 100 }], rollout: canary({ state: 'promoted' }) });
    expect(describeDeployResult(command('deploy', 'promote', 'web'), promoted)).toBe('Promoted on web: version 4 takes all traffic');
    expect(describeDeployResult(command('deploy', 'rollback', 'web'), deployment({ rollout: canary({ state: 'rolled-back' }) }))).toBe('Rolled back web: version 3 takes all traffic');
    expect(describeDeployResult(command('deploy', 'abort', 'web'), deployment({ rollout: canary({ state: 'aborted' }) }))).toBe('Aborted the rollout on web: version 3 takes all traffic');
  });

  it('token: the token alone on stdout; none is a note for stderr, and --json keeps the result', () => {
    expect(describeDeployResult(command('deploy', 'token', 'web'), { token: 's3cr3t-token' })).toBe('s3cr3t-token');
    expect(deployNote(command('deploy', 'token', 'web'), { token: 's3cr3t-token' })).toBeNull();
    expect(describeDeployResult(command('deploy', 'token', 'web'), { token: null })).toBe('');
    expect(deployNote(command('deploy', 'token', 'web'), { token: null })).toBe('this deployment does not require a token');
    expect(deployNote(command('deploy', 'token', 'web', '--json'), { token: null })).toBeNull();
    expect(deployNote(command('deploy', 'status', 'web'), deployment())).toBeNull();
  });

  it('a version without an MLmodel at its top gets a hint to register the MLflow model folder, on create and rollout only', () => {
    const error = 'Invalid input: version: the model folder has no MLmodel file (/d/models/iris/3/MLmodel): Orrery serves MLflow-format model folders';
    const hint = "hint: register the run's MLflow model folder, e.g. orrery models register --run RUN --path model --name …";
    expect(deployErrorHint('create', error)).toBe(hint);
    expect(deployErrorHint('rollout', error)).toBe(hint);
    expect(deployErrorHint('status', error)).toBeNull();
    expect(deployErrorHint('create', "Deployment 'web' already exists")).toBeNull();
  });

  it('scale, stop, start, delete', () => {
    const base = deployment();
    expect(describeDeployResult(command('deploy', 'scale', 'web', '--replicas', '3'), deployment({ settings: { ...base.settings, replicas: 3 } }))).toBe('Scaled web to 3 replicas (running)');
    expect(describeDeployResult(command('deploy', 'stop', 'web'), deployment({ status: 'stopped' }))).toBe('Stopped web: http://127.0.0.1:8601/invocations answers 503 until it is started');
    expect(describeDeployResult(command('deploy', 'start', 'web'), deployment({ status: 'starting' }))).toBe('Started web at http://127.0.0.1:8601/invocations (starting)');
    expect(describeDeployResult(command('deploy', 'delete', 'web'), { deleted: true })).toBe('Deleted web');
  });
});
