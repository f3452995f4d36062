import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunView, PipelineSummary, TriggerView } from '../../shared/contract/pipelines';
import { orrery } from '../helpers/run-orrery';
import { startServingServer, type ServingServer } from '../helpers/serving-server';
import { tempDir } from '../helpers/temp-dir';

/**
 * `orrery pipeline` end to end: the built command line against the built app (its own process),
 * a dvc.yaml's stages run as plain processes (`--runner process`, no Docker needed): run to the end
 * with --wait, all cached the second time, a failing stage (exit 3, named, its job log), an
 * invalid file (exit 1, line and field), cancel, triggers, list, and no running Orrery.
 */

/** Two stages: the second reads what the first wrote. */
const NUMBERS_DVC = `stages:
  prepare:
    cmd: python3 -c "open('numbers.txt', 'w').write('1 2 3')"
    outs:
      - numbers.txt
  total:
    cmd: python3 -c "n = open('numbers.txt').read().split(); open('total.txt', 'w').write(str(sum(map(int, n))))"
    deps:
      - numbers.txt
    outs:
      - total.txt
`;

/** The middle stage fails; the last one needs it, so it never runs. */
const FAILING_DVC = `stages:
  prepare:
    cmd: python3 -c "open('numbers.txt', 'w').write('1 2 3')"
    outs:
      - numbers.txt
  check:
    cmd: python3 -c "import sys; print('checking', flush=True); sys.exit('too few numbers')"
    deps:
      - numbers.txt
    outs:
      - checked.txt
  report:
    cmd: python3 -c "open('report.txt', 'w').write('ok')"
    deps:
      - checked.txt
    outs:
      - report.txt
`;

/** `command` where dvc.yaml says `cmd`. */
const INVALID_DVC = `stages:
  prepare:
    command: python3 -c "print(1)"
`;

const SLOW_DVC = `stages:
  sleep:
    cmd: python3 -c "import time; time.sleep(120)"
`;

