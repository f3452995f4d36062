import { contract } from '../../shared/contract/index';
import { OrreryError, type Envelope } from '../../shared/errors';
import { invokeChannel } from '../../shared/ipc-channels';
import type { EventBus } from '../services/events/event-bus';
import type { RpcDispatcher } from '../services/rpc/dispatcher';
import { defaultIpcEventLimits, registerIpcEvents, type IpcEventLimits } from './ipc-events';

export interface IpcSender {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcEventLike {
  senderFrame: { url: string } | null;
  sender: IpcSender;
}

/** The slice of Electron's ipcMain used here; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/**
 * One ipcMain.handle per contract method. Calls from any frame not of the app's own origin are
 * refused; input is parsed by the method's schema in the dispatcher; errors come back as data.
 * Events go through registerIpcEvents.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatcher: RpcDispatcher,
  bus: EventBus,
  isTrustedUrl: (url: string | undefined) => boolean,
  eventLimits: IpcEventLimits = defaultIpcEventLimits,
): void {
  const trusted = (event: IpcEventLike) => isTrustedUrl(event.senderFrame?.url);

  for (const method of Object.keys(contract)) {
    ipcMain.handle(invokeChannel(method), async (event, input): Promise<Envelope<unknown>> => {
      if (!trusted(event)) {
        return { ok: false, error: new OrreryError('FORBIDDEN', 'IPC from an untrusted frame was refused.').toBody() };
      }
      return dispatcher.dispatch(method, input);
    });
  }

  registerIpcEvents(ipcMain, bus, trusted, eventLimits);
}
