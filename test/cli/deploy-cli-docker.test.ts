import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/contract/serving';
import { irisBody } from '../helpers/model-folders';
import { orrery, orreryRunning } from '../helpers/run-orrery';
import { score, until } from '../helpers/serving-server';
import { closeWorld, openWorld, register, servingReady, type ServingWorld } from '../server/serving/serving-fixture';

/**
 * `orrery deploy` end to end: the built command line against the built app, whose deployments run
 * as real replica containers; what the command prints is checked against what the URL answers.
 */
describe.skipIf(!servingReady)('orrery deploy against real replicas', () => {
  const world = {} as ServingWorld;
  let dir: string[];

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-deploy-cli-'));
    await register(world.server, 'iris', [world.models.irisV1, world.models.irisV2]);
    dir = ['--data-dir', world.dataDir];
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  it('create, status as text and JSON, list, logs and logs --follow, a canary paused and aborted, stop, start, delete', async () => {
    const created = await orrery(['deploy', 'create', 'web', '--model', 'iris', '--version', '1', '--cpus', '0.5', '--memory-gb', '0.25', ...dir]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const url = /^Deployed iris version 1 as web at (http:\/\/127\.0\.0\.1:\d+\/invocations) \(1 replica, \w+\); version 1 is not approved\n$/.exec(created.stdout)?.[1];
    expect(url, created.stdout).toBeDefined();
    const answered = await until('the stable URL to answer', async () => ((await score(url!, irisBody(world.models))).status === 200 ? true : undefined), 60_000);
    expect(answered).toBe(true);

    const json = await orrery(['deploy', 'status', 'web', '--json', ...dir]);
    expect(json.code).toBe(0);
    const deployment = JSON.parse(json.stdout) as Deployment;
    expect(deployment).toMatchObject({ name: 'web', url, modelName: 'iris', unapproved: true, versions: [{ version: 1, role: 'stable', weight: 100, approved: false }] });
    const replica = deployment.versions[0]!.replicas[0]!;
    expect(replica.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The replica's own URL answers too, as the status says.
    expect((await score(`${replica.url}/invocations`, irisBody(world.models))).status).toBe(200);

    const text = await orrery(['deploy', 'status', 'web', ...dir]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(url);
    expect(text.stdout).toContain('  v1  stable  100%  unapproved  orrery/serve:local\n');
    expect(text.stdout).toContain(`    ${replica.replicaId}  ready  ${replica.url}\n`);

    const list = await orrery(['deploy', 'list', ...dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +MODEL +STATUS +TRAFFIC .*\nweb +iris +running +v1 100% \(unapproved\) +– .*http:\/\/127\.0\.0\.1:\d+\/invocations\n$/);

    const logs = await orrery(['deploy', 'logs', 'web', '--tail', '5', ...dir]);
    expect(logs.code).toBe(0);
    const logLines = logs.stdout.trimEnd().split('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.length).toBeLessThanOrEqual(5);
    for (const line of logLines) expect(line).toMatch(new RegExp(`^v1 ${replica.replicaId}( \\(stderr\\))? \\| `));
    const following = orreryRunning(['deploy', 'logs', 'web', '--follow', ...dir]);
    await until('logs --follow to print the last lines', () => following.stdout.includes(`v1 ${replica.replicaId}`) || undefined, 60_000);
    const followed = await following.interrupt();
    expect(followed).toMatchObject({ code: 0, stderr: '' });

    const canary = await orrery(['deploy', 'rollout', 'web', '--version', '2', '--strategy', 'canary', '--min-requests', '20', '--interval', '1s', ...dir]);
    expect(canary.stderr).toBe('');
    expect(canary.stdout).toMatch(/^Started a canary rollout on web: version 1 → 2, [a-z ]+, step 1 of 4 \(\d+% to the candidate\); version 2 is not approved\n$/);
    const twice = await orrery(['deploy', 'rollout', 'web', '--version', '2', '--strategy', 'blue-green', ...dir]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^orrery: .+\n$/);
    const paused = await orrery(['deploy', 'pause', 'web', ...dir]);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toMatch(/^Paused the rollout on web: canary, paused, step \d of 4/);
    const status = await orrery(['deploy', 'status', 'web', ...dir]);
    expect(status.stdout).toMatch(/\nRollout: canary, version 1 → 2, paused, step \d of 4 \(\d+% to the candidate\), since \S+\n/);
    expect(status.stdout).toMatch(/\n {2}Last decision: pause at \S+ by ci-bot: /);
    const aborted = await orrery(['deploy', 'abort', 'web', ...dir]);
    expect(aborted).toEqual({ code: 0, stdout: 'Aborted the rollout on web: version 1 takes all traffic\n', stderr: '' });

    const stopped = await orrery(['deploy', 'stop', 'web', ...dir]);
    expect(stopped).toEqual({ code: 0, stdout: `Stopped web: ${url} answers 503 until it is started\n`, stderr: '' });
    expect((await score(url!, irisBody(world.models))).status).toBe(503);
    const started = await orrery(['deploy', 'start', 'web', ...dir]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(new RegExp(`^Started web at ${url!.replace(/[.]/g, '\\.')} \\(\\w+\\)\n$`));
    await until('the URL to answer again', async () => ((await score(url!, irisBody(world.models))).status === 200 ? true : undefined), 60_000);

    expect(await orrery(['deploy', 'delete', 'web', ...dir])).toEqual({ code: 0, stdout: 'Deleted web\n', stderr: '' });
    expect(await orrery(['deploy', 'list', ...dir])).toEqual({ code: 0, stdout: 'No deployments.\n', stderr: '' });
  }, 600_000);
});
