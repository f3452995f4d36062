import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/contract/monitoring';
import { orrery } from '../helpers/run-orrery';
import { tempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The built `orrery monitor …` and `orrery alerts …` against the real app (Docker stubbed out: no
 * deployment runs here; the lead's integration test monitors a served one).
 */

// Each test runs the built command several times; on a loaded 2-core machine one start takes seconds.
describe('orrery monitor and alerts against a running Orrery (server.json)', { timeout: 90_000 }, () => {
  let server: TestServer;
  let dir: string[];
  beforeEach(async () => {
    server = await startTestServer();
    dir = ['--data-dir', server.dataDir];
  });
  afterEach(async () => {
    await server.close();
  });

  it('alerts list on an empty store: no alerts, as text and as JSON; filters go through', async () => {
    expect(await orrery(['alerts', 'list', ...dir])).toEqual({ code: 0, stdout: 'No alerts.\n', stderr: '' });
    const json = await orrery(['alerts', 'list', '--json', ...dir]);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout) as AlertView[]).toEqual([]);
    expect(await orrery(['alerts', 'list', '--state', 'firing', '--deployment', 'web', ...dir])).toEqual({ code: 0, stdout: 'No alerts.\n', stderr: '' });
  });

  it('an alert that does not exist: exit 1 with Orrery\'s not-found message', async () => {
    expect(await orrery(['alerts', 'ack', '999', ...dir])).toEqual({ code: 1, stdout: '', stderr: 'orrery: id: no alert 999\n' });
    expect(await orrery(['alerts', 'silence', '999', '--until', '2h', ...dir])).toEqual({ code: 1, stdout: '', stderr: 'orrery: id: no alert 999\n' });
  });

  it('a deployment that does not exist: exit 1, naming it, and nothing is stored', async () => {
    const missing = { code: 1, stdout: '', stderr: "orrery: deployment: no deployment named 'nope'\n" };
    const files = tempDir();
    fs.writeFileSync(path.join(files, 'reference.csv'), 'age,city\n31,north\n45,south\n');
    fs.writeFileSync(path.join(files, 'labels.csv'), 'request_id,label\nr1,1\n');
    // One at a time, as a person types them (several at once made this test flaky on a loaded machine).
    for (const args of [
      ['monitor', 'status', 'nope'],
      ['monitor', 'status', 'nope', '--json'],
      ['monitor', 'reference', 'nope', '--file', 'reference.csv'],
      ['monitor', 'reference', 'nope', '--requests', '100'],
      ['monitor', 'feedback', 'nope', '--file', 'labels.csv', '--id-column', 'request_id', '--label-column', 'label'],
    ]) {
      expect(await orrery([...args, ...dir], { cwd: files }), args.join(' ')).toEqual(missing);
    }
    expect((await server.rpc('monitoring.listMonitors')).body).toEqual({ ok: true, result: [] });
  });

  it('monitor check of a deployment that does not exist: exit 1, saying so', async () => {
    const check = await orrery(['monitor', 'check', 'nope', ...dir]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^orrery: deployment: no deployment named 'nope'\n$/);
  });

  it('bad usage exits 2 before calling anything', async () => {
    const until = await orrery(['alerts', 'silence', '4', '--until', 'next week', ...dir]);
    expect(until.code).toBe(2);
    expect(until.stdout).toBe('');
    expect(until.stderr).toMatch(/^orrery: --until: must be a time like 2026-12-01T09:00 or 2026-12-01T09:00:00Z, or a duration from now like 30m, 2h or 1d, got 'next week'\.\n\nUsage:\n {2}orrery alerts silence ID --until TIME/);
    const id = await orrery(['alerts', 'ack', 'latest', ...dir]);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/^orrery: ID: must be an alert number/);
  });
});

describe('orrery monitor and alerts with no Orrery running', () => {
  it('say that a running Orrery is needed, exit 1, and leave the data dir untouched', async () => {
    const dataDir = tempDir();
    for (const args of [
      ['alerts', 'list'],
      ['monitor', 'status', 'web'],
    ]) {
      const result = await orrery([...args, '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^orrery: No Orrery is running on the data dir ${dataDir} \\(there is no server\\.json in it\\)\\.`));
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
