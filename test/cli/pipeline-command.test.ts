import { describe, expect, it } from 'vitest';
import { triggerInputSchema } from '../../shared/contract/pipelines';
import { CLI_USAGE, parseCli } from '../../electron/cli/models-command';
import type { PipelineCommand } from '../../electron/cli/pipeline-command';
import { usageErrorOf } from './usage-error-of';

const defaults = { actor: 'ci-bot', cwd: '/home/ada/project' };
const parse = (...argv: string[]) => parseCli(argv, defaults);

const usageError = (...argv: string[]) => usageErrorOf(argv, defaults);

describe('orrery pipeline run', () => {
  it('with every option: the file from the caller\'s folder, each forced stage once, the runner, --wait', () => {
    const command = parse(
      '--data-dir', '/d', 'pipeline', 'run', 'pipelines/dvc.yaml', '--force', '--force-stage', 'train', '--force-stage=evaluate', '--force-stage', 'train',
      '--from', 'prepare', '--runner', 'process', '--wait', '--json',
    );
    expect(command).toEqual({
      kind: 'pipeline',
      subcommand: 'run',
      json: true,
      dataDir: '/d',
      file: '/home/ada/project/pipelines/dvc.yaml',
      force: true,
      forceStages: ['train', 'evaluate'],
      from: 'prepare',
      runner: 'process',
      wait: true,
    });
  });

  it('with only a file: nothing forced, no --from or runner (Orrery\'s default), not waiting; an absolute file stays as it is', () => {
    expect(parse('pipeline', 'run', '/srv/digits/orrery.pipeline.yaml')).toEqual({
      kind: 'pipeline',
      subcommand: 'run',
      json: false,
      file: '/srv/digits/orrery.pipeline.yaml',
      force: false,
      forceStages: [],
      wait: false,
    });
    expect(parse('pipeline', 'run', '../dvc.yaml', '--runner', 'docker')).toMatchObject({ file: '/home/ada/dvc.yaml', runner: 'docker' });
  });
});

describe('orrery pipeline status, list, cancel', () => {
  it('status takes a run id or a file (both kept: which it is, is told by what is on disk), or nothing', () => {
    expect(parse('pipeline', 'status')).toEqual({ kind: 'pipeline', subcommand: 'status', json: false });
    expect(parse('pipeline', 'status', 'f'.repeat(32), '--json')).toEqual({
      kind: 'pipeline',
      subcommand: 'status',
      json: true,
      target: { text: 'f'.repeat(32), file: `/home/ada/project/${'f'.repeat(32)}` },
    });
    expect(parse('pipeline', 'status', 'dvc.yaml')).toMatchObject({ target: { text: 'dvc.yaml', file: '/home/ada/project/dvc.yaml' } });
  });

  it('list and cancel', () => {
    expect(parse('pipeline', 'list', '--json')).toEqual({ kind: 'pipeline', subcommand: 'list', json: true });
    expect(parse('pipeline', 'cancel', 'run-1', '--data-dir', '/d')).toEqual({ kind: 'pipeline', subcommand: 'cancel', json: false, runId: 'run-1', dataDir: '/d' });
  });
});

describe('orrery pipeline trigger', () => {
  const added = (...argv: string[]) => parse('pipeline', 'trigger', 'add', 'dvc.yaml', ...argv) as Extract<PipelineCommand, { subcommand: 'trigger add' }>;

  it('add takes exactly one of the four, paths from the caller\'s folder, each accepted by the contract', () => {
    const cases: Array<[string[], unknown]> = [
      [['--cron', '0 3 * * *'], { cron: '0 3 * * *' }],
      [['--on-dataset', 'data/train.csv'], { dataset: '/home/ada/project/data/train.csv' }],
      [['--on-dataset', '/mnt/images'], { dataset: '/mnt/images' }],
      [['--on-commit', '.:main'], { commit: '/home/ada/project:main' }],
      [['--on-commit', '../digits:release/2.0'], { commit: '/home/ada/digits:release/2.0' }],
      [['--on-alert', 'digits-prod'], { alert: 'digits-prod' }],
    ];
    for (const [argv, trigger] of cases) {
      const command = added(...argv);
      expect(command, argv.join(' ')).toEqual({ kind: 'pipeline', subcommand: 'trigger add', json: false, file: '/home/ada/project/dvc.yaml', trigger });
      expect(triggerInputSchema.parse(command.trigger)).toEqual(trigger);
    }
  });

  it('list with or without a file, and remove', () => {
    expect(parse('pipeline', 'trigger', 'list')).toEqual({ kind: 'pipeline', subcommand: 'trigger list', json: false });
    expect(parse('pipeline', 'trigger', 'list', 'dvc.yaml', '--json')).toEqual({ kind: 'pipeline', subcommand: 'trigger list', json: true, file: '/home/ada/project/dvc.yaml' });
    expect(parse('pipeline', 'trigger', 'remove', 'trg-1')).toEqual({ kind: 'pipeline', subcommand: 'trigger remove', json: false, triggerId: 'trg-1' });
  });
});

