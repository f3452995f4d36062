import { describe, expect, it } from 'vitest';
import { ROLLOUT_DEFAULTS } from '../../electron/cli/deploy-command';
import { CLI_USAGE, parseCli } from '../../electron/cli/models-command';
import { usageErrorOf } from './usage-error-of';

const defaults = { actor: 'ci-bot', cwd: '/work/here' };
const parse = (...argv: string[]) => parseCli(argv, defaults);

const usageError = (argv: string[], actor = 'ci-bot') => usageErrorOf(argv, { actor, cwd: '/' });
const message = (...argv: string[]) => usageError(argv).message;

describe('orrery deploy: arguments to serving calls', () => {
  it('create with only what it needs leaves the rest to Orrery', () => {
    expect(parse('deploy', 'create', 'web', '--model', 'iris', '--version', '3')).toEqual({
      kind: 'deploy',
      subcommand: 'create',
      json: false,
      follow: false,
      call: { method: 'serving.createDeployment', input: { name: 'web', model: 'iris', version: 3, actor: 'ci-bot' } },
    });
  });

  it('create with every option, an alias for the version, global options anywhere', () => {
    const argv = [
      '--data-dir', '/d', 'deploy', 'create', 'web', '--model=iris', '--version', '@champion', '--replicas', '3', '--port', '8601', '--cpus', '1.5',
      '--memory-gb', '2', '--gpus', '1', '--image', 'orrery/serve-xgb:local', '--timeout', '2m', '--max-body-mb', '20', '--promote-alias', 'champion',
      '--require-approval', '--require-token', '--no-request-log', '--actor', 'ada', '--json',
    ];
    expect(parse(...argv)).toEqual({
      kind: 'deploy',
      subcommand: 'create',
      json: true,
      follow: false,
      dataDir: '/d',
      call: {
        method: 'serving.createDeployment',
        input: {
          name: 'web', model: 'iris', version: '@champion', replicas: 3, port: 8601, cpus: 1.5, memoryGb: 2, gpus: 1, image: 'orrery/serve-xgb:local',
          timeoutSeconds: 120, maxBodyMb: 20, promoteAlias: 'champion', requireApproval: true, requireToken: true, logRequests: false, actor: 'ada',
        },
      },
    });
  });

  it('rollout sends the defaults the issue lists, whole, when no option is given, and the help shows them', () => {
    const issueDefaults = { steps: [10, 25, 50, 100], minRequests: 50, intervalMs: 30_000, maxErrorRate: 0.01, maxP95Ms: null, maxP95Factor: 1.5, failureLimit: 2, shadowShare: 100 };
    expect(ROLLOUT_DEFAULTS).toMatchObject(issueDefaults);
    expect(CLI_USAGE).toContain('[--steps 10,25,50,100]\n        [--min-requests 50] [--interval 30s] [--max-error-rate 0.01] [--max-p95-ms MS]\n');
    expect(CLI_USAGE).toContain('[--max-p95-factor 1.5] [--failure-limit 2] [--shadow-share 100] [--min-agreement X]\n        [--keep-warm 60s]');
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary')).toEqual({
      kind: 'deploy',
      subcommand: 'rollout',
      json: false,
      follow: false,
      call: {
        method: 'serving.startRollout',
        input: {
          name: 'web', version: 4, strategy: 'canary', actor: 'ci-bot',
          settings: { ...issueDefaults, shadowMinAgreement: null, keepWarmMs: 60_000 },
        },
      },
    });
  });

  it('rollout options, in each unit they take', () => {
    const canary = parse(
      'deploy', 'rollout', 'web', '--version', '@challenger', '--strategy', 'canary', '--steps', '5,20,100', '--min-requests', '20', '--interval', '1500ms',
      '--max-error-rate', '2%', '--max-p95-ms', '250', '--max-p95-factor', '2', '--failure-limit', '3',
    );
    expect(canary).toMatchObject({
      call: {
        input: {
          version: '@challenger',
          settings: { steps: [5, 20, 100], minRequests: 20, intervalMs: 1500, maxErrorRate: 0.02, maxP95Ms: 250, maxP95Factor: 2, failureLimit: 3, shadowShare: 100 },
        },
      },
    });
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--interval', '2m', '--max-error-rate', '0.005')).toMatchObject({
      call: { input: { settings: { intervalMs: 120_000, maxErrorRate: 0.005 } } },
    });
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--interval', '45s')).toMatchObject({ call: { input: { settings: { intervalMs: 45_000 } } } });
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'shadow', '--shadow-share', '25%', '--min-agreement', '0.99')).toMatchObject({
      call: { input: { strategy: 'shadow', settings: { shadowShare: 25, shadowMinAgreement: 0.99 } } },
    });
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'blue-green', '--keep-warm', '5m')).toMatchObject({
      call: { input: { strategy: 'blue-green', settings: { keepWarmMs: 300_000 } } },
    });
    expect(parse('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'rolling')).toMatchObject({ call: { input: { strategy: 'rolling', settings: ROLLOUT_DEFAULTS } } });
  });

  it('every other subcommand maps to its serving method', () => {
    const byName: Array<[string, string]> = [
      ['promote', 'serving.promoteRollout'],
      ['rollback', 'serving.rollbackRollout'],
      ['pause', 'serving.pauseRollout'],
      ['resume', 'serving.resumeRollout'],
      ['abort', 'serving.abortRollout'],
      ['stop', 'serving.stopDeployment'],
      ['start', 'serving.startDeployment'],
      ['delete', 'serving.deleteDeployment'],
    ];
    for (const [sub, method] of byName) {
      expect(parse('deploy', sub, 'web')).toEqual({ kind: 'deploy', subcommand: sub, json: false, follow: false, call: { method, input: { name: 'web', actor: 'ci-bot' } } });
    }
    expect(parse('deploy', 'status', 'web', '--json')).toEqual({ kind: 'deploy', subcommand: 'status', json: true, follow: false, call: { method: 'serving.getDeployment', input: { name: 'web' } } });
    expect(parse('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--promote-alias', '@champion')).toMatchObject({ call: { input: { promoteAlias: 'champion' } } });
    expect(parse('deploy', 'list')).toMatchObject({ call: { method: 'serving.listDeployments', input: {} } });
    expect(parse('deploy', 'scale', 'web', '--replicas', '4', '--actor', 'ops')).toMatchObject({ call: { method: 'serving.scaleDeployment', input: { name: 'web', replicas: 4, actor: 'ops' } } });
    expect(parse('deploy', 'logs', 'web')).toMatchObject({ follow: false, call: { method: 'serving.readLogs', input: { name: 'web' } } });
    expect(parse('deploy', 'logs', 'web', '--follow', '--tail', '20')).toMatchObject({ follow: true, call: { method: 'serving.readLogs', input: { name: 'web', tail: 20 } } });
    expect(parse('deploy', 'token', 'web')).toEqual({ kind: 'deploy', subcommand: 'token', json: false, follow: false, call: { method: 'serving.getDeploymentToken', input: { name: 'web' } } });
    expect(parse('deploy', 'token', 'web', '--json')).toMatchObject({ json: true, call: { method: 'serving.getDeploymentToken' } });
  });

  it('with no user name known, the actor is left to Orrery', () => {
    expect(parseCli(['deploy', 'promote', 'web'], { actor: '', cwd: '/' })).toMatchObject({ call: { input: { name: 'web' } } });
    const promote = parseCli(['deploy', 'promote', 'web'], { actor: '  ', cwd: '/' });
    expect(promote.kind === 'deploy' && 'actor' in promote.call.input).toBe(false);
  });

  it('help: the whole usage lists deploy; a subcommand shows its own line', () => {
    expect(parse('deploy', '--help')).toEqual({ kind: 'help', text: CLI_USAGE });
    expect(CLI_USAGE).toContain('orrery deploy rollout NAME --version V|@ALIAS --strategy canary|blue-green|rolling|shadow [--steps 10,25,50,100]');
    expect(CLI_USAGE).toContain('orrery deploy logs NAME [--tail 200] [--follow]');
    expect(CLI_USAGE).toContain('  orrery deploy token NAME                           the bearer token callers send (--require-token)\n');
    const token = parse('deploy', 'token', '--help');
    expect(token.kind === 'help' && token.text).toMatch(/^Usage:\n {2}orrery deploy token NAME {2,}the bearer token/);
    const pause = parse('deploy', 'pause', '-h');
    expect(pause.kind === 'help' && pause.text).toMatch(/^Usage:\n {2}orrery deploy promote\|rollback\|pause\|resume\|abort NAME\n/);
  });
});

