import { describe, expect, it } from 'vitest';
import { jobSpecSchema } from '../../shared/contract/training-spec';
import { CLI_USAGE, parseCli } from '../../electron/cli/models-command';
import { newJobSpec, rerunSpec } from '../../electron/cli/jobs-spec';
import { defaultJobName } from '../../electron/cli/jobs-values';
import type { JobsCommand, SubmitOptions } from '../../electron/cli/jobs-command';
import { usageErrorOf } from './usage-error-of';

const defaults = { actor: 'ci-bot', cwd: '/home/ada/project' };
const parse = (...argv: string[]) => parseCli(argv, defaults);
const submitOptions = (...argv: string[]): SubmitOptions => {
  const command = parse('jobs', 'submit', ...argv) as JobsCommand;
  if (command.subcommand !== 'submit') throw new Error('not a submit');
  return command.options;
};

const usageError = (...argv: string[]) => usageErrorOf(argv, defaults);

describe('orrery jobs submit: the command line to a job spec', () => {
  it('with every option: paths from the caller\'s folder, params typed as the launch dialog types them, the command after --', () => {
    const argv = [
      '--data-dir', '/d', 'jobs', 'submit', '--image', 'orrery/python:local', '--gpus', '1', '--cpus', '2.5', '--memory-gb', '4',
      '--param', 'lr=0.01', '--param', 'epochs=20', '--param', 'shuffle=true', '--param', 'opt=adam', '--param', 'tag=v1=b',
      '--experiment', 'digits', '--name', 'sgd', '--workspace', 'src', '--writable', '--dataset', '../data/train.csv', '--dataset', '/mnt/images:/in/images',
      '--env', 'SEED=7', '--env', 'EMPTY=', '--priority', '-5', '--retries', '2', '--json', '--', 'python3', 'train.py', '--verbose',
    ];
    const command = parse(...argv);
    expect(command).toEqual({
      kind: 'jobs',
      subcommand: 'submit',
      json: true,
      dataDir: '/d',
      options: {
        image: 'orrery/python:local',
        command: ['python3', 'train.py', '--verbose'],
        name: 'sgd',
        experiment: 'digits',
        gpus: 1,
        cpus: 2.5,
        memoryGb: 4,
        params: { lr: 0.01, epochs: 20, shuffle: true, opt: 'adam', tag: 'v1=b' },
        env: { SEED: '7', EMPTY: '' },
        workspace: { source: '/home/ada/project/src', writable: true },
        datasets: [
          { source: '/home/ada/data/train.csv', target: '/data/train.csv', kind: 'dataset', writable: false },
          { source: '/mnt/images', target: '/in/images', kind: 'dataset', writable: false },
        ],
        priority: -5,
        retries: 2,
      },
    });
    const spec = jobSpecSchema.parse(newJobSpec((command as Extract<JobsCommand, { subcommand: 'submit' }>).options));
    expect(spec).toMatchObject({
      name: 'sgd',
      experiment: 'digits',
      image: 'orrery/python:local',
      command: ['python3', 'train.py', '--verbose'],
      workingDir: '/workspace',
      mounts: [
        { source: '/home/ada/project/src', target: '/workspace', kind: 'workspace', writable: true },
        { source: '/home/ada/data/train.csv', target: '/data/train.csv', kind: 'dataset', writable: false },
        { source: '/mnt/images', target: '/in/images', kind: 'dataset', writable: false },
      ],
      resources: { gpus: 1, cpus: 2.5, memoryGb: 4 },
      hyperparameters: { lr: 0.01, epochs: 20, shuffle: true, opt: 'adam', tag: 'v1=b' },
      env: { SEED: '7', EMPTY: '' },
      priority: -5,
      retries: 2,
    });
  });

  it('with only an image and a command: named after the script, no GPU, no workspace, Orrery\'s defaults', () => {
    const spec = jobSpecSchema.parse(newJobSpec(submitOptions('--image', 'orrery/python:local', '--', 'python3', '-u', 'src/train_model.py', '--lr', '3')));
    expect(spec).toMatchObject({ name: 'train_model', experiment: 'Default', resources: { gpus: 0 }, mounts: [], priority: 0, retries: 0 });
    expect(spec.workingDir).toBeUndefined();
  });

  it('names a job after its script, its module, or its program', () => {
    expect(defaultJobName(['python3', 'train.py'])).toBe('train');
    expect(defaultJobName(['python3', '-m', 'pkg.train'])).toBe('pkg.train');
    expect(defaultJobName(['bash', '-c', 'echo hi'])).toBe('bash');
    expect(defaultJobName(['/usr/bin/env'])).toBe('env');
  });

  it('--from takes a run id, and only what is given changes: params and env by key, resources by field, mounts by kind', () => {
    const options = submitOptions('--from', 'AB'.repeat(16), '--param', 'lr=0.5', '--env', 'B=2', '--cpus', '3', '--dataset', '/mnt/v2');
    expect(parse('jobs', 'submit', '--from', 'ab'.repeat(16))).toMatchObject({ subcommand: 'submit', from: 'ab'.repeat(16) });
    const original = jobSpecSchema.parse({
      name: 'digits',
      image: 'orrery/python:local',
      command: ['python3', 'digits_sgd.py'],
      env: { A: '1', B: '1' },
      hyperparameters: { lr: 0.1, epochs: 5 },
      mounts: [
        { source: '/src', target: '/workspace', kind: 'workspace' },
        { source: '/mnt/v1', target: '/data/v1' },
      ],
      workingDir: '/workspace',
      resources: { gpus: 0, cpus: 1, memoryGb: 2 },
      retries: 1,
    });
    const spec = jobSpecSchema.parse(rerunSpec(original, options));
    expect(spec).toEqual({
      ...original,
      env: { A: '1', B: '2' },
      hyperparameters: { lr: 0.5, epochs: 5 },
      mounts: [original.mounts[0], { source: '/mnt/v2', target: '/data/v2', kind: 'dataset', writable: false }],
      resources: { gpus: 0, cpus: 3, memoryGb: 2 },
    });
    // A new workspace goes where --workspace always goes, and the job starts in it.
    const moved = jobSpecSchema.parse(rerunSpec({ ...original, workingDir: '/elsewhere' }, submitOptions('--from', 'ab'.repeat(16), '--workspace', '/new')));
    expect(moved.mounts).toEqual([{ source: '/new', target: '/workspace', kind: 'workspace', writable: false }, original.mounts[1]]);
    expect(moved.workingDir).toBe('/workspace');
  });

  it('--runner process asks for a plain process, --runner docker for a container; left out, the spec names no runner', () => {
    const host = jobSpecSchema.parse(newJobSpec(submitOptions('--image', 'orrery/python:local', '--runner', 'process', '--', 'python3', 'train.py')));
    expect(host).toMatchObject({ runner: 'process', command: ['python3', 'train.py'] });
    expect(jobSpecSchema.parse(newJobSpec(submitOptions('--image', 'i', '--runner', 'docker', '--', 'x'))).runner).toBe('docker');
    expect(jobSpecSchema.parse(newJobSpec(submitOptions('--image', 'i', '--', 'x')))).not.toHaveProperty('runner');
    // A re-run keeps the runner its job had unless the command line changes it.
    expect(jobSpecSchema.parse(rerunSpec(host, submitOptions('--from', 'ab'.repeat(16)))).runner).toBe('process');
    expect(jobSpecSchema.parse(rerunSpec(host, submitOptions('--from', 'ab'.repeat(16), '--runner', 'docker'))).runner).toBe('docker');
  });
});