describe('orrery pipeline usage', () => {
  it('help for one command, for the trigger commands, and the pipeline commands in the whole usage', () => {
    expect(parse('pipeline', 'run', '--help')).toEqual({ kind: 'help', text: expect.stringContaining('orrery pipeline run FILE [--force]') as string });
    expect(parse('pipeline', 'trigger', 'add', '-h')).toEqual({ kind: 'help', text: expect.stringContaining('orrery pipeline trigger add FILE --cron EXPR') as string });
    const trigger = parse('pipeline', 'trigger', '--help');
    expect(trigger).toEqual({ kind: 'help', text: expect.stringContaining('orrery pipeline trigger list [FILE]') as string });
    expect((trigger as { text: string }).text).toContain('orrery pipeline trigger remove TRIGGER_ID');
    expect(parse('pipeline', '--help')).toEqual({ kind: 'help', text: CLI_USAGE });
    for (const line of [
      'Usage: orrery [--data-dir DIR] [--json] models|jobs|pipeline|deploy|monitor|alerts <command> [options]',
      'orrery pipeline run FILE [--force] [--force-stage STAGE ...] [--from STAGE] [--runner docker|process] [--wait]',
      'orrery pipeline trigger add FILE --cron EXPR | --on-dataset PATH | --on-commit REPO:BRANCH | --on-alert DEPLOYMENT',
      'orrery pipeline trigger list [FILE]',
      'orrery pipeline trigger remove TRIGGER_ID',
      'orrery pipeline status [RUN | FILE]',
      'orrery pipeline list',
      'orrery pipeline cancel RUN',
      'pipeline run --wait exits 0 when every stage succeeded or was cached, 3 when a stage failed or it was cancelled.',
    ]) {
      expect(CLI_USAGE).toContain(line);
    }
  });

  it('bad usage names the option and the problem, with the command\'s usage', () => {
    const cases: Array<[string[], string]> = [
      [['pipeline'], 'Missing command after pipeline.'],
      [['pipeline', 'start', 'dvc.yaml'], "Unknown command 'pipeline start'."],
      [['pipeline', 'trigger'], 'Missing command after pipeline trigger: add, list or remove.'],
      [['pipeline', 'trigger', 'edit'], "Unknown command 'pipeline trigger edit'."],
      [['pipeline', 'run'], 'pipeline run needs FILE.'],
      [['pipeline', 'run', 'a.yaml', 'b.yaml'], "Unexpected argument 'b.yaml'."],
      [['pipeline', 'run', 'dvc.yaml', '--runner', 'podman'], "--runner: must be docker or process, got 'podman'."],
      [['pipeline', 'run', 'dvc.yaml', '--from', 'a', '--from', 'b'], '--from is given more than once.'],
      [['pipeline', 'run', 'dvc.yaml', '--from'], '--from needs a value.'],
      [['pipeline', 'run', 'dvc.yaml', '--cron', '* * * * *'], "--cron is not an option of 'pipeline run'."],
      [['pipeline', 'status', '--wait'], "--wait is not an option of 'pipeline status'."],
      [['pipeline', 'status', 'a', 'b'], "Unexpected argument 'b'."],
      [['pipeline', 'list', 'dvc.yaml'], "Unexpected argument 'dvc.yaml'."],
      [['pipeline', 'cancel'], 'pipeline cancel needs RUN.'],
      [['pipeline', 'trigger', 'add', 'dvc.yaml'], 'pipeline trigger add needs exactly one of --cron EXPR, --on-dataset PATH, --on-commit REPO:BRANCH or --on-alert DEPLOYMENT.'],
      [
        ['pipeline', 'trigger', 'add', 'dvc.yaml', '--cron', '0 3 * * *', '--on-alert', 'digits'],
        'pipeline trigger add needs exactly one of --cron EXPR, --on-dataset PATH, --on-commit REPO:BRANCH or --on-alert DEPLOYMENT (given: --cron, --on-alert).',
      ],
      [['pipeline', 'trigger', 'add', '--cron', '0 3 * * *'], 'pipeline trigger add needs FILE.'],
      [['pipeline', 'trigger', 'add', 'dvc.yaml', '--on-commit', 'main'], "--on-commit: must be REPO:BRANCH, like .:main or ../digits:release, got 'main'."],
      [['pipeline', 'trigger', 'add', 'dvc.yaml', '--on-commit', 'repo:'], "--on-commit: must be REPO:BRANCH, like .:main or ../digits:release, got 'repo:'."],
      [['pipeline', 'trigger', 'add', 'dvc.yaml', '--on-commit', 'C:main'], "--on-commit: must be REPO:BRANCH, like .:main or ../digits:release, got 'C:main'."],
      [['pipeline', 'trigger', 'list', 'a', 'b'], "Unexpected argument 'b'."],
      [['pipeline', 'trigger', 'remove'], 'pipeline trigger remove needs TRIGGER_ID.'],
    ];
    for (const [argv, expected] of cases) expect(usageError(...argv).message, argv.join(' ')).toBe(expected);
    expect(usageError('pipeline', 'run').usage).toContain('orrery pipeline run FILE');
    expect(usageError('pipeline', 'trigger', 'add', 'dvc.yaml').usage).toContain('orrery pipeline trigger add FILE --cron EXPR');
    expect(usageError('pipeline', 'trigger').usage).toContain('orrery pipeline trigger remove TRIGGER_ID');
    expect(usageError('pipeline', 'cancel').usage).toContain('orrery pipeline cancel RUN');
  });
});
