import { describe, expect, it } from 'vitest';
import { registerIpc, type IpcEventLike, type IpcMainLike, type IpcSender } from '../../electron/main/ipc';
import { isAppUrl } from '../../electron/main/app-origin';
import { EventBus } from '../../electron/services/events/event-bus';
import { RpcDispatcher } from '../../electron/services/rpc/dispatcher';
import { contract } from '../../shared/contract/index';
import { invokeChannel, ipcChannels } from '../../shared/ipc-channels';
import { fakeHandlers, sampleAt } from '../fakes/fake-handlers';

type Handler = (event: IpcEventLike, ...args: unknown[]) => unknown;

function setup() {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle: (channel, fn) => void handlers.set(channel, fn),
    on: (channel, fn) => listeners.set(channel, fn),
  };
  const bus = new EventBus();
  registerIpc(ipcMain, new RpcDispatcher(fakeHandlers()), bus, isAppUrl);
  return { handlers, listeners, bus };
}

function sender(id = 1) {
  const sent: unknown[][] = [];
  let destroyed = () => {};
  const s: IpcSender = { id, send: (...args) => void sent.push(args), once: (_e, fn) => (destroyed = fn) };
  return { s, sent, destroy: () => destroyed() };
}

const fromApp = (s: IpcSender): IpcEventLike => ({ senderFrame: { url: 'orrery://app/index.html' }, sender: s });

describe('IPC transport', () => {
  it('registers one handler per contract method, and nothing else', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.keys(contract).map(invokeChannel).sort());
  });

  it('answers calls from the app with envelopes; bad input and unknown fields come back as errors', async () => {
    const { handlers } = setup();
    const { s } = sender();
    expect(await handlers.get(invokeChannel('app.getInfo'))!(fromApp(s), {})).toMatchObject({ ok: true, result: { name: 'Orrery' } });
    expect(await handlers.get(invokeChannel('hardware.getOverview'))!(fromApp(s), { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/extra/) },
    });
  });

  it('refuses frames of any other origin', async () => {
    const { handlers } = setup();
    const { s } = sender();
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'orrery://elsewhere/']) {
      expect(await handlers.get(invokeChannel('app.getInfo'))!({ senderFrame: { url }, sender: s }, {})).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(await handlers.get(invokeChannel('app.getInfo'))!({ senderFrame: null, sender: s }, {})).toMatchObject({ ok: false });
  });

  it('forwards subscribed events to the window until it unsubscribes or is destroyed', () => {
    const { listeners, bus } = setup();
    const a = sender(1);
    listeners.get(ipcChannels.subscribe)!(fromApp(a.s), 'hardware.sample');
    listeners.get(ipcChannels.subscribe)!(fromApp(a.s), 'hardware.sample'); // twice: still one subscription
    listeners.get(ipcChannels.subscribe)!(fromApp(a.s), 'not.a.topic');
    expect(bus.listenerCount('hardware.sample')).toBe(1);
    bus.publish('hardware.sample', sampleAt(5));
    expect(a.sent).toEqual([[ipcChannels.event, 'hardware.sample', JSON.stringify(sampleAt(5))]]);
    listeners.get(ipcChannels.unsubscribe)!(fromApp(a.s), 'hardware.sample');
    expect(bus.listenerCount('hardware.sample')).toBe(0);

    const b = sender(2);
    listeners.get(ipcChannels.subscribe)!(fromApp(b.s), 'hardware.sample');
    b.destroy();
    expect(bus.listenerCount('hardware.sample')).toBe(0);

    const evil = sender(3);
    listeners.get(ipcChannels.subscribe)!({ senderFrame: { url: 'https://evil.example' }, sender: evil.s }, 'hardware.sample');
    expect(bus.listenerCount('hardware.sample')).toBe(0);
  });
});