describe('orrery deploy: usage errors name the option and the problem', () => {
  it('bad values', () => {
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--steps', '10,5')).toBe("--steps: must be ascending, got '10,5'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--steps', '10,50')).toBe("--steps: must end at 100, got '10,50'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--steps', '0,100')).toBe("--steps: each step must be 1–100, got '0,100'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--steps', '10,,100')).toBe(
      "--steps: must be percents separated by commas, like 10,25,50,100, got '10,,100'.",
    );
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--interval', '30')).toBe(
      "--interval: must be a duration with its unit, like 500ms, 30s or 2m, got '30'.",
    );
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--interval', '0.5ms')).toBe("--interval: must be a whole number of milliseconds, got '0.5ms'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--interval', '25h')).toBe("--interval: must be at most 24h, got '25h'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--max-error-rate', '150')).toBe("--max-error-rate: must be 0–1 (or a percent like 1%), got '150'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--max-error-rate', '101%')).toBe("--max-error-rate: must be 0–1 (or a percent like 1%), got '101%'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--max-error-rate', '-0.1')).toBe("--max-error-rate: must be 0–1 (or a percent like 1%), got '-0.1'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--max-p95-ms', '0')).toBe("--max-p95-ms: must be a number more than 0 and at most 3600000, got '0'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--max-p95-factor', '0.9')).toBe("--max-p95-factor: must be a number 1–1000, got '0.9'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--failure-limit', '1.5')).toBe("--failure-limit: must be a whole number 1–1000, got '1.5'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--min-requests', '0')).toBe("--min-requests: must be a whole number 1–1000000, got '0'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'shadow', '--shadow-share', '150')).toBe("--shadow-share: must be a percent 1–100, got '150'.");
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary-ish')).toBe("--strategy: must be one of canary, blue-green, rolling, shadow, got 'canary-ish'.");
    expect(message('deploy', 'rollout', 'web', '--version', 'latest', '--strategy', 'canary')).toBe("--version: must be a version number (1, 2, …) or @alias, got 'latest'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '0')).toBe("--version: must be a version number (1, 2, …) or @alias, got '0'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '@bad alias')).toBe("--version: must be a version number (1, 2, …) or @alias, got '@bad alias'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--replicas', '17')).toBe("--replicas: must be a whole number 1–16, got '17'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--port', '80')).toBe("--port: must be a whole number 1024–65535, got '80'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--cpus', 'two')).toBe("--cpus: must be a number more than 0 and at most 1024, got 'two'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--memory-gb', '0')).toBe("--memory-gb: must be a number more than 0 and at most 4096, got '0'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--gpus', '-1')).toBe("--gpus: must be a whole number 0–64, got '-1'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--timeout', '0s')).toBe("--timeout: must be more than 0, got '0s'.");
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--timeout', '2h')).toBe("--timeout: must be at most 1h, got '2h'.");
    expect(message('deploy', 'scale', 'web', '--replicas', '0')).toBe("--replicas: must be a whole number 1–16, got '0'.");
    expect(message('deploy', 'logs', 'web', '--tail', 'all')).toBe("--tail: must be a whole number 1–10000, got 'all'.");
  });

  it('a bare rate of 1 or more is refused, not read as 100% or more; fractions and percents still work', () => {
    const rollout = (strategy: string, ...options: string[]) => ['deploy', 'rollout', 'web', '--version', '4', '--strategy', strategy, ...options];
    expect(message(...rollout('canary', '--max-error-rate', '1'))).toBe('--max-error-rate: 1 would mean 100%; write a fraction (0.01) or a percent (1%).');
    expect(message(...rollout('canary', '--max-error-rate', '5'))).toBe('--max-error-rate: 5 would mean 500%; write a fraction (0.05) or a percent (5%).');
    expect(message(...rollout('canary', '--max-error-rate', '2.5'))).toBe('--max-error-rate: 2.5 would mean 250%; write a fraction (0.025) or a percent (2.5%).');
    expect(message(...rollout('shadow', '--min-agreement', '1'))).toBe('--min-agreement: 1 would mean 100%; write a fraction (0.01) or a percent (1%).');
    expect(message(...rollout('shadow', '--min-agreement', '99'))).toBe('--min-agreement: 99 would mean 9900%; write a fraction (0.99) or a percent (99%).');
    expect(parse(...rollout('canary', '--max-error-rate', '0.01'))).toMatchObject({ call: { input: { settings: { maxErrorRate: 0.01 } } } });
    expect(parse(...rollout('canary', '--max-error-rate', '1%'))).toMatchObject({ call: { input: { settings: { maxErrorRate: 0.01 } } } });
    expect(parse(...rollout('canary', '--max-error-rate', '0'))).toMatchObject({ call: { input: { settings: { maxErrorRate: 0 } } } });
    expect(parse(...rollout('shadow', '--min-agreement', '100%'))).toMatchObject({ call: { input: { settings: { shadowMinAgreement: 1 } } } });
    expect(parse(...rollout('shadow', '--min-agreement', '.995'))).toMatchObject({ call: { input: { settings: { shadowMinAgreement: 0.995 } } } });
    // --shadow-share and --steps are percents: a bare number is one, and a share below 1 is refused.
    expect(parse(...rollout('shadow', '--shadow-share', '1'))).toMatchObject({ call: { input: { settings: { shadowShare: 1 } } } });
    expect(message(...rollout('shadow', '--shadow-share', '0.5'))).toBe("--shadow-share: must be a percent 1–100, got '0.5'.");
    expect(message(...rollout('canary', '--steps', '0.1,0.5,1'))).toBe("--steps: each step must be 1–100, got '0.1,0.5,1'.");
  });

  it('NAME, --model and --promote-alias are checked here, so a bad one is a usage error naming the argument', () => {
    const rule = "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit";
    expect(message('deploy', 'create', 'Web', '--model', 'iris', '--version', '1')).toBe(`NAME: ${rule}, got 'Web'.`);
    expect(message('deploy', 'status', 'my_api')).toBe(`NAME: ${rule}, got 'my_api'.`);
    expect(message('deploy', 'token', '-web')).toBe("Unknown option '-web'.");
    expect(message('deploy', 'promote', `a${'b'.repeat(63)}`)).toBe(`NAME: ${rule}, got 'a${'b'.repeat(63)}'.`);
    expect(message('deploy', 'rollout', 'web.v2', '--version', '4', '--strategy', 'canary')).toBe(`NAME: ${rule}, got 'web.v2'.`);
    expect(usageError(['deploy', 'scale', 'Web', '--replicas', '2']).usage).toMatch(/^Usage:\n {2}orrery deploy scale NAME --replicas R\n/);
    expect(parse('deploy', 'status', `9${'a'.repeat(62)}`)).toMatchObject({ call: { input: { name: `9${'a'.repeat(62)}` } } });
    expect(parse('deploy', 'status', 'web-2')).toMatchObject({ call: { input: { name: 'web-2' } } });
    expect(message('deploy', 'create', 'web', '--model', 'iris model', '--version', '1')).toBe(
      "--model: must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128), got 'iris model'.",
    );
    expect(message('deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--promote-alias', '@best one')).toBe(
      "--promote-alias: must contain only letters, digits, '_' or '-', got '@best one'.",
    );
  });

  it('missing and misplaced arguments', () => {
    expect(message('deploy', 'create', 'web', '--version', '1')).toBe('deploy create needs --model M.');
    expect(message('deploy', 'create', 'web', '--model', 'iris')).toBe('deploy create needs --version V|@ALIAS.');
    expect(message('deploy', 'create', '--model', 'iris', '--version', '1')).toBe('deploy create needs NAME.');
    expect(message('deploy', 'rollout', 'web', '--version', '4')).toBe('deploy rollout needs --strategy canary|blue-green|rolling|shadow.');
    expect(message('deploy', 'rollout', 'web', '--strategy', 'canary')).toBe('deploy rollout needs --version V|@ALIAS.');
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'blue-green', '--steps', '50,100')).toBe('--steps goes with --strategy canary.');
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--shadow-share', '10')).toBe('--shadow-share goes with --strategy shadow.');
    expect(message('deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--keep-warm', '1m')).toBe('--keep-warm goes with --strategy blue-green.');
    expect(message('deploy', 'scale', 'web')).toBe('deploy scale needs --replicas R.');
    expect(message('deploy', 'status')).toBe('deploy status needs NAME.');
    expect(message('deploy', 'status', 'web', 'api')).toBe("Unexpected argument 'api'.");
    expect(message('deploy', 'list', 'web')).toBe("Unexpected argument 'web'.");
    expect(message('deploy', 'status', 'web', '--follow')).toBe("--follow is not an option of 'deploy status'.");
    expect(message('deploy', 'stop', 'web', '--replicas', '2')).toBe("--replicas is not an option of 'deploy stop'.");
    expect(message('deploy', 'token', 'web', '--tail', '2')).toBe("--tail is not an option of 'deploy token'.");
    expect(message('deploy', 'token')).toBe('deploy token needs NAME.');
    expect(message('deploy', 'create', 'web', '--name', 'x')).toBe("--name is not an option of 'deploy create'.");
    expect(message('deploy', 'scale', 'web', '--replicas', '2', '--replicas', '3')).toBe('--replicas is given more than once.');
    expect(message('deploy', 'rollout', 'web', '--version', '--strategy', 'canary')).toBe('--version needs a value.');
    expect(message('deploy', 'status', 'web', '--verbose')).toBe("Unknown option '--verbose'.");
    expect(message('deploy', 'launch', 'web')).toBe("Unknown command 'deploy launch'.");
    expect(message('deploy')).toBe('Missing command after deploy.');
    // The deploy options do not leak into models.
    expect(message('models', 'list', '--follow')).toBe("--follow is not an option of 'models list'.");
  });

  it('a usage error carries its subcommand\'s usage', () => {
    expect(usageError(['deploy', 'scale', 'web']).usage).toMatch(/^Usage:\n {2}orrery deploy scale NAME --replicas R\n/);
    expect(usageError(['deploy', 'launch']).usage).toBeUndefined();
  });
});
