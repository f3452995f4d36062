import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentSummary } from '../../shared/contract/serving';
import { orrery } from '../helpers/run-orrery';
import { tempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The built `orrery deploy` against the real app (Docker stubbed out: no replica is started here;
 * test/cli/deploy-cli-docker.test.ts runs deployments in containers).
 */

it('orrery --help lists the deploy commands', async () => {
  const help = await orrery(['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  for (const line of [
    'orrery deploy create NAME --model M --version V|@ALIAS [--replicas 1] [--port P]',
    'orrery deploy rollout NAME --version V|@ALIAS --strategy canary|blue-green|rolling|shadow [--steps 10,25,50,100]',
    'orrery deploy status NAME',
    'orrery deploy promote|rollback|pause|resume|abort NAME',
    'orrery deploy scale NAME --replicas R',
    'orrery deploy stop|start NAME',
    'orrery deploy list',
    'orrery deploy logs NAME [--tail 200] [--follow]',
    'orrery deploy token NAME',
    'orrery deploy delete NAME',
  ]) {
    expect(help.stdout).toContain(line);
  }
});

describe('orrery deploy against a running Orrery (server.json)', () => {
  let server: TestServer;
  let dir: string[];
  // A server per test: its temp data dir goes after each test.
  beforeEach(async () => {
    server = await startTestServer();
    dir = ['--data-dir', server.dataDir];
  });
  afterEach(async () => {
    await server.close();
  });

  it('lists an empty store, as text and as JSON', async () => {
    expect(await orrery(['deploy', 'list', ...dir])).toEqual({ code: 0, stdout: 'No deployments.\n', stderr: '' });
    const json = await orrery(['deploy', 'list', '--json', ...dir]);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout) as DeploymentSummary[]).toEqual([]);
  });

  const missing = { code: 1, stdout: '', stderr: "orrery: Deployment 'ghost' does not exist\n" };

  it("an unknown deployment is Orrery's error and exit 1, for reading and changing alike", async () => {
    expect(await orrery(['deploy', 'status', 'ghost', ...dir])).toEqual(missing);
    expect(await orrery(['deploy', 'promote', 'ghost', ...dir])).toEqual(missing);
    expect(await orrery(['deploy', 'token', 'ghost', ...dir])).toEqual(missing);
  });

  it('following the logs of an unknown deployment fails at once; a malformed name is bad usage, naming NAME', async () => {
    expect(await orrery(['deploy', 'logs', 'ghost', '--follow', ...dir])).toEqual(missing);
    const badName = await orrery(['deploy', 'status', 'Not_A_Name', ...dir]);
    expect(badName.code).toBe(2);
    expect(badName.stdout).toBe('');
    expect(badName.stderr).toMatch(/^orrery: NAME: must be 1–63 lowercase letters, digits or '-', starting with a letter or digit, got 'Not_A_Name'\.\n\nUsage:\n {2}orrery deploy status NAME/);
  });

  it('bad usage exits 2 with the option, the problem and the usage, and calls nothing', async () => {
    const steps = await orrery(['deploy', 'rollout', 'web', '--version', '4', '--strategy', 'canary', '--steps', '10,5', ...dir]);
    expect(steps.code).toBe(2);
    expect(steps.stdout).toBe('');
    expect(steps.stderr).toMatch(/^orrery: --steps: must be ascending, got '10,5'\.\n\nUsage:\n {2}orrery deploy rollout NAME --version V\|@ALIAS --strategy/);
    const unknown = await orrery(['deploy', 'launch', 'web', ...dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^orrery: Unknown command 'deploy launch'\.\n\nUsage: orrery /);
  });
});

describe('orrery deploy with no Orrery running', () => {
  it('says that deployments need a running Orrery, exits 1, and leaves the data dir untouched', async () => {
    const dataDir = tempDir();
    const none = await orrery(['deploy', 'list', '--data-dir', dataDir]);
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr: `orrery: No Orrery is running on the data dir ${dataDir} (there is no server.json in it). Deployments are served by a running Orrery: start one on this data dir with npm run serve -- --data-dir ${dataDir} (or ORRERY_HOME=${dataDir} npm run serve), then try again.\n`,
    });
    expect(fs.readdirSync(dataDir)).toEqual([]);

    // What a crashed Orrery leaves behind: a server.json nobody answers at.
    fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:1', port: 1, token: 't', pid: 999999, version: '0' }));
    const stale = await orrery(['deploy', 'status', 'web', '--data-dir', dataDir]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      `orrery: No Orrery is running on the data dir ${dataDir} (its server at http://127.0.0.1:1 (from server.json) does not answer). Deployments are served by a running Orrery: start one on this data dir with npm run serve -- --data-dir ${dataDir} (or ORRERY_HOME=${dataDir} npm run serve), then try again.\n`,
    );
    expect(fs.readdirSync(dataDir)).toEqual(['server.json']);
  });
});
