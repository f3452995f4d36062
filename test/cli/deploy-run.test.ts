import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../electron/cli/deploy-run';
import { parseCli } from '../../electron/cli/models-command';
import { tempDir } from '../helpers/temp-dir';

/**
 * runDeploy against a stand-in Orrery (an HTTP server that answers each serving method with a set
 * envelope): what lands on stdout and stderr, and the exit status, for the token and the hints.
 */

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A data dir whose server.json names a server answering `answers[method]` (an envelope). */
async function orreryAnswering(answers: Record<string, unknown>): Promise<string> {
  server = http.createServer((req, res) => {
    const method = decodeURIComponent(req.url?.replace('/api/rpc/', '') ?? '');
    const body = req.url === '/api/health' ? { ok: true } : (answers[method] ?? { ok: false, error: { code: 'NOT_FOUND', message: `no ${method}` } });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const dataDir = tempDir();
  fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({ url, port: 0, token: 't', pid: process.pid, version: '0' }));
  return dataDir;
}

async function run(dataDir: string, ...argv: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const command = parseCli(argv, { actor: 'ci-bot', cwd: '/' });
  if (command.kind !== 'deploy') throw new Error('not a deploy command');
  let stdout = '';
  let stderr = '';
  const io = { out: async (t: string) => void (stdout += t), err: async (t: string) => void (stderr += t), stopped: new Promise<void>(() => undefined) };
  try {
    return { code: await runDeploy(command, dataDir, io), stdout, stderr };
  } catch (error) {
    // What orrery.ts prints for a failure, with exit status 1.
    return { code: 1, stdout, stderr: `${stderr}orrery: ${(error as Error).message}\n` };
  }
}

describe('orrery deploy token', () => {
  it('prints the token alone, or as JSON', async () => {
    const dataDir = await orreryAnswering({ 'serving.getDeploymentToken': { ok: true, result: { token: 'tok-123' } } });
    expect(await run(dataDir, 'deploy', 'token', 'web')).toEqual({ code: 0, stdout: 'tok-123\n', stderr: '' });
    const json = await run(dataDir, 'deploy', 'token', 'web', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ token: 'tok-123' });
  });

  it('a deployment without a token: nothing on stdout, a note on stderr, exit 0; --json prints the null', async () => {
    const dataDir = await orreryAnswering({ 'serving.getDeploymentToken': { ok: true, result: { token: null } } });
    expect(await run(dataDir, 'deploy', 'token', 'web')).toEqual({ code: 0, stdout: '', stderr: 'orrery: this deployment does not require a token\n' });
    expect(await run(dataDir, 'deploy', 'token', 'web', '--json')).toEqual({ code: 0, stdout: '{\n  "token": null\n}\n', stderr: '' });
  });
});

describe('hints under Orrery\'s error', () => {
  const noMlmodel = 'version: the model folder has no MLmodel file (/d/models/iris/3/MLmodel): Orrery serves MLflow-format model folders';
  const hint = "hint: register the run's MLflow model folder, e.g. orrery models register --run RUN --path model --name …";

  it('create and rollout of a version without an MLmodel at its top say how to register the model folder', async () => {
    const failed = { ok: false, error: { code: 'INVALID_INPUT', message: noMlmodel } };
    const dataDir = await orreryAnswering({ 'serving.createDeployment': failed, 'serving.startRollout': failed });
    expect(await run(dataDir, 'deploy', 'create', 'web', '--model', 'iris', '--version', '3')).toEqual({ code: 1, stdout: '', stderr: `orrery: ${noMlmodel}\n${hint}\n` });
    expect((await run(dataDir, 'deploy', 'rollout', 'web', '--version', '3', '--strategy', 'canary')).stderr).toBe(`orrery: ${noMlmodel}\n${hint}\n`);
  });

  it('other errors come as Orrery wrote them', async () => {
    const dataDir = await orreryAnswering({ 'serving.createDeployment': { ok: false, error: { code: 'CONFLICT', message: "name: a deployment named 'web' already exists" } } });
    expect(await run(dataDir, 'deploy', 'create', 'web', '--model', 'iris', '--version', '3')).toEqual({
      code: 1,
      stdout: '',
      stderr: "orrery: name: a deployment named 'web' already exists\n",
    });
  });
});