describe('orrery jobs list, logs, cancel, wait', () => {
  const id = '0123456789abcdef0123456789abcdef';
  it('parses each, with statuses repeated or comma-separated', () => {
    expect(parse('jobs', 'list')).toEqual({ kind: 'jobs', subcommand: 'list', json: false, statuses: [] });
    expect(parse('jobs', 'list', '--status', 'running,queued', '--status', 'failed', '--json')).toEqual({ kind: 'jobs', subcommand: 'list', json: true, statuses: ['running', 'queued', 'failed'] });
    expect(parse('jobs', 'logs', id.toUpperCase(), '--follow', '--tail', '20')).toEqual({ kind: 'jobs', subcommand: 'logs', json: false, id, follow: true, tail: 20 });
    expect(parse('jobs', 'logs', id)).toEqual({ kind: 'jobs', subcommand: 'logs', json: false, id, follow: false });
    expect(parse('jobs', 'cancel', id)).toEqual({ kind: 'jobs', subcommand: 'cancel', json: false, id });
    expect(parse('jobs', 'wait', id, '--data-dir', '/d')).toEqual({ kind: 'jobs', subcommand: 'wait', json: false, id, dataDir: '/d' });
  });

  it('help for one command, and the jobs commands in the whole usage', () => {
    expect(parse('jobs', 'wait', '--help')).toEqual({ kind: 'help', text: expect.stringContaining('orrery jobs wait ID') as string });
    expect(parse('jobs', '--help')).toEqual({ kind: 'help', text: CLI_USAGE });
    for (const line of ['orrery jobs submit --image I', 'orrery jobs submit --from RUN_ID', 'orrery jobs list', 'orrery jobs logs ID', 'orrery jobs cancel ID', 'orrery jobs wait ID']) {
      expect(CLI_USAGE).toContain(line);
    }
  });

  it('bad usage names the option and the problem, with the command\'s usage', () => {
    const cases: Array<[string[], string]> = [
      [['jobs', 'submit', '--', 'python3', 'x.py'], 'jobs submit needs --image I (or --from RUN_ID to re-run a job).'],
      [['jobs', 'submit', '--image', 'i'], 'jobs submit needs the command to run after --, like -- python3 train.py.'],
      [['jobs', 'submit', '--image', 'i', '--param', 'lr', '--', 'x'], "--param: must be KEY=VALUE, like lr=0.01, got 'lr'."],
      [['jobs', 'submit', '--image', 'i', '--env', '1X=2', '--', 'x'], "--env: must be NAME=VALUE with a variable name (letters, digits, _), got '1X=2'."],
      [['jobs', 'submit', '--image', 'i', '--gpus', '-1', '--', 'x'], "--gpus: must be a whole number 0–64, got '-1'."],
      [['jobs', 'submit', '--image', 'i', '--gpus', 'two', '--', 'x'], "--gpus: must be a whole number 0–64, got 'two'."],
      [['jobs', 'submit', '--image', 'i', '--cpus', '0', '--', 'x'], "--cpus: must be a number more than 0 and at most 1024, got '0'."],
      [['jobs', 'submit', '--image', 'i', '--priority', '500', '--', 'x'], "--priority: must be a whole number from -100 to 100, got '500'."],
      [['jobs', 'submit', '--image', 'i', '--writable', '--', 'x'], '--writable goes with --workspace DIR.'],
      [['jobs', 'submit', '--image', 'i', '--runner', 'podman', '--', 'x'], "--runner: must be docker or process, got 'podman'."],
      [['jobs', 'list', '--runner', 'process'], "--runner is not an option of 'jobs list'."],
      [['jobs', 'submit', '--image', 'i', '--image', 'j', '--', 'x'], '--image is given more than once.'],
      [['jobs', 'submit', '--from', 'run-7'], "--from: must be a run id (32 hex characters), got 'run-7'."],
      [['jobs', 'list', '--status', 'done'], "--status: must be one of queued, running, finished, failed, cancelled, got 'done'."],
      [['jobs', 'list', '--follow'], "--follow is not an option of 'jobs list'."],
      [['jobs', 'wait'], 'jobs wait needs ID.'],
      [['jobs', 'cancel', 'nope'], "ID: must be a job id or the id of its run (32 hex characters), got 'nope'."],
      [['jobs', 'logs', id, '--tail', '0'], "--tail: must be a whole number 1–100000, got '0'."],
    ];
    for (const [argv, expected] of cases) expect(usageError(...argv).message, argv.join(' ')).toBe(expected);
    expect(usageError('jobs', 'wait').usage).toContain('orrery jobs wait ID');
    // The command's own options, given without -- before them.
    const withoutDashes = usageError('jobs', 'submit', '--image', 'i', 'python3', '-u', 'train.py');
    expect(withoutDashes.message).toBe("Unknown option '-u'. The command to run and its own options go after --, like: orrery jobs submit --image I -- python3 -u train.py --lr 0.1");
    expect(withoutDashes.usage).toContain('orrery jobs submit --image I');
    expect(usageError('jobs', 'list', '--lr', '1').message).toBe("Unknown option '--lr'.");
    expect(usageError('jobs', 'launch').message).toBe("Unknown command 'jobs launch'.");
  });
});
