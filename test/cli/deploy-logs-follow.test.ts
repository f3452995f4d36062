import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../shared/errors';
import type { DeploymentLogLine } from '../../shared/contract/serving';
import { followLogs } from '../../electron/cli/deploy-logs-follow';
import { fakeEventClient } from '../fakes/event-client';

/** A client whose serving.readLogs answers `tail` and whose events a test emits. */
function fakeClient(options: { tail: DeploymentLogLine[]; missing?: boolean }) {
  const { client, emit, count } = fakeEventClient((method: string) => {
    if (options.missing) return Promise.reject(new OrreryError('NOT_FOUND', "No deployment named 'web'"));
    if (method === 'serving.readLogs') return Promise.resolve(options.tail);
    return Promise.reject(new Error(`unexpected ${method}`));
  });
  return { client, emit, listening: count };
}

const line = (replicaId: string, text: string, at = 1, deployment = 'web'): DeploymentLogLine => ({ deployment, replicaId, version: 3, stream: 'stdout', line: text, at });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('deploy logs --follow', () => {
  it("prints the tail, then this deployment's new lines only, until stopped", async () => {
    const fake = fakeClient({ tail: [line('web-a', 'loaded model')] });
    const printed: string[] = [];
    let stop = () => undefined as void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const following = followLogs(fake.client, { name: 'web', stopped }, (l) => printed.push(`${l.replicaId}: ${l.line}`));
    await settle();
    fake.emit('serving.log', line('web-a', 'POST /invocations 200', 2));
    fake.emit('serving.log', line('api-z', 'another deployment', 2, 'api'));
    stop();
    expect(await following).toBe('stopped');
    expect(printed).toEqual(['web-a: loaded model', 'web-a: POST /invocations 200']);
    expect(fake.listening()).toBe(0);
  });

  it('a line from a replica started since (a rollout) is printed as it comes', async () => {
    const fake = fakeClient({ tail: [] });
    const printed: string[] = [];
    let stop = () => undefined as void;
    const following = followLogs(fake.client, { name: 'web', stopped: new Promise<void>((resolve) => (stop = resolve)) }, (l) => printed.push(l.line));
    await settle();
    fake.emit('serving.log', line('web-b', 'candidate ready', 3));
    stop();
    await following;
    expect(printed).toEqual(['candidate ready']);
  });

  it('a line that came while the tail was read is printed once', async () => {
    const tailLine = line('web-a', 'same line', 5);
    const fake = fakeClient({ tail: [tailLine] });
    const printed: string[] = [];
    // The event arrives before the tail is printed (between subscribing and reading).
    const following = followLogs(fake.client, { name: 'web', stopped: settle().then(() => undefined) }, (l) => printed.push(l.line));
    fake.emit('serving.log', tailLine);
    fake.emit('serving.log', line('web-a', 'newer', 6));
    await following;
    expect(printed).toEqual(['same line', 'newer']);
  });

  it('ends when the deployment is deleted; an unknown deployment fails with the reason', async () => {
    const fake = fakeClient({ tail: [] });
    const following = followLogs(fake.client, { name: 'web', stopped: new Promise<void>(() => undefined) }, () => undefined);
    await settle();
    fake.emit('serving.deployment', { name: 'other', status: null });
    fake.emit('serving.deployment', { name: 'web', status: null });
    expect(await following).toBe('deleted');

    const missing = fakeClient({ tail: [], missing: true });
    await expect(followLogs(missing.client, { name: 'web', stopped: new Promise<void>(() => undefined) }, () => undefined)).rejects.toThrow("No deployment named 'web'");
    expect(missing.listening()).toBe(0);
  });
});
