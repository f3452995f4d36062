import { describe, expect, it } from 'vitest';
import { CLI_USAGE, parseCli, UsageError } from '../../electron/cli/models-command';
import { usageErrorOf } from './usage-error-of';

const defaults = { actor: 'ci-bot', cwd: '/work/here' };
const parse = (...argv: string[]) => parseCli(argv, defaults);

const usageError = (argv: string[]) => usageErrorOf(argv, defaults);

describe('orrery command line: arguments to contract calls', () => {
  it('register from a run, with a path, parents, a description and the default actor', () => {
    const runId = 'a'.repeat(32);
    expect(parse('models', 'register', '--run', runId, '--path', 'model', '--name', 'iris', '--parent', 'iris:2', '--parent=base:1', '--description', 'v3')).toEqual({
      kind: 'call',
      subcommand: 'register',
      json: false,
      call: {
        method: 'registry.registerFromRun',
        input: { runId, path: 'model', name: 'iris', parentVersions: [{ name: 'iris', version: 2 }, { name: 'base', version: 1 }], description: 'v3', actor: 'ci-bot' },
      },
    });
  });

  it('register from a folder resolves it against the working directory; global options go anywhere', () => {
    expect(parse('--data-dir', '/d', 'models', 'register', '--folder', 'out/model', '--name', 'iris', '--json', '--actor', 'ada')).toEqual({
      kind: 'call',
      subcommand: 'register',
      json: true,
      dataDir: '/d',
      call: { method: 'registry.registerFromFolder', input: { folder: '/work/here/out/model', name: 'iris', parentVersions: [], description: '', actor: 'ada' } },
    });
  });

  it('approve, push to a reference or a remote, pull, list', () => {
    expect(parse('models', 'approve', 'iris', '3', '--reviewer', 'lead', '--comment', 'ok')).toMatchObject({
      call: { method: 'registry.approve', input: { name: 'iris', version: 3, reviewer: 'lead', comment: 'ok' } },
    });
    expect(parse('models', 'push', 'iris', '3', '127.0.0.1:5000/models/iris:v3')).toMatchObject({
      call: { method: 'registry.push', input: { name: 'iris', version: 3, reference: '127.0.0.1:5000/models/iris:v3', actor: 'ci-bot' } },
    });
    expect(parse('models', 'push', 'iris', '3', '--remote', 'team', '--tag', 'rc1')).toMatchObject({
      call: { method: 'registry.push', input: { name: 'iris', version: 3, remote: 'team', tag: 'rc1', actor: 'ci-bot' } },
    });
    expect(parse('models', 'pull', 'host:5000/m/iris:v3', '--name', 'iris-copy')).toMatchObject({
      call: { method: 'registry.pull', input: { reference: 'host:5000/m/iris:v3', name: 'iris-copy', actor: 'ci-bot' } },
    });
    expect(parse('models', 'list')).toMatchObject({ call: { method: 'registry.listModels', input: {} } });
  });

  it('help for everything and for one command', () => {
    expect(parse('--help')).toEqual({ kind: 'help', text: CLI_USAGE });
    expect(parse('models', '-h')).toEqual({ kind: 'help', text: CLI_USAGE });
    const push = parse('models', 'push', '--help');
    expect(push.kind === 'help' && push.text).toMatch(/orrery models push N VERSION --remote NAME/);
  });

  it('usage errors name the problem', () => {
    expect(usageError(['models', 'approve', 'iris', 'abc', '--reviewer', 'x']).message).toBe("VERSION must be a version number (1, 2, …), got 'abc'.");
    expect(usageError(['models', 'approve', 'iris', '0', '--reviewer', 'x']).message).toMatch(/VERSION must be/);
    expect(usageError(['models', 'approve', 'iris', '1']).message).toBe('models approve needs --reviewer R.');
    expect(usageError(['models', 'approve', 'iris']).message).toBe('models approve needs VERSION.');
    expect(usageError(['models', 'approve', 'iris', '1', '2', '--reviewer', 'x']).message).toBe("Unexpected argument '2'.");
    expect(usageError(['models', 'list', '--verbose']).message).toBe("Unknown option '--verbose'.");
    expect(usageError(['models', 'list', '-v']).message).toBe("Unknown option '-v'.");
    expect(usageError(['models', 'list', '--name', 'x']).message).toBe("--name is not an option of 'models list'.");
    expect(usageError(['models', 'register', '--name', '--json']).message).toBe('--name needs a value.');
    expect(usageError(['models', 'register', '--name', 'a', '--name', 'b', '--run', 'r']).message).toBe('--name is given more than once.');
    expect(usageError(['models', 'register', '--name', 'iris']).message).toBe('models register needs exactly one of --run RUN_ID or --folder DIR.');
    expect(usageError(['models', 'register', '--name', 'iris', '--folder', 'f', '--path', 'p']).message).toMatch(/--path goes with --run/);
    expect(usageError(['models', 'register', '--name', 'iris', '--folder', 'f', '--parent', 'iris']).message).toBe("--parent must be NAME:VERSION (like iris:2), got 'iris'.");
    expect(usageError(['models', 'push', 'iris', '1']).message).toBe('models push needs exactly one of REF or --remote NAME.');
    expect(usageError(['models', 'push', 'iris', '1', 'h/r:t', '--remote', 'team']).message).toBe('models push needs exactly one of REF or --remote NAME.');
    expect(usageError(['models', 'push', 'iris', '1', 'h/r:t', '--tag', 'x']).message).toMatch(/--tag goes with --remote/);
    expect(usageError(['models', 'pull']).message).toBe('models pull needs REF.');
    expect(usageError(['models', 'deploy']).message).toBe("Unknown command 'models deploy'.");
    expect(usageError(['runs', 'list']).message).toBe("Unknown command 'runs'.");
    expect(usageError([]).message).toBe('Missing command.');
    expect(usageError(['models']).message).toBe('Missing command after models.');
  });

  it('push and pull need someone to name as actor', () => {
    const error = (() => {
      try {
        parseCli(['models', 'pull', 'h/r:t'], { actor: '', cwd: '/' });
      } catch (e) {
        return e as UsageError;
      }
      return null;
    })();
    expect(error?.message).toBe('No user name is known here; pass --actor A.');
    expect(parseCli(['models', 'pull', 'h/r:t', '--actor', 'ci'], { actor: '', cwd: '/' })).toMatchObject({ call: { input: { actor: 'ci' } } });
  });
});
