/** IPC channel names shared by Electron's main process and the preload bridge. */
export const ipcChannels = {
  invokePrefix: 'orrery:rpc:',
  subscribe: 'orrery:subscribe',
  unsubscribe: 'orrery:unsubscribe',
  event: 'orrery:event',
  /** Renderer → main: bytes of events taken so far by this page (flow control; IPC has none). */
  eventAck: 'orrery:event-ack',
  /** Renderer → main: a new page in this window; forget the previous page's subscriptions. */
  eventReset: 'orrery:event-reset',
} as const;

export function invokeChannel(method: string): string {
  return ipcChannels.invokePrefix + method;
}