describe('orrery pipeline against a running Orrery, stages as plain processes', () => {
  let server: ServingServer;
  let dir: string[];
  let root: string;
  const folder = (name: string, dvc: string): string => {
    const at = path.join(root, name);
    fs.mkdirSync(at);
    fs.writeFileSync(path.join(at, 'dvc.yaml'), dvc);
    // Root (CI) runs a process job as a uid of its own: the stages write their outputs here.
    fs.chmodSync(at, 0o777);
    return at;
  };
  const status = async (target: string[], cwd?: string): Promise<PipelineRunView> => {
    const shown = await orrery(['pipeline', 'status', ...target, '--json', ...dir], cwd ? { cwd } : {});
    expect(shown, shown.stderr).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(shown.stdout) as PipelineRunView;
  };

  beforeAll(async () => {
    // Kept for the whole file (tempDir() folders go after each test; the server lives across them).
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-pipeline-cli-'));
    fs.chmodSync(root, 0o755);
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir);
    server = await startServingServer(dataDir);
    dir = ['--data-dir', dataDir];
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('run --wait from the caller\'s folder: each stage\'s status as it changes, exit 0; status shows both succeeded; a second run is all cached', async () => {
    const work = folder('numbers', NUMBERS_DVC);
    const file = path.join(work, 'dvc.yaml');
    const first = await orrery(['pipeline', 'run', 'dvc.yaml', '--runner', 'process', '--wait', ...dir], { cwd: work });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    const runId = /^run (\S+)$/.exec(lines[1] ?? '')?.[1];
    expect(lines[0]).toBe(`Started pipeline numbers (2 stages) from ${file}`);
    expect(runId, first.stdout).toBeDefined();
    // What came between is up to how fast the stages went; the ends come in the order the stages need.
    const ends = lines.filter((l) => /^stage \w+: (succeeded|cached|failed)/.test(l)).map((l) => l.replace(/ — .*/, ''));
    expect(ends).toEqual(['stage prepare: succeeded', 'stage total: succeeded']);
    expect(lines.at(-1)).toMatch(new RegExp(`^Pipeline numbers succeeded after \\d+:\\d\\d: 2 ran, 0 cached; run ${runId}$`));
    expect(fs.readFileSync(path.join(work, 'total.txt'), 'utf8')).toBe('6');

    const shown = await status([runId!]);
    expect(shown).toMatchObject({ runId, file, name: 'numbers', status: 'succeeded', options: { runner: 'process', force: false } });
    expect(shown.stages.map((s) => [s.name, s.status, s.cached])).toEqual([
      ['prepare', 'succeeded', false],
      ['total', 'succeeded', false],
    ]);
    for (const stage of shown.stages) {
      expect(stage.key, stage.name).toMatch(/^\S{16,}$/);
      expect(stage.jobId, stage.name).toMatch(/^[0-9a-f]{32}$/);
    }
    // As text: the short key and the stage's job.
    const text = await orrery(['pipeline', 'status', 'dvc.yaml', ...dir], { cwd: work });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`run      ${runId}`);
    expect(text.stdout).toMatch(new RegExp(`^prepare +succeeded +no +${shown.stages[0]!.key!.slice(0, 12)} +\\d+:\\d\\d +job ${shown.stages[0]!.jobId}, run `, 'm'));

    const second = await orrery(['pipeline', 'run', file, '--runner', 'process', '--wait', ...dir]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    // A stage may show as running while its key is worked out; none ends other than cached.
    expect(second.stdout.split('\n').filter((l) => l.startsWith('stage ') && !l.endsWith(': running'))).toEqual(['stage prepare: cached', 'stage total: cached']);
    expect(second.stdout).toMatch(/: 0 ran, 2 cached; run \S+\n$/);
    // With no RUN: the newest run of any pipeline, this one.
    const newest = await status([]);
    expect(newest.runId).not.toBe(runId);
    expect(newest.stages.map((s) => [s.name, s.status, s.cached])).toEqual([
      ['prepare', 'cached', true],
      ['total', 'cached', true],
    ]);

    const listed = await orrery(['pipeline', 'list', '--json', ...dir]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(listed.stdout) as PipelineSummary[]).find((p) => p.file === file)).toMatchObject({ name: 'numbers', dialect: 'dvc', lastRun: { runId: newest.runId, status: 'succeeded' } });
  }, 180_000);

  it('a failing stage: exit 3 naming it, its message and its job log on stderr; what needs it does not run', async () => {
    const work = folder('failing', FAILING_DVC);
    const failed = await orrery(['pipeline', 'run', 'dvc.yaml', '--runner', 'process', '--wait', ...dir], { cwd: work });
    expect(failed.code, failed.stderr).toBe(3);
    const [, jobId] = /^orrery: pipeline failing \(run \S+\) failed at stage check: [^\n]+\n {2}its log: orrery jobs logs ([0-9a-f]{32})\n {2}not run: report\n$/.exec(failed.stderr) ?? [];
    expect(jobId, failed.stderr).toBeDefined();
    expect(failed.stdout).toMatch(/^stage check: failed — .+$/m);
    expect(failed.stdout).not.toMatch(/^stage report: (running|succeeded)/m);
    expect(fs.existsSync(path.join(work, 'report.txt'))).toBe(false);
    // The hint is a command that works.
    const log = await orrery(['jobs', 'logs', jobId!, ...dir]);
    expect(log.code).toBe(0);
    expect(log.stdout).toContain('checking');
    expect(log.stdout).toContain('too few numbers');
    expect((await status(['dvc.yaml'], work)).stages.map((s) => [s.name, s.status])).toEqual([
      ['prepare', 'succeeded'],
      ['check', 'failed'],
      ['report', 'skipped'],
    ]);
  }, 180_000);

  it('an invalid file: exit 1, the app\'s message with the line and field as it is', async () => {
    const work = folder('invalid', INVALID_DVC);
    const file = path.join(work, 'dvc.yaml');
    const refused = await orrery(['pipeline', 'run', 'dvc.yaml', '--runner', 'process', '--wait', ...dir], { cwd: work });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(new RegExp(`^orrery: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `));
    expect(refused.stderr).toContain(`${file}:3: stages.prepare.command: unknown field`);
  }, 60_000);

  it('cancel a running pipeline: its job is stopped, the run ends cancelled', async () => {
    const work = folder('slow', SLOW_DVC);
    const started = await orrery(['pipeline', 'run', 'dvc.yaml', '--runner', 'process', ...dir], { cwd: work });
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const runId = /\nrun (\S+)\n$/.exec(started.stdout)?.[1];
    expect(runId, started.stdout).toBeDefined();
    const deadline = Date.now() + 30_000;
    let seen = await status([runId!]);
    while (seen.status === 'running' && seen.stages[0]!.status !== 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen = await status([runId!]);
    }
    expect(seen, JSON.stringify(seen)).toMatchObject({ status: 'running', stages: [{ status: 'running' }] });
    const cancelled = await orrery(['pipeline', 'cancel', runId!, ...dir]);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.split('\n')[0]).toBe(`Cancelled pipeline slow (run ${runId})`);
    expect(await status([runId!])).toMatchObject({ status: 'cancelled' });
  }, 120_000);

  it('triggers: add a cron trigger to a file, list it, remove it', async () => {
    const work = folder('scheduled', NUMBERS_DVC);
    const file = path.join(work, 'dvc.yaml');
    const added = await orrery(['pipeline', 'trigger', 'add', 'dvc.yaml', '--cron', '0 3 * * *', ...dir], { cwd: work });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const triggerId = /\ntrigger (\S+)\n$/.exec(added.stdout)?.[1];
    expect(added.stdout).toMatch(new RegExp(`^Added a cron trigger 0 3 \\* \\* \\* to ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(next \\d{4}-\\d\\d-\\d\\dT03:00:00Z\\)\\n`));
    const listed = await orrery(['pipeline', 'trigger', 'list', 'dvc.yaml', '--json', ...dir], { cwd: work });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout) as TriggerView[]).toEqual([expect.objectContaining({ triggerId, file, kind: 'cron', target: '0 3 * * *', source: 'user', problem: null })]);
    expect(await orrery(['pipeline', 'trigger', 'remove', triggerId!, ...dir])).toEqual({ code: 0, stdout: `Removed trigger ${triggerId}\n`, stderr: '' });
    expect(await orrery(['pipeline', 'trigger', 'list', file, ...dir])).toEqual({ code: 0, stdout: 'No triggers.\n', stderr: '' });
  }, 60_000);
});

describe('orrery pipeline with no Orrery running', () => {
  it('says pipelines need a running Orrery and how to start one on the data dir given, exits 1, and leaves the data dir untouched', async () => {
    const dataDir = tempDir();
    for (const args of [['pipeline', 'list'], ['pipeline', 'run', 'dvc.yaml', '--wait'], ['pipeline', 'status']]) {
      expect(await orrery(['--data-dir', dataDir, ...args])).toEqual({
        code: 1,
        stdout: '',
        stderr: `orrery: No Orrery is running on the data dir ${dataDir} (there is no server.json in it). Pipelines are run and watched by a running Orrery: start one on this data dir with npm run serve -- --data-dir ${dataDir} (or ORRERY_HOME=${dataDir} npm run serve), then try again.\n`,
      });
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
    const help = await orrery(['--help']);
    expect(help.stdout).toContain('orrery pipeline run FILE [--force] [--force-stage STAGE ...] [--from STAGE] [--runner docker|process] [--wait]');
    expect(await orrery(['pipeline', 'run'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('orrery: pipeline run needs FILE.\n\nUsage:\n  orrery pipeline run FILE') as string });
  }, 60_000);
});
