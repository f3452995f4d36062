import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { orrery } from '../helpers/run-orrery';
import { tempDir } from '../helpers/temp-dir';
import { startTestServer } from '../helpers/test-server';

/**
 * The built `orrery jobs` where no container is needed: the usage, no running Orrery, a data dir
 * that does not exist (refused by every command, none created). test/cli/jobs-cli-docker.test.ts
 * runs jobs in containers.
 */

it('orrery --help lists the jobs commands', async () => {
  const help = await orrery(['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  for (const line of [
    'orrery jobs submit --image I [--gpus N] [--cpus C] [--memory-gb M] [--param K=V ...] [--experiment E] [--name N]',
    '[--workspace DIR [--writable]] [--dataset SRC[:TARGET] ...] [--env K=V ...] [--priority P] [--retries R]',
    '[--runner docker|process] -- CMD ...',
    '--runner process: a plain process on this machine even when Docker answers',
    'orrery jobs submit --from RUN_ID [--param K=V ...]',
    'orrery jobs list [--status queued|running|finished|failed|cancelled ...]',
    'orrery jobs logs ID [--tail N] [--follow]',
    'orrery jobs cancel ID',
    'orrery jobs wait ID',
    "jobs wait exits 0 when the job's run finished, 3 when it ended otherwise",
  ]) {
    expect(help.stdout).toContain(line);
  }
});

describe('orrery jobs with no Orrery running', () => {
  it('says jobs need a running Orrery and how to start one on the data dir given, exits 1, and leaves the data dir untouched', async () => {
    const dataDir = tempDir();
    for (const args of [['jobs', 'list'], ['jobs', 'wait', 'a'.repeat(32)], ['jobs', 'submit', '--image', 'orrery/python:local', '--', 'python3', 'x.py']]) {
      expect(await orrery(['--data-dir', dataDir, ...args])).toEqual({
        code: 1,
        stdout: '',
        stderr: `orrery: No Orrery is running on the data dir ${dataDir} (there is no server.json in it). Jobs are queued and run by a running Orrery: start one on this data dir with npm run serve -- --data-dir ${dataDir} (or ORRERY_HOME=${dataDir} npm run serve), then try again.\n`,
      });
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);

  it('lists no jobs on a fresh Orrery, as text and JSON', async () => {
    const server = await startTestServer();
    try {
      expect(await orrery(['jobs', 'list', '--data-dir', server.dataDir])).toEqual({ code: 0, stdout: 'No jobs.\n', stderr: '' });
      expect(await orrery(['jobs', 'list', '--json', '--data-dir', server.dataDir])).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    } finally {
      await server.close();
    }
  });
});

describe('a data dir that does not exist', () => {
  it('is refused by every command that would open it, naming the folder and how to point elsewhere; nothing is created', async () => {
    const parent = tempDir();
    const missing = path.join(parent, 'typo');
    for (const args of [['jobs', 'list'], ['models', 'list'], ['deploy', 'list'], ['alerts', 'list']]) {
      expect(await orrery([...args, '--data-dir', missing]), args.join(' ')).toEqual({
        code: 1,
        stdout: '',
        stderr: `orrery: No Orrery data dir at ${missing} (given by --data-dir). Point at the folder your Orrery uses with --data-dir DIR or ORRERY_HOME=DIR; the desktop app and npm run serve create theirs when they first start (npm run serve prints it).\n`,
      });
    }
    // A relative --data-dir is the caller's folder's.
    const relative = await orrery(['models', 'list', '--data-dir', 'typo'], { cwd: parent });
    expect(relative.stderr).toContain(`No Orrery data dir at ${missing} (given by --data-dir)`);
    expect(fs.readdirSync(parent)).toEqual([]);
    // A file where the data dir should be is refused as such (not as a folder without server.json, nor a raw EEXIST).
    const file = path.join(parent, 'orrery-home');
    fs.writeFileSync(file, 'x');
    for (const args of [['jobs', 'list'], ['models', 'list']]) {
      expect(await orrery([...args, '--data-dir', file]), args.join(' ')).toEqual({
        code: 1,
        stdout: '',
        stderr: `orrery: The Orrery data dir ${file} (given by --data-dir) is a file, not a folder. Point --data-dir DIR or ORRERY_HOME=DIR at the folder your Orrery uses.\n`,
      });
    }
  }, 60_000);
});
