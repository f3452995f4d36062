import { describe, expect, it } from 'vitest';
import { createIpcBridge, type IpcRendererLike } from '../../electron/preload/ipc-bridge';
import { createClient } from '../../shared/client';
import { OrreryError } from '../../shared/errors';
import { invokeChannel, ipcChannels } from '../../shared/ipc-channels';

function fakeIpc(answer: unknown) {
  const sent: unknown[][] = [];
  const invoked: unknown[][] = [];
  let onEvent: (event: unknown, ...args: unknown[]) => void = () => {};
  const ipc: IpcRendererLike = {
    invoke: async (...args) => {
      invoked.push(args);
      return answer;
    },
    send: (...args) => void sent.push(args),
    on: (_channel, listener) => (onEvent = listener),
  };
  // Main sends each event's payload as JSON text.
  return { ipc, sent, invoked, emit: (topic: string, payload: unknown) => onEvent({}, topic, JSON.stringify(payload)) };
}

describe('preload bridge + typed client', () => {
  it('calls a method on its channel and returns the result', async () => {
    const fake = fakeIpc({ ok: true, result: { name: 'Orrery' } });
    const client = createClient(createIpcBridge(fake.ipc));
    await expect(client.call('app.getInfo', {})).resolves.toEqual({ name: 'Orrery' });
    expect(fake.invoked).toEqual([[invokeChannel('app.getInfo'), {}]]);
  });

  it('re-throws an error envelope as OrreryError with its code', async () => {
    const fake = fakeIpc({ ok: false, error: { code: 'INVALID_INPUT', message: 'x: Required' } });
    const client = createClient(createIpcBridge(fake.ipc));
    const error = await client.call('app.getInfo', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrreryError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: 'x: Required' });
  });

  it('tells main about a topic once, and again when the last listener leaves', () => {
    const fake = fakeIpc(null);
    const client = createClient(createIpcBridge(fake.ipc));
    const a: number[] = [];
    const b: number[] = [];
    const offA = client.on('hardware.sample', (s) => a.push(s.at));
    const offB = client.on('hardware.sample', (s) => b.push(s.at));
    fake.emit('hardware.sample', { at: 1 });
    offA();
    fake.emit('hardware.sample', { at: 2 });
    offB();
    offB();
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(fake.sent).toEqual([
      [ipcChannels.eventReset],
      [ipcChannels.subscribe, 'hardware.sample'],
      [ipcChannels.unsubscribe, 'hardware.sample'],
    ]);
  });
});
